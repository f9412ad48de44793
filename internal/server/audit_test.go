package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/server"
)

// auditEntries lists the audit log of a registry through the management API.
func (e *registryEnv) auditEntries(registry, query string) []map[string]string {
	e.t.Helper()
	u := "https://" + loginServer(registry) + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + group +
		"/providers/Microsoft.ContainerRegistry/registries/" + registry + "/auditLogs?api-version=2023-07-01" + query
	req, _ := http.NewRequestWithContext(e.t.Context(), "GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+e.srv.AdminKey)
	resp, err := (&http.Client{Transport: e.tr}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var page struct{ Value []map[string]any }
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("audit log: status %d, %s", resp.StatusCode, body)
	}
	out := make([]map[string]string, len(page.Value))
	for i, v := range page.Value {
		out[i] = map[string]string{}
		for k, x := range v {
			out[i][k] = fmt.Sprint(x)
		}
	}
	return out
}

func TestAuditLogOfDataPlaneDecisions(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "auditee", "repositories/app/content/read")

	bearer := e.accessToken(regA, "auditee", pw, "repository:app:pull", "repository:lib:push")
	resp := e.raw("GET", loginServer(regA), "/v2/app/manifests/v1", http.Header{"Authorization": {"Bearer " + bearer}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET a manifest with an access token: got %d, want 200", resp.StatusCode)
	}
	e.fetchToken(regA, "auditee", wrong(pw), "repository:app:pull")
	withBasic(e, "auditee", pw)
	withBasic(e, "nobody", pw)

	got := e.auditEntries(regA, "&token=auditee")
	ops := []string{}
	for _, v := range got {
		ops = append(ops, v["operation"]+" "+v["result"])
	}
	want := []string{"registry/login success", "token/login failure", "token/login success"}
	if strings.Join(ops, ", ") != strings.Join(want, ", ") {
		t.Fatalf("got %v, want %v (newest first; the request with a valid access token is not recorded)", ops, want)
	}
	basic, failed, login := got[0], got[1], got[2]
	if login["repository"] != "app,lib" || login["action"] != "pull,push" || login["password"] != "password1" ||
		login["actor"] != "auditee" || login["clientAddress"] != "127.0.0.1" || login["target"] != "repository:app:pull repository:lib:push" {
		t.Errorf("login: %v", login)
	}
	if !strings.Contains(failed["reason"], "bad_credentials") || !strings.Contains(failed["reason"], "not a well-formed openacr password") ||
		failed["password"] != "" {
		t.Errorf("refused login: %v, want the real reason", failed)
	}
	if basic["repository"] != "app" || basic["action"] != "pull" || basic["password"] != "password1" {
		t.Errorf("Basic on /v2/: %v", basic)
	}
	unknown := e.auditEntries(regA, "&token=nobody&result=failure")
	if len(unknown) != 1 || !strings.Contains(unknown[0]["reason"], "no token") {
		t.Errorf("unknown token: %v", unknown)
	}

	raw, _ := json.Marshal(e.auditEntries(regA, ""))
	for _, secret := range []string{pw, wrong(pw), bearer, e.srv.AdminKey} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds a secret")
		}
	}
	db, _ := os.ReadFile(filepath.Join(e.data, server.DatabaseFile))
	wal, _ := os.ReadFile(filepath.Join(e.data, server.DatabaseFile+"-wal"))
	for _, secret := range []string{pw, wrong(pw), bearer} {
		if strings.Contains(string(db)+string(wal), secret) {
			t.Errorf("the database holds a secret")
		}
	}
}

