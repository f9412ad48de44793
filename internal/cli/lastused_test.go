package cli_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
	"github.com/openacr/openacr/internal/store"
)

// usageServer is a management API whose Service reports the last use of
// passwords, and a client of it with registry "myregistry".
func usageServer(t *testing.T) (*access.Service, *client) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "openacr.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := access.New(st, bytes.Repeat([]byte("k"), 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.Usage = access.NewUsage(st, nil)
	api := arm.New(svc, arm.Config{AdminKey: adminKey}, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := newClient(t, &testServer{url: srv.URL})
	c.ok("create", "-n", "myregistry", "-g", "MyGroup", "--sku", "Basic")
	return svc, c
}

// use records a use of a password of a token, as the data plane would.
func use(t *testing.T, svc *access.Service, token, slot string, at time.Time, addr string) {
	t.Helper()
	tok, err := svc.GetToken(t.Context(), "MyGroup", "myregistry", token)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tok.Password(slot)
	svc.Usage.Record(access.PasswordUse{Registry: "myregistry", Token: token, Password: slot,
		PasswordCreated: p.Created, Time: at, Address: addr})
}

// passwordsByName returns the passwords of a token in az's JSON form, by name.
func passwordsByName(t *testing.T, tok any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	creds, _ := obj(t, tok)["credentials"].(map[string]any)
	list, _ := creds["passwords"].([]any)
	for _, p := range list {
		m := obj(t, p)
		out[m["name"].(string)] = m
	}
	return out
}

func TestTokenShowAndListReportTheLastUseOfEachPassword(t *testing.T) {
	svc, c := usageServer(t)
	c.ok("token", "create", "-n", "used-token", "-r", "myregistry", "--scope-map", "_repositories_pull")
	at := time.Date(2025, 3, 19, 20, 6, 23, 379166000, time.UTC)
	use(t, svc, "used-token", access.Password1, at, "192.0.2.7")

	show := passwordsByName(t, c.json("token", "show", "-n", "used-token", "-r", "myregistry"))
	listed := c.json("token", "list", "-r", "myregistry").([]any)
	if len(listed) != 1 {
		t.Fatalf("token list: got %d tokens, want 1", len(listed))
	}
	for what, ps := range map[string]map[string]map[string]any{"show": show, "list": passwordsByName(t, listed[0])} {
		p1, p2 := ps[access.Password1], ps[access.Password2]
		if p1["lastUsedTime"] != "2025-03-19T20:06:23.379166+00:00" || p1["lastUsedAddress"] != "192.0.2.7" {
			t.Errorf("%s: password1 last used %v from %v, want 2025-03-19T20:06:23.379166+00:00 from 192.0.2.7", what, p1["lastUsedTime"], p1["lastUsedAddress"])
		}
		if v, ok := p2["lastUsedTime"]; !ok || v != nil || p2["lastUsedAddress"] != nil {
			t.Errorf("%s: password2, never used, shows %v from %v, want null for both", what, p2["lastUsedTime"], p2["lastUsedAddress"])
		}
	}
	table := c.ok("token", "list", "-r", "myregistry", "-o", "table").stdout
	if header := strings.SplitN(table, "\n", 2)[0]; !regexp.MustCompile(`^NAME +SCOPE MAP +PASSWORD1 EXPIRY +PASSWORD2 EXPIRY +STATUS +PROVISIONING STATE +CREATION DATE$`).MatchString(header) {
		t.Errorf("table header %q is not az's", header)
	}
}

func TestTokenListExpiringWithin(t *testing.T) {
	_, c := usageServer(t)
	c.ok("token", "create", "-n", "soon-token", "-r", "myregistry", "--scope-map", "_repositories_pull", "--no-passwords")
	c.ok("token", "credential", "generate", "-n", "soon-token", "-r", "myregistry", "--password2", "--expiration-in-days", "3")
	c.ok("token", "create", "-n", "never-token", "-r", "myregistry", "--scope-map", "_repositories_pull")
	c.ok("token", "create", "-n", "later-token", "-r", "myregistry", "--scope-map", "_repositories_pull", "--no-passwords")
	c.ok("token", "credential", "generate", "-n", "later-token", "-r", "myregistry", "--password1", "--expiration-in-days", "30")

	tests := []struct {
		within string
		want   []string
	}{
		{"7d", []string{"soon-token"}},
		{"1d", nil},
		{"72h1m", []string{"soon-token"}},
		{"31d", []string{"later-token", "soon-token"}},
		{"0d", nil},
	}
	for _, tt := range tests {
		t.Run(tt.within, func(t *testing.T) {
			var got []string
			for _, v := range c.json("token", "list", "-r", "myregistry", "--expiring-within", tt.within).([]any) {
				got = append(got, obj(t, v)["name"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("--expiring-within %s: got %q, want %q", tt.within, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"7", "soon", "-1d", "7w"} {
		c.fails(2, "argument --expiring-within: invalid value: '"+bad+"' (want a number of days such as 7d, or a duration such as 36h)",
			"token", "list", "-r", "myregistry", "--expiring-within", bad)
	}
}
