package arm

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// ChangeReferenceHeader carries a change reference on an operation, for
// clients that give one without a policy token (which carries its own).
const ChangeReferenceHeader = "x-ms-change-reference"

// changes reports whether a request of this method may change something:
// those are judged by the credential policies and recorded in the audit log.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// withChange returns r carrying the access.Change that the credential
// policies judge: the caller, its address, the change reference, and
// whether a policy token issued for exactly this request came with it. A
// policy token that does not verify (forged, expired, issued for another
// operation or body) is refused, whether or not a policy requires one: a
// client that sends one believes it is covered.
func (a *API) withChange(r *http.Request) (*http.Request, error) {
	ch := access.Change{Actor: admin, ClientAddress: clientAddress(r), Reference: r.Header.Get(ChangeReferenceHeader)}
	e := note(r)
	if e != nil {
		e.ChangeReference = ch.Reference
	}
	if tok := r.Header.Get(PolicyTokenHeader); tok != "" {
		body, err := readBody(r)
		if err != nil {
			return r, err
		}
		c, err := a.verifyPolicyToken(tok, r.Method, r.URL.String(), body)
		if err != nil {
			return r, refuse(http.StatusForbidden, "InvalidPolicyToken",
				"The policy token in the '%s' header is refused: %v. Acquire one for this very operation (--acquire-policy-token).",
				PolicyTokenHeader, err)
		}
		if c.ChangeReference != "" {
			if ch.Reference != "" && ch.Reference != c.ChangeReference {
				return r, badRequest("The change reference '%s' in the '%s' header differs from '%s', the one the policy token was issued with.",
					ch.Reference, ChangeReferenceHeader, c.ChangeReference)
			}
			ch.Reference = c.ChangeReference
		}
		ch.PolicyToken = true
	}
	if err := access.ValidateChangeReference(ch.Reference); err != nil {
		return r, err
	}
	if e != nil {
		e.ChangeReference = ch.Reference
	}
	return r.WithContext(access.WithChange(r.Context(), ch)), nil
}

// readBody reads the whole request body and puts it back for the handler.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, refuse(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"The request body is larger than the limit of %d bytes.", tooLarge.Limit)
	}
	if err != nil {
		return nil, badRequest("The request body could not be read: %v.", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// clientAddress is the IP address the request came from.
func clientAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// credentialOperation is a credential operation found in a URI.
type credentialOperation struct {
	group, registry string
	op              access.Operation
}

// parseOperation recognises the credential operations (access.Operation)
// among the operations acquirePolicyToken may be asked about: a token PUT,
// PATCH or DELETE, and generateCredentials. ok is false for anything else.
func parseOperation(method, uri string) (credentialOperation, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return credentialOperation{}, false
	}
	segs := strings.Split(canonicalPath(u.Path), "/")
	// "", subscriptions, {sub}, resourceGroups, {g}, providers, Microsoft.ContainerRegistry, registries, {r}, ...
	if len(segs) < 10 || segs[1] != "subscriptions" || segs[3] != "resourceGroups" || segs[5] != "providers" ||
		segs[6] != "Microsoft.ContainerRegistry" || segs[7] != "registries" {
		return credentialOperation{}, false
	}
	co := credentialOperation{group: segs[4], registry: segs[8]}
	switch {
	case len(segs) == 10 && segs[9] == "generateCredentials" && method == http.MethodPost:
		co.op.Kind = access.OpGenerateCredentials
	case len(segs) == 11 && segs[9] == "tokens" && (method == http.MethodPut || method == http.MethodPatch):
		co.op = access.Operation{Kind: access.OpWriteToken, Token: segs[10]}
	case len(segs) == 11 && segs[9] == "tokens" && method == http.MethodDelete:
		co.op = access.Operation{Kind: access.OpDeleteToken, Token: segs[10]}
	default:
		return credentialOperation{}, false
	}
	return co, true
}

// evaluateOperation judges the operation acquirePolicyToken was asked
// about against the credential policies, as if it ran now with the policy
// token about to be issued.
func (a *API) evaluateOperation(r *http.Request, method, uri string, content json.RawMessage, changeRef string) error {
	e := note(r)
	if u, err := url.Parse(uri); err == nil && e != nil {
		e.Registry, e.Target, e.ChangeReference = registryInPath(u.Path), method+" "+canonicalPath(u.Path), changeRef
	}
	co, ok := parseOperation(method, uri)
	if !ok {
		return nil
	}
	ctx := r.Context()
	if co.op.Kind == access.OpGenerateCredentials {
		reg, err := a.svc.GetRegistry(ctx, co.group, co.registry)
		if errors.Is(err, access.ErrNotFound) {
			return nil // no registry, no policy: the operation itself will fail
		}
		if err != nil {
			return err
		}
		var req generateRequest
		body := contentBody(content)
		if err := json.Unmarshal(body, &req); err != nil {
			return invalidContent("The 'operation.content' is not the body of a generateCredentials request: %v.", err)
		}
		tok, _, expiry, err := req.validate(a, reg)
		if err != nil {
			return err
		}
		co.op.Token, co.op.Expiry = tok, expiry
	}
	if e != nil {
		e.Token = co.op.Token
	}
	ch := access.Change{Actor: admin, ClientAddress: clientAddress(r), Reference: changeRef, PolicyToken: true}
	err := a.svc.EvaluatePolicy(access.WithChange(ctx, ch), co.group, co.registry, co.op)
	if errors.Is(err, access.ErrNotFound) {
		return nil
	}
	return err
}
