package authserver_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/authserver"
	"github.com/openacr/openacr/internal/signing"
	"github.com/openacr/openacr/internal/store"
)

const group = "group"

// env is the token endpoint as the server wires it: the Service over the
// token Cache over SQLite in a temporary directory, and ES256 keys from the
// same store, with token "MyToken" on scope map "app-reader" (read on app).
type env struct {
	svc      *access.Service
	srv      *authserver.Server
	keys     *signing.Keys
	password string // password1 of MyToken
}

func newEnv(tb testing.TB, cfg authserver.Config) *env {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "openacr.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cache := access.NewCache(st)
	svc, err := access.New(cache, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := svc.PutRegistry(ctx, group, "myregistry", "local", access.Premium); err != nil {
		tb.Fatal(err)
	}
	actions := []string{"repositories/app/content/read", "repositories/app/metadata/read", "repositories/lib/content/read"}
	if _, _, err := svc.PutScopeMap(ctx, group, "myregistry", "app-reader", nil, actions); err != nil {
		tb.Fatal(err)
	}
	if _, _, err := svc.PutToken(ctx, group, "myregistry", "MyToken", "app-reader", access.Enabled); err != nil {
		tb.Fatal(err)
	}
	g, err := svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", access.Password1, nil)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := signing.Open(ctx, st, make([]byte, 32))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Resolve = func(context.Context, string, string) (string, string, bool) {
		return "myregistry", "localhost:5000", true
	}
	srv := authserver.New(svc, cache, keys, cfg, slog.New(slog.DiscardHandler))
	return &env{svc: svc, srv: srv, keys: keys, password: g.Passwords[0].Value}
}

// token requests an access token for scope with Basic user:password and
// returns the status and the access token.
func (e *env) token(tb testing.TB, user, password, scope string) (int, string) {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, "/oauth2/token?service=localhost:5000&scope="+scope, nil)
	r.SetBasicAuth(user, password)
	w := httptest.NewRecorder()
	e.srv.Token(w, r)
	var body struct {
		Token string `json:"token"`
	}
	json.Unmarshal(w.Body.Bytes(), &body)
	return w.Code, body.Token
}
