package dataplane_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/openacr/openacr/internal/dataplane"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/signing"
)

const (
	registry    = "myregistry"
	loginServer = "myregistry.example.test"
)

// fakeTokens is one token, "bot", with one password, counting lookups.
type fakeTokens struct {
	generation atomic.Int64
	scope      *scope.Set
	logins     atomic.Int64
	currents   atomic.Int64
}

func newFakeTokens(t testing.TB, actions ...string) *fakeTokens {
	set, err := scope.Compile(actions)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTokens{scope: set}
	f.generation.Store(1)
	return f
}

func (f *fakeTokens) Login(_ context.Context, reg, user, pw string) (dataplane.Login, error) {
	f.logins.Add(1)
	if reg != registry || user != "bot" || pw != "secret" {
		return dataplane.Login{}, &dataplane.Refusal{Public: "authentication required: invalid username or password", Reason: "wrong"}
	}
	return dataplane.Login{Token: "bot", Expiry: time.Now().Add(time.Hour), Current: f.current()}, nil
}

func (f *fakeTokens) Current(_ context.Context, reg, tok string) (dataplane.Current, bool, error) {
	f.currents.Add(1)
	return f.current(), reg == registry && tok == "bot", nil
}

func (f *fakeTokens) current() dataplane.Current {
	return dataplane.Current{Generation: f.generation.Load(), Created: 1, Scope: f.scope}
}

// countingKeys counts signature verifications.
type countingKeys struct {
	*signing.Keys
	verified atomic.Int64
}

func (k *countingKeys) Verify(ctx context.Context, raw, aud string, now time.Time) (signing.Claims, error) {
	k.verified.Add(1)
	return k.Keys.Verify(ctx, raw, aud, now)
}

type memKeys struct {
	mu   sync.Mutex
	keys []signing.StoredKey
}

func (m *memKeys) SigningKeys(context.Context) ([]signing.StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]signing.StoredKey(nil), m.keys...), nil
}

func (m *memKeys) AddSigningKey(_ context.Context, k signing.StoredKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

func newKeys(t testing.TB) *countingKeys {
	k, err := signing.Open(context.Background(), &memKeys{}, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &countingKeys{Keys: k}
}

// accessToken mints an access token of "bot" granting pull on repo.
func accessToken(t testing.TB, k *countingKeys, generation int64, repo string) string {
	now := time.Now()
	raw, err := k.Sign(signing.Claims{ID: "jti", Subject: "bot", Audience: loginServer, IssuedAt: now, NotBefore: now,
		Expiry: now.Add(5 * time.Minute), GrantType: signing.AccessToken, Registry: registry, Generation: generation, TokenCreated: 1,
		Access: []signing.ResourceActions{{Type: "repository", Name: repo, Actions: []string{"pull"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func resolve(context.Context, string) (string, string, bool) { return registry, loginServer, true }

// newRouter returns a router over the filesystem root dir, with
// authentication when a is not nil.
func newRouter(t testing.TB, dir string, a *dataplane.Authorizer) *dataplane.Router {
	rt, err := dataplane.New(dataplane.Config{Driver: "filesystem", Parameters: map[string]any{"rootdirectory": dir},
		Secret: "test-secret", Resolve: resolve}, a, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// pushImage writes a small image as repo:v1 through a router without auth.
func pushImage(t testing.TB, dir, repo string) {
	ts := httptest.NewServer(newRouter(t, dir, nil))
	defer ts.Close()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(strings.TrimPrefix(ts.URL, "http://") + "/" + repo + ":v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
}

func get(h http.Handler, path string, hdr http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "https://"+loginServer+path, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestHotPathVerifiesEachAccessTokenOnceAndTouchesNoStore(t *testing.T) {
	dir := t.TempDir()
	pushImage(t, dir, "app")
	tokens, keys := newFakeTokens(t, "repositories/app/content/read"), newKeys(t)
	rt := newRouter(t, dir, dataplane.NewAuthorizer(tokens, keys, slog.New(slog.DiscardHandler)))
	at := http.Header{"Authorization": {"Bearer " + accessToken(t, keys, 1, "app")}}
	basic := http.Header{}
	basic.Set("Authorization", "Basic Ym90OnNlY3JldA==") // bot:secret
	for i := 0; i < 5; i++ {
		for _, h := range []http.Header{at, basic} {
			if w := get(rt, "/v2/app/manifests/v1", h); w.Code != 200 {
				t.Fatalf("request %d: status %d %s", i, w.Code, w.Body)
			}
		}
	}
	if n := keys.verified.Load(); n != 1 {
		t.Errorf("verified the access token %d times in 5 requests, want 1", n)
	}
	if n := tokens.logins.Load(); n != 1 {
		t.Errorf("checked the Basic password %d times in 5 requests, want 1", n)
	}

	tokens.generation.Add(1) // the token changed: both credentials must log in again
	if w := get(rt, "/v2/app/manifests/v1", at); w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("access token of an old generation: %d %q, want 401 invalid_token", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w := get(rt, "/v2/app/manifests/v1", basic); w.Code != 200 || tokens.logins.Load() != 2 {
		t.Errorf("Basic after a change: %d with %d logins, want 200 after a second login", w.Code, tokens.logins.Load())
	}
}

func TestBadStorageConfigurationIsAnErrorNotAPanic(t *testing.T) {
	rt, err := dataplane.New(dataplane.Config{Driver: "nosuchdriver", Resolve: resolve}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Open(t.Context(), registry)
	if err == nil || !strings.Contains(err.Error(), "nosuchdriver") {
		t.Errorf("Open with an unknown driver: %v, want an error naming it", err)
	}
	if w := get(rt, "/v2/", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("request to a registry whose storage cannot open: status %d, want 503", w.Code)
	}
}
