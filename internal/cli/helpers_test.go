package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
	"github.com/openacr/openacr/internal/cli"
	"github.com/openacr/openacr/internal/store"
)

const adminKey = "cli-test-admin-key-0123456789"

// recorded is one request the management API received.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// testServer is a real management API (SQLite store, access service, ARM
// handler) behind httptest, with a recorder in front of it.
type testServer struct {
	url string
	mu  sync.Mutex
	log []recorded
}

func newServer(t *testing.T) *testServer {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "openacr.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := access.New(st, bytes.Repeat([]byte("k"), 32), nil)
	if err != nil {
		t.Fatalf("new access service: %v", err)
	}
	audit := access.NewAuditLog(st, 0, 0, nil)
	ctx, stopAudit := context.WithCancel(context.Background())
	auditDone := make(chan struct{})
	go func() { audit.Run(ctx); close(auditDone) }()
	t.Cleanup(func() { stopAudit(); <-auditDone })
	api := arm.New(svc, arm.Config{
		AdminKey:    adminKey,
		LoginServer: func(r string) string { return r + ".registry.test" },
		Audit:       audit,
	}, slog.New(slog.DiscardHandler))
	s := &testServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.log = append(s.log, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// requests returns the requests received so far and forgets them.
func (s *testServer) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

// client runs the CLI against a server, with its own configuration
// directory.
type client struct {
	t        *testing.T
	env      map[string]string
	stdin    string
	terminal bool
	now      func() time.Time
}

func newClient(t *testing.T, s *testServer) *client {
	t.Helper()
	env := map[string]string{
		"OPENACR_CONFIG_DIR": t.TempDir(),
		"OPENACR_DATA":       t.TempDir(),
		"HOME":               t.TempDir(),
	}
	if s != nil {
		env["OPENACR_SERVER"] = s.url
		env["OPENACR_ADMIN_KEY"] = adminKey
	}
	return &client{t: t, env: env}
}

// result is one run of the CLI.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (c *client) run(args ...string) result {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	env := &cli.Env{
		Stdin:      strings.NewReader(c.stdin),
		Stdout:     &stdout,
		Stderr:     &stderr,
		Getenv:     func(k string) string { return c.env[k] },
		IsTerminal: func() bool { return c.terminal },
		Now:        c.now,
	}
	code := cli.Main(c.t.Context(), args, env)
	return result{args: args, stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// ok runs the CLI and fails the test unless it succeeds.
func (c *client) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("openacr %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// json runs the CLI, which must succeed, and decodes its JSON output.
func (c *client) json(args ...string) any {
	c.t.Helper()
	r := c.ok(args...)
	var v any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		c.t.Fatalf("openacr %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
	return v
}

// fails runs the CLI and checks that it fails with code and the stderr
// line `ERROR: <msg>`.
func (c *client) fails(code int, msg string, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Errorf("openacr %s: got exit %d, want %d; stderr:\n%s", strings.Join(args, " "), r.code, code, r.stderr)
	}
	if want := "ERROR: " + msg + "\n"; !strings.Contains(r.stderr, want) {
		c.t.Errorf("openacr %s: stderr\n%s\nwant it to contain\n%s", strings.Join(args, " "), r.stderr, want)
	}
	return r
}

// obj returns v as a JSON object.
func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("got %T (%v), want a JSON object", v, v)
	}
	return m
}

// setup starts a server with registry "myregistry" in group "MyGroup".
func setup(t *testing.T) (*testServer, *client) {
	t.Helper()
	s := newServer(t)
	c := newClient(t, s)
	c.ok("create", "-n", "myregistry", "-g", "MyGroup", "--sku", "Basic")
	s.requests()
	return s, c
}
