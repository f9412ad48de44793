package arm_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
	"github.com/openacr/openacr/internal/store"
)

// newAuditedEnv is an env whose API records into a running audit log (in
// a database of its own).
func newAuditedEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	l := access.NewAuditLog(st, 0, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; st.Close() })
	return newEnv(t, arm.Config{Audit: l})
}

type auditPage struct {
	Value []struct {
		Time, Registry, Actor, Operation, Target, Token, Password, Repository, Action string
		ChangeReference, Result, Reason, ClientAddress                                string
	}
	NextLink string
}

// audit lists a registry's audit log with the given query.
func (e *env) audit(t *testing.T, registry, query string) (auditPage, string) {
	t.Helper()
	var p auditPage
	raw := decode(t, e.call(t, "GET", registryID(registry)+"/auditLogs", "api-version="+apiVer+query, nil), 200, &p)
	return p, string(raw)
}

func TestAuditLogOfManagementChanges(t *testing.T) {
	e := newAuditedEnv(t)
	e.createRegistry(t, group, "audited1")
	e.createToken(t, "audited1", "robot", registryID("audited1")+"/scopeMaps/_repositories_pull")
	decode(t, e.call(t, "GET", registryID("audited1")+"/tokens/robot", "api-version="+apiVer, nil), 200, nil)
	gen := decode(t, e.do(t, "POST", registryID("audited1")+"/generateCredentials", "api-version="+apiVer,
		`{"tokenId":"`+registryID("audited1")+`/tokens/robot","name":"password2"}`,
		map[string]string{"Authorization": "Bearer " + adminKey, arm.ChangeReferenceHeader: "CHG-9"}), 200, nil)
	e.setPolicyOf(t, "audited1", `{"properties":{"requireChangeReference":true}}`)
	wantError(t, e.call(t, "DELETE", registryID("audited1")+"/tokens/robot", "api-version="+apiVer, nil), 403, "RequestDisallowedByPolicy")
	e.do(t, "DELETE", registryID("audited1")+"/tokens/robot", "api-version="+apiVer, nil, map[string]string{"Authorization": "Bearer guessed-key-0123456789"})

	page, raw := e.audit(t, "audited1", "")
	got := map[string]int{}
	for _, v := range page.Value {
		got[v.Operation+" "+v.Result]++
		if v.Time == "" || v.Target == "" {
			t.Errorf("entry without time or target: %+v", v)
		}
	}
	want := map[string]int{
		"Microsoft.ContainerRegistry/registries/write success":                      1,
		"Microsoft.ContainerRegistry/registries/tokens/write success":               1,
		"Microsoft.ContainerRegistry/registries/generateCredentials/action success": 1,
		"Microsoft.ContainerRegistry/registries/credentialPolicies/write success":   1,
		"Microsoft.ContainerRegistry/registries/tokens/delete failure":              2,
	}
	if len(got) != len(want) {
		t.Errorf("got operations %v, want %v (reads are not recorded)", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: got %d entries, want %d", k, got[k], n)
		}
	}
	first, refused, unauth, generated := page.Value[len(page.Value)-1], page.Value[1], page.Value[0], page.Value[3]
	if first.Operation != "Microsoft.ContainerRegistry/registries/write" || first.Actor != "admin" || first.ClientAddress != "127.0.0.1" {
		t.Errorf("oldest entry: %+v, want the registry's creation by admin from 127.0.0.1", first)
	}
	if generated.Token != "robot" || generated.Password != "password2" || generated.ChangeReference != "CHG-9" ||
		!strings.HasSuffix(generated.Target, "/registries/audited1/tokens/robot") {
		t.Errorf("generateCredentials entry: %+v", generated)
	}
	if refused.Result != "failure" || !strings.Contains(refused.Reason, "'requireChangeReference'") || refused.Token != "robot" {
		t.Errorf("refused delete: %+v, want the policy as reason", refused)
	}
	if unauth.Actor != "unauthenticated" || !strings.Contains(unauth.Reason, "wrong admin key") || unauth.Registry != "audited1" {
		t.Errorf("refused admin key: %+v", unauth)
	}
	var value struct{ Passwords []struct{ Value string } }
	json.Unmarshal(gen, &value)
	if len(value.Passwords) == 0 || value.Passwords[len(value.Passwords)-1].Value == "" {
		t.Fatalf("no password generated: %s", gen)
	}
	for _, secret := range []string{value.Passwords[len(value.Passwords)-1].Value, adminKey, "guessed-key-0123456789"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the audit log contains the secret %q", secret)
		}
	}
}

