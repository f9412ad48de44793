package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// policyTokenAPIVersion is the api-version az uses for acquirePolicyToken.
const policyTokenAPIVersion = "2025-03-01"

// policyTokenPolicy is Azure CLI's Global Policy hook
// (--acquire-policy-token, --change-reference): before every request that
// is not a GET it asks the server's acquirePolicyToken for a policy token
// for that exact operation and sends it in x-ms-policy-external-evaluations.
type policyTokenPolicy struct {
	client          *arm.Client // a pipeline without this policy
	subscription    string
	changeReference string
}

func newPolicyTokenPolicy(conn connection, cred azcore.TokenCredential, opts *arm.ClientOptions, changeReference string) (*policyTokenPolicy, error) {
	c, err := arm.NewClient("openacr-cli", "v1.0.0", cred, opts)
	if err != nil {
		return nil, fmt.Errorf("create policy token client: %w", err)
	}
	return &policyTokenPolicy{client: c, subscription: conn.subscription, changeReference: changeReference}, nil
}

type policyTokenRequest struct {
	Operation struct {
		URI        string `json:"uri"`
		HTTPMethod string `json:"httpMethod"`
		Content    any    `json:"content"`
	} `json:"operation"`
	ChangeReference *string `json:"changeReference"`
}

func (p *policyTokenPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	if raw.Method == http.MethodGet {
		return req.Next()
	}
	token, err := p.acquire(req)
	if err != nil {
		return nil, fmt.Errorf("Failed to acquire policy token, exception: %w", err)
	}
	raw.Header.Set("x-ms-policy-external-evaluations", token)
	if p.changeReference != "" {
		// Also in the clear, for servers and proxies that log it; the
		// policy token carries the same value under its signature.
		raw.Header.Set("x-ms-change-reference", p.changeReference)
	}
	return req.Next()
}

func (p *policyTokenPolicy) acquire(req *policy.Request) (string, error) {
	var body policyTokenRequest
	body.Operation.URI = req.Raw().URL.String()
	body.Operation.HTTPMethod = req.Raw().Method
	if rb := req.Body(); rb != nil {
		b, err := io.ReadAll(rb)
		if err != nil {
			return "", err
		}
		if err := req.RewindBody(); err != nil {
			return "", err
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if err := json.Unmarshal(b, &body.Operation.Content); err != nil {
				return "", fmt.Errorf("request body is not JSON: %w", err)
			}
		}
	}
	if p.changeReference != "" {
		body.ChangeReference = &p.changeReference
	}
	u := runtime.JoinPaths(p.client.Endpoint(), "/subscriptions/"+p.subscription+"/providers/Microsoft.Authorization/acquirePolicyToken")
	preq, err := runtime.NewRequest(req.Raw().Context(), http.MethodPost, u)
	if err != nil {
		return "", err
	}
	q := preq.Raw().URL.Query()
	q.Set("api-version", policyTokenAPIVersion)
	preq.Raw().URL.RawQuery = q.Encode()
	preq.Raw().Header.Set("x-ms-force-sync", "true")
	if err := runtime.MarshalAsJSON(preq, body); err != nil {
		return "", err
	}
	resp, err := p.client.Pipeline().Do(preq)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s", responseErrorMessage(runtime.NewResponseError(resp).(*azcore.ResponseError)))
	}
	b, err := runtime.Payload(resp)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("No token returned. Response:%s", b)
	}
	return out.Token, nil
}

// debugPolicy logs each HTTP request and response for --debug, without
// the Authorization header and without response bodies (they may hold
// password values).
type debugPolicy struct{ a *app }

func (d *debugPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	d.a.debugf("Request URL: '%s'", raw.URL)
	d.a.debugf("Request method: '%s'", raw.Method)
	d.a.debugf("Request headers:")
	for _, line := range headerLines(raw.Header) {
		d.a.debugf("    %s", line)
	}
	if rb := req.Body(); rb != nil {
		b, err := io.ReadAll(rb)
		if err == nil && req.RewindBody() == nil && len(b) > 0 {
			d.a.debugf("Request body:")
			d.a.debugf("%s", b)
		}
	}
	resp, err := req.Next()
	if err != nil {
		d.a.debugf("Request failed: %v", err)
		return resp, err
	}
	d.a.debugf("Response status: %d", resp.StatusCode)
	d.a.debugf("Response headers:")
	for _, line := range headerLines(resp.Header) {
		d.a.debugf("    %s", line)
	}
	return resp, nil
}

func headerLines(h http.Header) []string {
	var lines []string
	for k, vs := range h {
		if strings.EqualFold(k, "Authorization") {
			continue
		}
		lines = append(lines, fmt.Sprintf("'%s': '%s'", k, strings.Join(vs, ", ")))
	}
	sort.Strings(lines)
	return lines
}
