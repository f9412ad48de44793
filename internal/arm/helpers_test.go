package arm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azarm "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acr "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
	"github.com/openacr/openacr/internal/store"
)

const (
	adminKey = "test-admin-key-0123456789"
	sub      = arm.DefaultSubscriptionID
	group    = "rg-test"
	apiVer   = "2023-07-01"
)

// env is a running management API over a real SQLite store, with SDK
// clients pointed at it.
type env struct {
	srv        *httptest.Server
	svc        *access.Service
	st         *store.Store
	logs       *syncBuffer
	registries *acr.RegistriesClient
	scopeMaps  *acr.ScopeMapsClient
	tokens     *acr.TokensClient
}

// syncBuffer is a log sink the server's goroutines can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// keyCredential hands the admin key to the SDK as its bearer token.
type keyCredential string

func (k keyCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(k), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func newEnv(t *testing.T, cfg arm.Config) *env {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "openacr.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := access.New(st, bytes.Repeat([]byte("k"), 32), log)
	if err != nil {
		t.Fatalf("new service: %v", err)
	}
	if cfg.AdminKey == "" {
		cfg.AdminKey = adminKey
	}
	cfg.LoginServer = func(r string) string { return r + ".example.test" }
	srv := httptest.NewServer(arm.New(svc, cfg, log))
	t.Cleanup(srv.Close)

	opts := &azarm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: srv.URL, Audience: srv.URL},
			}},
			InsecureAllowCredentialWithHTTP: true,
			Retry:                           policy.RetryOptions{MaxRetries: -1},
		},
		DisableRPRegistration: true,
	}
	e := &env{srv: srv, svc: svc, st: st, logs: logs}
	cred := keyCredential(cfg.AdminKey)
	if e.registries, err = acr.NewRegistriesClient(sub, cred, opts); err != nil {
		t.Fatal(err)
	}
	if e.scopeMaps, err = acr.NewScopeMapsClient(sub, cred, opts); err != nil {
		t.Fatal(err)
	}
	if e.tokens, err = acr.NewTokensClient(sub, cred, opts); err != nil {
		t.Fatal(err)
	}
	return e
}

// collect drains a pager; value returns the items of a page.
func collect[P, T any](t *testing.T, pager *runtime.Pager[P], value func(P) []*T) []*T {
	t.Helper()
	var all []*T
	for pager.More() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatalf("next page: %v", err)
		}
		all = append(all, value(page)...)
	}
	return all
}

// createRegistry creates a Basic registry in group through the SDK.
func (e *env) createRegistry(t *testing.T, group, name string) acr.Registry {
	t.Helper()
	p, err := e.registries.BeginCreate(t.Context(), group, name, acr.Registry{
		Location: to.Ptr("westeurope"), SKU: &acr.SKU{Name: to.Ptr(acr.SKUNameBasic)},
	}, nil)
	if err != nil {
		t.Fatalf("create registry %s: %v", name, err)
	}
	res, err := p.PollUntilDone(t.Context(), nil)
	if err != nil {
		t.Fatalf("create registry %s: %v", name, err)
	}
	return res.Registry
}

func (e *env) createScopeMap(t *testing.T, registry, name string, actions ...string) acr.ScopeMap {
	t.Helper()
	p, err := e.scopeMaps.BeginCreate(t.Context(), group, registry, name, acr.ScopeMap{
		Properties: &acr.ScopeMapProperties{Actions: to.SliceOfPtrs(actions...)},
	}, nil)
	if err != nil {
		t.Fatalf("create scope map %s: %v", name, err)
	}
	res, err := p.PollUntilDone(t.Context(), nil)
	if err != nil {
		t.Fatalf("create scope map %s: %v", name, err)
	}
	return res.ScopeMap
}

func (e *env) createToken(t *testing.T, registry, name, scopeMapID string) acr.Token {
	t.Helper()
	p, err := e.tokens.BeginCreate(t.Context(), group, registry, name, acr.Token{
		Properties: &acr.TokenProperties{ScopeMapID: to.Ptr(scopeMapID)},
	}, nil)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	res, err := p.PollUntilDone(t.Context(), nil)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	return res.Token
}

func (e *env) generate(t *testing.T, registry string, params acr.GenerateCredentialsParameters) (acr.GenerateCredentialsResult, error) {
	t.Helper()
	p, err := e.registries.BeginGenerateCredentials(t.Context(), group, registry, params, nil)
	if err != nil {
		return acr.GenerateCredentialsResult{}, err
	}
	res, err := p.PollUntilDone(t.Context(), nil)
	return res.GenerateCredentialsResult, err
}

func registryID(name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/" + name
}

// wantResponseError checks that err is an SDK ResponseError with status
// and code, whose message contains each of msgs.
func wantResponseError(t *testing.T, err error, status int, code string, msgs ...string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v, want a ResponseError %d %s", err, status, code)
	}
	if re.StatusCode != status || re.ErrorCode != code {
		t.Errorf("got %d %s, want %d %s (%v)", re.StatusCode, re.ErrorCode, status, code, err)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
}

// call sends a raw request with the admin key to the server, path relative
// to the server root; query is appended as is.
func (e *env) call(t *testing.T, method, path, query string, body any) *http.Response {
	t.Helper()
	return e.do(t, method, path, query, body, map[string]string{"Authorization": "Bearer " + adminKey})
}

func (e *env) do(t *testing.T, method, path, query string, body any, headers map[string]string) *http.Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	u := e.srv.URL + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// armError is the error envelope as a client reads it.
type armError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Status string `json:"status"`
}

// wantError checks a raw response's status, ARM error code and message.
func wantError(t *testing.T, resp *http.Response, status int, code string, msgs ...string) {
	t.Helper()
	data, _ := io.ReadAll(resp.Body)
	var e armError
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("body %q is not an ARM error: %v", data, err)
	}
	if resp.StatusCode != status || e.Error.Code != code || e.Status != "Failed" {
		t.Errorf("got %d %s (status %q), want %d %s; body %s", resp.StatusCode, e.Error.Code, e.Status, status, code, data)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	for _, m := range msgs {
		if !strings.Contains(e.Error.Message, m) {
			t.Errorf("message %q does not mention %q", e.Error.Message, m)
		}
	}
}

// decode reads a raw JSON response into v after checking its status.
func decode(t *testing.T, resp *http.Response, status int, v any) []byte {
	t.Helper()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("got status %d, want %d; body %s", resp.StatusCode, status, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
	}
	return data
}

// values dereferences a slice of pointers, as the SDK models hold them.
func values[T any](ps []*T) []T {
	out := make([]T, 0, len(ps))
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}