// TestAuditLogOfScopeRefusals: a good credential that asks for more than
// its scope map allows is refused with insufficient_scope, and the refusal
// is in the audit log with the repository, the action and the real reason,
// whether the credential was an access token or HTTP Basic.
func TestAuditLogOfScopeRefusals(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app", "other")
	pw := e.token(regA, "reader", "repositories/app/content/read")
	at := e.accessToken(regA, "reader", pw, "repository:app:pull,push") // granted pull only

	push := e.raw("POST", loginServer(regA), "/v2/app/blobs/uploads/", bearer(at))
	push.Body.Close()
	pull := e.raw("GET", loginServer(regA), "/v2/other/manifests/v1", basic("reader", pw))
	pull.Body.Close()
	for what, resp := range map[string]*http.Response{"push with a pull-only access token": push, "pull outside the scope map": pull} {
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "insufficient_scope") {
			t.Errorf("%s: got %d %q, want 401 insufficient_scope", what, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}

	got := e.auditEntries(regA, "&token=reader&result=failure")
	if len(got) != 2 {
		t.Fatalf("got %d refusals, want 2: %v", len(got), got)
	}
	tests := []struct {
		name  string
		entry map[string]string
		want  map[string]string
		why   []string // in the reason
	}{
		{"pull outside the scope map, with Basic", got[0],
			map[string]string{"operation": "registry/access", "repository": "other", "action": "pull", "password": "password1",
				"actor": "reader", "clientAddress": "127.0.0.1", "target": "repository:other:pull"},
			[]string{"insufficient_scope", "GET /v2/other/manifests/v1", `needs content/read on repository "other"`}},
		{"push with a pull-only access token", got[1],
			map[string]string{"operation": "registry/access", "repository": "app", "action": "pull,push", "password": "",
				"actor": "reader", "clientAddress": "127.0.0.1", "target": "repository:app:pull,push"},
			[]string{"insufficient_scope", "POST /v2/app/blobs/uploads/", `needs content/write on repository "app"`, `allows "content/read"`, "(access token "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, want := range tt.want {
				if tt.entry[k] != want {
					t.Errorf("%s: got %q, want %q", k, tt.entry[k], want)
				}
			}
			for _, w := range tt.why {
				if !strings.Contains(tt.entry["reason"], w) {
					t.Errorf("reason %q does not say %q", tt.entry["reason"], w)
				}
			}
			if strings.Contains(tt.entry["reason"], pw) || strings.Contains(tt.entry["reason"], at) {
				t.Error("the reason holds a secret")
			}
		})
	}
}

// TestAuditLogTalliesRepeatedLogins: repeated successful logins of one
// credential share an entry, whose count says how many it stands for;
// refusals never do.
func TestAuditLogTalliesRepeatedLogins(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "busy-robot", "repositories/app/content/read")
	for range 20 {
		e.accessToken(regA, "busy-robot", pw, "repository:app:pull")
	}
	for range 3 {
		e.fetchToken(regA, "busy-robot", wrong(pw), "repository:app:pull")
	}
	logins, rows, refusals := 0, 0, 0
	for _, v := range e.auditEntries(regA, "&token=busy-robot") {
		n, err := strconv.Atoi(v["count"])
		if err != nil || n < 1 {
			t.Fatalf("count %q: want a number from 1", v["count"])
		}
		switch v["result"] {
		case "success":
			logins, rows = logins+n, rows+1
		case "failure":
			if n != 1 {
				t.Errorf("a refusal with count %d, want 1", n)
			}
			refusals++
		}
	}
	if logins != 20 || refusals != 3 {
		t.Errorf("got %d logins and %d refusals, want 20 and 3", logins, refusals)
	}
	if rows == logins { // only if every login came a second after the one before
		t.Errorf("got an entry per login (%d): repeats are not tallied", rows)
	}
}

func TestAuditRetentionSetting(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"0", 0, true},
		{"-1d", 0, false},
		{"ninety", 0, false},
		{"9999999999d", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d server.Duration
			err := d.Set(tt.in)
			if (err == nil) != tt.ok || (tt.ok && time.Duration(d) != tt.want) {
				t.Errorf("Set(%q): got %v, %v; want %v, ok=%v", tt.in, time.Duration(d), err, tt.want, tt.ok)
			}
		})
	}
	if s := server.Duration(90 * 24 * time.Hour).String(); s != "90d" {
		t.Errorf("String: got %q, want 90d", s)
	}
	cfg := server.Defaults()
	if time.Duration(cfg.AuditRetention) != server.DefaultAuditRetention {
		t.Errorf("default retention %v", cfg.AuditRetention)
	}
	f := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(f, []byte("auditRetention: 30d\n"), 0o600)
	if err := cfg.LoadFile(f); err != nil || time.Duration(cfg.AuditRetention) != 30*24*time.Hour {
		t.Errorf("from YAML: %v, %v", cfg.AuditRetention, err)
	}
	cfg.AuditRetention = server.Duration(-time.Hour)
	if err := cfg.Validate(); err == nil {
		t.Error("a negative retention is accepted")
	}
}
