package arm_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/arm"
)

const acquirePath = "/subscriptions/" + sub + "/providers/Microsoft.Authorization/acquirePolicyToken"

type policyResource struct {
	ID, Name, Type string
	Properties     struct {
		MaxPasswordLifetimeDays int
		RequireExpiry           bool
		RequireChangeReference  bool
		RequirePolicyToken      bool
		ProvisioningState       string
	}
}

func TestCredentialPolicyResource(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "policies1")
	path := registryID("policies1") + "/credentialPolicies/default"
	q := "api-version=" + apiVer

	var p policyResource
	decode(t, e.call(t, "GET", path, q, nil), 200, &p)
	if p.ID != path || p.Name != "default" || p.Type != "Microsoft.ContainerRegistry/registries/credentialPolicies" ||
		p.Properties.MaxPasswordLifetimeDays != 0 || p.Properties.RequireExpiry || p.Properties.ProvisioningState != "Succeeded" {
		t.Errorf("a registry that never set a policy: got %+v, want every policy off", p)
	}

	steps := []struct {
		name, method, body string
		want               [4]any // max days, expiry, change reference, policy token
	}{
		{"PUT sets the properties it names and turns off the others", "PUT",
			`{"properties":{"maxPasswordLifetimeDays":90,"requireExpiry":true}}`, [4]any{90, true, false, false}},
		{"PATCH changes only what it names", "PATCH",
			`{"properties":{"requireChangeReference":true}}`, [4]any{90, true, true, false}},
		{"PUT replaces the whole policy", "PUT",
			`{"properties":{"requirePolicyToken":true}}`, [4]any{0, false, false, true}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var got policyResource
			decode(t, e.call(t, st.method, path, q, st.body), 200, &got)
			pp := got.Properties
			if have := [4]any{pp.MaxPasswordLifetimeDays, pp.RequireExpiry, pp.RequireChangeReference, pp.RequirePolicyToken}; have != st.want {
				t.Errorf("got %v, want %v", have, st.want)
			}
			var again policyResource
			decode(t, e.call(t, "GET", strings.ToUpper(path), q, nil), 200, &again)
			if again.Properties != got.Properties {
				t.Errorf("GET after %s: got %+v, want %+v", st.method, again.Properties, got.Properties)
			}
		})
	}

	refusals := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"a negative lifetime", "PATCH", path, `{"properties":{"maxPasswordLifetimeDays":-1}}`, 400, "BadRequest", "maxPasswordLifetimeDays"},
		{"a lifetime of the wrong type", "PATCH", path, `{"properties":{"maxPasswordLifetimeDays":"90"}}`, 400, "InvalidRequestContent", "maxPasswordLifetimeDays"},
		{"another policy name", "GET", registryID("policies1") + "/credentialPolicies/strict", "", 404, "ResourceNotFound", "'default'"},
		{"a registry that does not exist", "GET", registryID("nosuchreg") + "/credentialPolicies/default", "", 404, "ResourceNotFound", "nosuchreg"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			wantError(t, e.call(t, tt.method, tt.path, q, body), tt.status, tt.code, tt.msg)
		})
	}
}

// policyEnv is a registry with a token "robot" behind an API whose clock
// the test moves.
type policyEnv struct {
	*env
	offset atomic.Int64 // added to the API's clock, in nanoseconds
}

func newPolicyEnv(t *testing.T) *policyEnv {
	t.Helper()
	pe := &policyEnv{}
	pe.env = newEnv(t, arm.Config{Now: func() time.Time { return time.Now().Add(time.Duration(pe.offset.Load())) }})
	pe.createRegistry(t, group, "policyflow1")
	pe.createToken(t, "policyflow1", "robot", registryID("policyflow1")+"/scopeMaps/_repositories_pull")
	return pe
}

func (pe *policyEnv) setPolicy(t *testing.T, body string) {
	t.Helper()
	decode(t, pe.call(t, "PUT", registryID("policyflow1")+"/credentialPolicies/default", "api-version="+apiVer, body), 200, nil)
}

// acquire asks for a policy token for an operation and returns the response.
func (pe *policyEnv) acquire(t *testing.T, method, path, content, changeRef string) *http.Response {
	t.Helper()
	ref := "null"
	if changeRef != "" {
		ref = `"` + changeRef + `"`
	}
	body := `{"operation":{"uri":"` + pe.srv.URL + path + "?api-version=" + apiVer + `","httpMethod":"` + method +
		`","content":` + content + `},"changeReference":` + ref + `}`
	return pe.call(t, "POST", acquirePath, "api-version=2025-03-01", body)
}

// token acquires a policy token that must be issued.
func (pe *policyEnv) token(t *testing.T, method, path, content, changeRef string) string {
	t.Helper()
	var got struct{ Token string }
	decode(t, pe.acquire(t, method, path, content, changeRef), 200, &got)
	return got.Token
}

