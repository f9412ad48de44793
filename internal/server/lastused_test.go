package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/server"
)

// armJSON sends a request to the management API under registry A and
// decodes the JSON answer.
func (e *registryEnv) armJSON(method, path string) map[string]any {
	e.t.Helper()
	u := "https://" + loginServer(regA) + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + group +
		"/providers/Microsoft.ContainerRegistry/registries/" + regA + path + "?api-version=2023-07-01"
	req, _ := http.NewRequestWithContext(e.t.Context(), method, u, nil)
	req.Header.Set("Authorization", "Bearer "+e.srv.AdminKey)
	resp, err := (&http.Client{Transport: e.tr}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("%s %s: status %d, decode: %v", method, path, resp.StatusCode, err)
	}
	return v
}

// lastUsed returns, by slot, the lastUsedTime and lastUsedAddress of the
// passwords of a token as the management API shows them.
func lastUsed(e *registryEnv, token string) map[string][2]string {
	e.t.Helper()
	out := map[string][2]string{}
	props, _ := e.armJSON("GET", "/tokens/"+token)["properties"].(map[string]any)
	creds, _ := props["credentials"].(map[string]any)
	list, _ := creds["passwords"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		t, _ := m["lastUsedTime"].(string)
		a, _ := m["lastUsedAddress"].(string)
		out[m["name"].(string)] = [2]string{t, a}
	}
	return out
}

func TestLastUsePerPassword(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw1 := e.token(regA, "rotating", "repositories/app/content/read")
	pw2 := e.generate(regA, "rotating", access.Password2, nil)
	if got := lastUsed(e, "rotating"); got[access.Password1] != ([2]string{}) || got[access.Password2] != ([2]string{}) {
		t.Fatalf("new passwords show a use: %v", got)
	}

	e.accessToken(regA, "rotating", pw1, "repository:app:pull")
	loggedIn := e.clock.Now()
	e.clock.Advance(time.Hour)
	if code, _ := withBasic(e, "rotating", pw2); code != 200 {
		t.Fatalf("Basic with password2: status %d", code)
	}
	e.fetchToken(regA, "rotating", wrong(pw1), "repository:app:pull") // a failure is no use
	got := lastUsed(e, "rotating")
	for slot, want := range map[string]time.Time{access.Password1: loggedIn, access.Password2: loggedIn.Add(time.Hour)} {
		when, err := time.Parse(time.RFC3339Nano, got[slot][0])
		if err != nil || when.Sub(want).Abs() > time.Second || got[slot][1] != "127.0.0.1" {
			t.Errorf("%s: got use %q from %q, want about %v from 127.0.0.1", slot, got[slot][0], got[slot][1], want)
		}
	}

	e.generate(regA, "rotating", access.Password1, nil)
	if got := lastUsed(e, "rotating"); got[access.Password1] != ([2]string{}) || got[access.Password2][0] == "" {
		t.Errorf("after regenerating password1: got %v, want password1 unused and password2's use kept", got)
	}
}

func TestLastUseSurvivesARestart(t *testing.T) {
	cfg := testConfig(t)
	srv := open(t, cfg, io.Discard, noEnv)
	ctx := t.Context()
	if _, _, err := srv.Access.PutToken(ctx, cfg.Group, cfg.Registry, "restarted", "_repositories_pull", access.Enabled); err != nil {
		t.Fatal(err)
	}
	g, err := srv.Access.GenerateCredentials(ctx, cfg.Group, cfg.Registry, "restarted", access.Password1, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "/v2/", nil)
	req.Host, req.RemoteAddr = "localhost:5000", "192.0.2.44:4711"
	req.SetBasicAuth("restarted", g.Passwords[0].Value)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("GET /v2/ with Basic: status %d", rec.Code)
	}
	srv.Close() // flushes

	srv, err = server.Open(ctx, cfg, slog.New(slog.DiscardHandler), io.Discard, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tok, err := srv.Access.GetToken(ctx, cfg.Group, cfg.Registry, "restarted")
	if err != nil {
		t.Fatal(err)
	}
	if p := tok.Passwords[0]; p.LastUsed.IsZero() || p.LastUsedAddress != "192.0.2.44" {
		t.Errorf("after a restart: last use %v from %q, want one from 192.0.2.44", p.LastUsed, p.LastUsedAddress)
	}
}
