package server_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/server"
)

// The data-plane tests run the whole server behind a TLS httptest server and
// drive it with go-containerregistry, a client none of us wrote. Registries
// get login servers under the domain registry.test; the test transport
// dials the one test server whatever the host, as DNS would.
const (
	domain = "registry.test"
	group  = "testgroup"
	regA   = "myregistry"
)

func loginServer(registry string) string { return registry + "." + domain }

// registryEnv is one running server.
type registryEnv struct {
	t     *testing.T
	srv   *server.Server
	ts    *httptest.Server
	tr    *http.Transport
	data  string
	clock *clock
	logs  *syncBuffer
}

// syncBuffer is the server's log, safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clock is a settable clock shared by the service and the data plane.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// newRegistryEnv starts a server; opts adjust its configuration.
func newRegistryEnv(t *testing.T, opts ...func(*server.Config)) *registryEnv {
	t.Helper()
	cfg := server.Defaults()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.Addr = "127.0.0.1:0"
	cfg.Domain = domain
	cfg.Registry, cfg.Group = regA, group
	for _, o := range opts {
		o(&cfg)
	}
	logs := &syncBuffer{}
	srv, err := server.Open(t.Context(), cfg, cfg.Logger(logs), io.Discard, noEnv)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	c := &clock{}
	srv.Access.Now = c.Now
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	addr := ts.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the test server's certificate
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &registryEnv{t: t, srv: srv, ts: ts, tr: tr, data: cfg.Data, clock: c, logs: logs}
}

// token creates a scope map with actions and a token using it, and returns
// the token's password1.
func (e *registryEnv) token(registry, name string, actions ...string) string {
	e.t.Helper()
	ctx := e.t.Context()
	if _, _, err := e.srv.Access.PutScopeMap(ctx, group, registry, name+"-map", nil, actions); err != nil {
		e.t.Fatalf("PutScopeMap: %v", err)
	}
	if _, _, err := e.srv.Access.PutToken(ctx, group, registry, name, name+"-map", access.Enabled); err != nil {
		e.t.Fatalf("PutToken: %v", err)
	}
	return e.generate(registry, name, access.Password1, nil)
}

// generate generates one password of a token and returns its value.
func (e *registryEnv) generate(registry, token, slot string, expiry *time.Time) string {
	e.t.Helper()
	g, err := e.srv.Access.GenerateCredentials(e.t.Context(), group, registry, token, slot, expiry)
	if err != nil {
		e.t.Fatalf("GenerateCredentials: %v", err)
	}
	for _, p := range g.Passwords {
		if p.Name == slot {
			return p.Value
		}
	}
	e.t.Fatalf("GenerateCredentials returned no %s", slot)
	return ""
}

// client is a go-containerregistry client of one registry with one token:
// it keeps its access tokens across calls, as a real client does.
type client struct {
	e        *registryEnv
	registry string
	opts     []remote.Option
}

func (e *registryEnv) client(registry, user, password string) *client {
	e.t.Helper()
	opts := []remote.Option{remote.WithTransport(e.tr), remote.WithContext(e.t.Context()),
		remote.WithAuth(&authn.Basic{Username: user, Password: password})}
	p, err := remote.NewPuller(opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{e: e, registry: registry, opts: append(opts, remote.Reuse(p))}
}

func (c *client) ref(repo string) string { return loginServer(c.registry) + "/" + repo }

func (c *client) push(repo, tag string) (v1.Image, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		c.e.t.Fatal(err)
	}
	ref, err := name.NewTag(c.ref(repo) + ":" + tag)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return img, remote.Write(ref, img, c.opts...)
}

// pull fetches the manifest and the config blob of repo:tag.
func (c *client) pull(repo, tag string) error {
	ref, err := name.NewTag(c.ref(repo) + ":" + tag)
	if err != nil {
		c.e.t.Fatal(err)
	}
	img, err := remote.Image(ref, c.opts...)
	if err != nil {
		return err
	}
	_, err = img.RawConfigFile()
	return err
}

func (c *client) list(repo string) ([]string, error) {
	r, err := name.NewRepository(c.ref(repo))
	if err != nil {
		c.e.t.Fatal(err)
	}
	return remote.List(r, c.opts...)
}

func (c *client) delete(repo string, img v1.Image) error {
	d, err := img.Digest()
	if err != nil {
		c.e.t.Fatal(err)
	}
	ref, err := name.NewDigest(c.ref(repo) + "@" + d.String())
	if err != nil {
		c.e.t.Fatal(err)
	}
	return remote.Delete(ref, c.opts...)
}

func (c *client) catalog() ([]string, error) {
	reg, err := name.NewRegistry(loginServer(c.registry))
	if err != nil {
		c.e.t.Fatal(err)
	}
	return remote.Catalog(c.e.t.Context(), reg, c.opts...)
}

// refused reports whether err is the registry saying 401.
func refused(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized
}

// wantRefused fails unless err is a 401 whose message contains msg.
func wantRefused(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if !refused(err) {
		t.Fatalf("%s: error %v, want 401", what, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: error %q, want it to say %q", what, err, msg)
	}
}

func wantOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// raw sends one request to the test server with the given Host.
func (e *registryEnv) raw(method, host, path string, header http.Header) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, "https://"+host+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Transport: e.tr}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}
