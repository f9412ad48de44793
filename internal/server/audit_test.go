package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	var page struct{ Value []map[string]string }
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("audit log: status %d, %s", resp.StatusCode, body)
	}
	return page.Value
}

func TestAuditLogOfDataPlaneDecisions(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "auditee", "repositories/app/content/read")

	bearer := e.accessToken(regA, "auditee", pw, "repository:app:pull", "repository:lib:push")
	resp := e.raw("GET", loginServer(regA), "/v2/app/tags/list", http.Header{"Authorization": {"Bearer " + bearer}})
	resp.Body.Close()
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