// send runs an operation with a policy token and a change reference header
// ("" for none).
func (pe *policyEnv) send(t *testing.T, method, path, body, token, changeRef string) *http.Response {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + adminKey}
	if token != "" {
		h[arm.PolicyTokenHeader] = token
	}
	if changeRef != "" {
		h[arm.ChangeReferenceHeader] = changeRef
	}
	var b any
	if body != "" {
		b = body
	}
	return pe.do(t, method, path, "api-version="+apiVer, b, h)
}

func generateBody(days int) string {
	exp := time.Now().UTC().Add(time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)
	return `{"tokenId":"` + registryID("policyflow1") + `/tokens/robot","name":"password1","expiry":"` + exp + `"}`
}

func TestPolicyTokenFlow(t *testing.T) {
	pe := newPolicyEnv(t)
	pe.setPolicy(t, `{"properties":{"maxPasswordLifetimeDays":90}}`)
	gen := registryID("policyflow1") + "/generateCredentials"
	tokenPath := registryID("policyflow1") + "/tokens/robot"

	t.Run("acquirePolicyToken refuses a lifetime beyond the maximum, naming the policy", func(t *testing.T) {
		wantError(t, pe.acquire(t, "POST", gen, generateBody(400), "CHG-1"), 403, "RequestDisallowedByPolicy",
			"Password lifetime of 400 days exceeds the maximum of 90 days set by policy 'maxPasswordLifetimeDays' of registry 'policyflow1'")
	})
	t.Run("the operation itself is judged again without a policy token", func(t *testing.T) {
		wantError(t, pe.send(t, "POST", gen, generateBody(400), "", ""), 403, "RequestDisallowedByPolicy", "'maxPasswordLifetimeDays'")
	})
	t.Run("a policy token for the operation lets it run", func(t *testing.T) {
		body := generateBody(30)
		tok := pe.token(t, "POST", gen, body, "CHG-1")
		decode(t, pe.send(t, "POST", gen, body, tok, ""), 200, nil)
	})
	t.Run("operations that are not credential operations get a token without judgement", func(t *testing.T) {
		pe.token(t, "PATCH", registryID("policyflow1"), `{"sku":{"name":"Premium"}}`, "")
	})

	pe.setPolicy(t, `{"properties":{"maxPasswordLifetimeDays":90,"requirePolicyToken":true,"requireChangeReference":true}}`)
	refused := []struct {
		name, method, path, body string
		token                    func(t *testing.T) string
		changeRef                string
		status                   int
		code, msg                string
	}{
		{"no policy token", "POST", gen, generateBody(30), func(*testing.T) string { return "" }, "CHG-2",
			403, "RequestDisallowedByPolicy", "'requirePolicyToken'"},
		{"a forged policy token", "POST", gen, generateBody(30), func(*testing.T) string { return "v1.e30.AAAA" }, "",
			403, "InvalidPolicyToken", "not valid"},
		{"a policy token for another operation", "PATCH", tokenPath, `{"properties":{"status":"disabled"}}`,
			func(t *testing.T) string { return pe.token(t, "POST", gen, generateBody(30), "CHG-2") }, "",
			403, "InvalidPolicyToken", "another operation"},
		{"a policy token for another body", "POST", gen, generateBody(31),
			func(t *testing.T) string { return pe.token(t, "POST", gen, generateBody(29), "CHG-2") }, "",
			403, "InvalidPolicyToken", "another request body"},
		{"a change reference header that contradicts the policy token", "PATCH", tokenPath, `{"properties":{"status":"enabled"}}`,
			func(t *testing.T) string {
				return pe.token(t, "PATCH", tokenPath, `{"properties":{"status":"enabled"}}`, "CHG-2")
			}, "CHG-3", 400, "BadRequest", "differs"},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			wantError(t, pe.send(t, tt.method, tt.path, tt.body, tt.token(t), tt.changeRef), tt.status, tt.code, tt.msg)
		})
	}

	t.Run("acquirePolicyToken refuses an operation without the required change reference", func(t *testing.T) {
		wantError(t, pe.acquire(t, "DELETE", tokenPath, "null", ""), 403, "RequestDisallowedByPolicy", "'requireChangeReference'")
	})
	t.Run("an expired policy token is refused", func(t *testing.T) {
		body := `{"properties":{"status":"enabled"}}`
		tok := pe.token(t, "PATCH", tokenPath, body, "CHG-4")
		pe.offset.Store(int64(arm.PolicyTokenLifetime + time.Second))
		defer pe.offset.Store(0)
		wantError(t, pe.send(t, "PATCH", tokenPath, body, tok, ""), 403, "InvalidPolicyToken", "expired")
	})
	t.Run("a policy token and its change reference satisfy the strict policy", func(t *testing.T) {
		body := `{"properties":{"status":"enabled"}}`
		tok := pe.token(t, "PATCH", strings.ToUpper(tokenPath), body, "CHG-5")
		decode(t, pe.send(t, "PATCH", tokenPath, "{\n  \"properties\": {\"status\": \"enabled\"}\n}", tok, "CHG-5"), 200, nil)
	})
}