func TestAuditLogOfPolicyTokens(t *testing.T) {
	e := newAuditedEnv(t)
	e.createRegistry(t, group, "audited2")
	e.createToken(t, "audited2", "robot", registryID("audited2")+"/scopeMaps/_repositories_pull")
	e.setPolicyOf(t, "audited2", `{"properties":{"maxPasswordLifetimeDays":1}}`)
	body := `{"operation":{"uri":"` + e.srv.URL + registryID("audited2") + `/generateCredentials?api-version=` + apiVer +
		`","httpMethod":"POST","content":{"tokenId":"` + registryID("audited2") + `/tokens/robot"}},"changeReference":"CHG-5"}`
	wantError(t, e.call(t, "POST", acquirePath, "api-version=2025-03-01", body), 403, "RequestDisallowedByPolicy")
	other := `{"operation":{"uri":"` + e.srv.URL + registryID("audited2") + `?api-version=` + apiVer +
		`","httpMethod":"PATCH","content":{}},"changeReference":"CHG-6"}`
	decode(t, e.call(t, "POST", acquirePath, "api-version=2025-03-01", other), 200, nil)

	page, _ := e.audit(t, "audited2", "&result=success")
	if v := page.Value[0]; v.Operation != "Microsoft.Authorization/acquirePolicyToken/action" || v.ChangeReference != "CHG-6" ||
		v.Target != "PATCH "+registryID("audited2") {
		t.Errorf("policy token for a registry update: got %+v", v)
	}
	page, _ = e.audit(t, "audited2", "&result=failure")
	if len(page.Value) != 1 {
		t.Fatalf("got %+v, want the refused acquirePolicyToken", page.Value)
	}
	v := page.Value[0]
	if v.Operation != "Microsoft.Authorization/acquirePolicyToken/action" || v.ChangeReference != "CHG-5" || v.Token != "robot" ||
		!strings.HasPrefix(v.Target, "POST /subscriptions/") || !strings.Contains(v.Reason, "'maxPasswordLifetimeDays'") {
		t.Errorf("got %+v", v)
	}
}

func TestAuditLogQueries(t *testing.T) {
	e := newAuditedEnv(t)
	e.createRegistry(t, group, "audited3")
	for _, name := range []string{"robot-1", "robot-2", "robot-1", "robot-3", "robot-1"} {
		e.call(t, "PUT", registryID("audited3")+"/tokens/"+name, "api-version="+apiVer,
			`{"properties":{"scopeMapId":"`+registryID("audited3")+`/scopeMaps/_repositories_pull"}}`)
	}
	e.call(t, "PUT", registryID("audited3")+"/tokens/robot-1", "api-version="+apiVer, `{"properties":{}}`)

	t.Run("filters", func(t *testing.T) {
		page, _ := e.audit(t, "audited3", "&token=ROBOT-1&result=success")
		if len(page.Value) != 3 {
			t.Errorf("got %d entries, want the three successful writes of robot-1", len(page.Value))
		}
		page, _ = e.audit(t, "audited3", "&since=2999-01-01T00:00:00Z")
		if len(page.Value) != 0 {
			t.Errorf("entries from the future: %+v", page.Value)
		}
	})
	t.Run("pages keep the filters and end", func(t *testing.T) {
		var tokens []string
		page, _ := e.audit(t, "audited3", "&token=robot-1&$top=2")
		for i := 0; ; i++ {
			for _, v := range page.Value {
				tokens = append(tokens, v.Token+"/"+v.Result)
			}
			if page.NextLink == "" || i > 5 {
				break
			}
			u, err := url.Parse(page.NextLink)
			if err != nil || u.Query().Get("token") != "robot-1" || u.Query().Get("$top") != "2" {
				t.Fatalf("nextLink %q does not keep the filters", page.NextLink)
			}
			resp := e.call(t, "GET", u.Path, u.RawQuery, nil)
			b, _ := io.ReadAll(resp.Body)
			page = auditPage{}
			json.Unmarshal(b, &page)
		}
		if strings.Join(tokens, " ") != "robot-1/failure robot-1/success robot-1/success robot-1/success" {
			t.Errorf("got %v", tokens)
		}
	})
	refusals := []struct{ name, query, msg string }{
		{"a result that is not one", "&result=maybe", "'result'"},
		{"a time that is not one", "&since=yesterday", "'since'"},
		{"a page too large", "&$top=100000", "'$top'"},
		{"a forged skip token", "&$skipToken=bm9wZQ", "$skipToken"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call(t, "GET", registryID("audited3")+"/auditLogs", "api-version="+apiVer+tt.query, nil), 400, "BadRequest", tt.msg)
		})
	}
}

func (e *env) setPolicyOf(t *testing.T, registry, body string) {
	t.Helper()
	decode(t, e.call(t, "PUT", registryID(registry)+"/credentialPolicies/default", "api-version="+apiVer, body), 200, nil)
}
