package access_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/store"
)

// clock is a settable Service.Now, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// start is the clock's first reading; it has nanoseconds on purpose.
var start = time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)

// env is a Service over a real SQLite store in a temporary directory.
type env struct {
	svc   *access.Service
	st    *store.Store
	path  string // of the database file
	clock *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openacr.db")
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := access.New(st, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		t.Fatalf("access.New: %v", err)
	}
	c := &clock{now: start}
	svc.Now = c.Now
	return &env{svc: svc, st: st, path: path, clock: c}
}

const group = "my-group"

// registry creates a Basic registry with a user scope map "reader" and a
// token "MyToken" using it.
func (e *env) registry(t *testing.T, name string) {
	t.Helper()
	ctx := t.Context()
	if _, _, err := e.svc.PutRegistry(ctx, group, name, "westeurope", access.Basic); err != nil {
		t.Fatalf("PutRegistry(%q): %v", name, err)
	}
	if _, _, err := e.svc.PutScopeMap(ctx, group, name, "reader", nil, []string{"repositories/app/content/read"}); err != nil {
		t.Fatalf("PutScopeMap: %v", err)
	}
	e.token(t, name, "MyToken", "reader")
}

func (e *env) token(t *testing.T, registry, name, scopeMap string) access.Token {
	t.Helper()
	tok, _, err := e.svc.PutToken(t.Context(), group, registry, name, scopeMap, access.Enabled)
	if err != nil {
		t.Fatalf("PutToken(%q, %q): %v", registry, name, err)
	}
	return tok
}

// generate regenerates slot ("" for both) and returns the new values by slot.
func (e *env) generate(t *testing.T, registry, token, slot string, expiry *time.Time) map[string]string {
	t.Helper()
	g, err := e.svc.GenerateCredentials(t.Context(), group, registry, token, slot, expiry)
	if err != nil {
		t.Fatalf("GenerateCredentials(%q, %q, %q): %v", registry, token, slot, err)
	}
	return values(g)
}

func (e *env) getToken(t *testing.T, registry, name string) access.Token {
	t.Helper()
	tok, err := e.svc.GetToken(t.Context(), group, registry, name)
	if err != nil {
		t.Fatalf("GetToken(%q, %q): %v", registry, name, err)
	}
	return tok
}

func values(g access.Generated) map[string]string {
	vs := map[string]string{}
	for _, p := range g.Passwords {
		if p.Value != "" {
			vs[p.Name] = p.Value
		}
	}
	return vs
}

// wantKind fails unless err wraps kind and, when msg is not "", its
// message contains msg. kind nil wants no error.
func wantKind(t *testing.T, err, kind error, msg string) {
	t.Helper()
	switch {
	case kind == nil && err != nil:
		t.Fatalf("got error %q, want none", err)
	case kind != nil && !errors.Is(err, kind):
		t.Fatalf("got error %v, want one wrapping %q", err, kind)
	case kind != nil && !strings.Contains(err.Error(), msg):
		t.Fatalf("got message %q, want it to contain %q", err, msg)
	}
}

func ptr[T any](v T) *T { return &v }
