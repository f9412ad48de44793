package server_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

func basic(user, pw string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))}}
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// wrong returns a password that differs from pw in its last character.
func wrong(pw string) string {
	if strings.HasSuffix(pw, "x") {
		return pw[:len(pw)-1] + "y"
	}
	return pw[:len(pw)-1] + "x"
}

// tokenResponse is what /oauth2/token answers.
type tokenResponse struct {
	Token        string `json:"token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	IssuedAt     string `json:"issued_at"`
	RefreshToken string `json:"refresh_token"`
}

// fetchToken asks /oauth2/token of registry with HTTP Basic.
func (e *registryEnv) fetchToken(registry, user, pw string, scopes ...string) (*http.Response, tokenResponse) {
	e.t.Helper()
	q := url.Values{"service": {loginServer(registry)}, "scope": scopes}
	resp := e.raw("GET", loginServer(registry), "/oauth2/token?"+q.Encode(), basic(user, pw))
	var tr tokenResponse
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
			e.t.Fatal(err)
		}
	}
	return resp, tr
}

// accessToken returns an access token, failing the test if there is none.
func (e *registryEnv) accessToken(registry, user, pw string, scopes ...string) string {
	e.t.Helper()
	resp, tr := e.fetchToken(registry, user, pw, scopes...)
	if resp.StatusCode != 200 || tr.Token == "" {
		e.t.Fatalf("GET /oauth2/token: status %d, body %s", resp.StatusCode, readBody(e.t, resp))
	}
	return tr.Token
}

// postToken sends a form to POST /oauth2/token.
func (e *registryEnv) postToken(form url.Values) (int, tokenResponse, string) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(e.t.Context(), "POST", "https://"+loginServer(regA)+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Transport: e.tr}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body := readBody(e.t, resp)
	var tr tokenResponse
	json.Unmarshal([]byte(body), &tr)
	return resp.StatusCode, tr, body
}

// claims decodes the payload of a JWT (without verifying it).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The grant is what was asked for and the scope map allows; pull brings
// metadata_read along where the map allows it, for clients that list tags
// with a pull token.
func TestTokenEndpointGrantsTheIntersectionOfRequestAndScopeMap(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "reader", "repositories/app/content/read", "repositories/team/*/metadata/read", "repositories/lib/content/read", "repositories/lib/metadata/read")
	resp, tr := e.fetchToken(regA, "reader", pw, "repository:app:pull,push", "repository:team/x:metadata_read repository:secret:pull",
		"registry:catalog:*", "repository:lib:pull")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, readBody(t, resp))
	}
	if tr.Token == "" || tr.Token != tr.AccessToken || tr.ExpiresIn <= 0 || tr.ExpiresIn > 300 || tr.IssuedAt == "" || tr.RefreshToken != "" {
		t.Errorf("response %+v, want token = access_token, 0 < expires_in <= 300, issued_at, no refresh token", tr)
	}
	c := claims(t, tr.Token)
	got, _ := json.Marshal(c["access"])
	want := `[{"actions":["pull"],"name":"app","type":"repository"},{"actions":["metadata_read"],"name":"team/x","type":"repository"},{"actions":["*"],"name":"catalog","type":"registry"},{"actions":["pull","metadata_read"],"name":"lib","type":"repository"}]`
	if string(got) != want {
		t.Errorf("access claim\n got %s\nwant %s", got, want)
	}
	if c["aud"] != loginServer(regA) || c["iss"] != "openacr" || c["sub"] != "reader" || c["generation"] == nil || c["jti"] == nil {
		t.Errorf("claims %v: want aud %q, iss openacr, sub reader, generation, jti", c, loginServer(regA))
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "refused", "repositories/app/content/read")
	setStatus(t, e, "refused", access.Disabled)
	tests := []struct {
		name, user, pw string
		want           string
	}{
		{"wrong password gets the generic message", "refused", wrong(pw), access.GenericAuthFailure},
		{"unknown token gets the generic message", "nobody", pw, access.GenericAuthFailure},
		{"right password of a disabled token says so", "refused", pw, "token 'refused' is disabled"},
		{"no credentials", "", "", access.GenericAuthFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			if tt.user == "" {
				resp = e.raw("GET", loginServer(regA), "/oauth2/token?scope=repository:app:pull", nil)
			} else {
				resp, _ = e.fetchToken(regA, tt.user, tt.pw, "repository:app:pull")
			}
			body := readBody(t, resp)
			if resp.StatusCode != 401 || !contains(body, `"code":"UNAUTHORIZED"`) || !contains(body, tt.want) {
				t.Errorf("got %d %s, want 401 UNAUTHORIZED saying %q", resp.StatusCode, body, tt.want)
			}
		})
	}
}

func TestPasswordAndRefreshGrants(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "oauthuser", "repositories/app/content/read")
	status, tr, body := e.postToken(url.Values{"grant_type": {"password"}, "username": {"oauthuser"}, "password": {pw},
		"service": {loginServer(regA)}, "scope": {"repository:app:pull"}})
	if status != 200 || tr.AccessToken == "" || tr.RefreshToken == "" {
		t.Fatalf("password grant: %d %s, want an access and a refresh token", status, body)
	}
	refresh := func() (int, string) {
		status, tr, body := e.postToken(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken},
			"service": {loginServer(regA)}, "scope": {"repository:app:pull"}})
		if status == 200 && claims(t, tr.AccessToken)["access"] == nil {
			t.Errorf("refresh grant gave no access: %s", body)
		}
		return status, body
	}
	if status, body := refresh(); status != 200 {
		t.Fatalf("refresh grant: %d %s", status, body)
	}
	e.generate(regA, "oauthuser", access.Password2, nil)
	if status, body := refresh(); status != 200 {
		t.Errorf("refresh grant after the other password was generated: %d %s, want 200", status, body)
	}
	e.generate(regA, "oauthuser", access.Password1, nil)
	if status, body := refresh(); status != 401 {
		t.Errorf("refresh grant after its own password was regenerated: %d %s, want 401", status, body)
	}
	if status, _, body := e.postToken(url.Values{"grant_type": {"client_credentials"}}); status != 400 || !contains(body, "unsupported grant_type") {
		t.Errorf("unsupported grant: %d %s, want 400", status, body)
	}
}

func TestChallengesAndDirectBasic(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "basicuser", "repositories/app/content/read")
	realm := `Bearer realm="https://` + loginServer(regA) + `/oauth2/token",service="` + loginServer(regA) + `"`
	tests := []struct {
		name, path string
		header     http.Header
		status     int
		challenge  string // WWW-Authenticate, when 401
		body       string
	}{
		{"base without credentials", "/v2/", nil, 401, realm, `"code":"UNAUTHORIZED"`},
		{"resource without credentials names the scope", "/v2/app/manifests/v1", nil, 401, realm + `,scope="repository:app:pull"`, `"code":"UNAUTHORIZED"`},
		{"tags without credentials ask for metadata_read", "/v2/app/tags/list", nil, 401, realm + `,scope="repository:app:metadata_read"`, "UNAUTHORIZED"},
		{"direct Basic pulls", "/v2/app/manifests/v1", basic("basicuser", pw), 200, "", ""},
		{"direct Basic is held to the scope map", "/v2/app/tags/list", basic("basicuser", pw), 401, realm + `,scope="repository:app:metadata_read",error="insufficient_scope"`, "UNAUTHORIZED"},
		{"wrong Basic password gets the generic message", "/v2/app/manifests/v1", basic("basicuser", wrong(pw)), 401, realm + `,scope="repository:app:pull"`, access.GenericAuthFailure},
		{"a forged access token is refused", "/v2/app/manifests/v1", bearer("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"), 401, realm + `,scope="repository:app:pull",error="invalid_token"`, "invalid access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.raw("GET", loginServer(regA), tt.path, tt.header)
			body := readBody(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, tt.challenge)
			}
			if !contains(body, tt.body) {
				t.Errorf("body %s, want it to contain %s", body, tt.body)
			}
		})
	}
}

func TestJWKSIsServed(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "jwksuser", "repositories/app/content/read")
	at := e.accessToken(regA, "jwksuser", pw, "repository:app:pull")
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(at, ".")[0])
	var h struct{ Alg, Kid string }
	json.Unmarshal(hdr, &h)
	resp := e.raw("GET", loginServer(regA), "/oauth2/jwks", nil)
	body := readBody(t, resp)
	if h.Alg != "ES256" || h.Kid == "" || resp.StatusCode != 200 || !contains(body, `"kid":"`+h.Kid+`"`) {
		t.Errorf("JWT header %+v, JWKS %d %s: want ES256 with a kid the JWKS publishes", h, resp.StatusCode, body)
	}
}
