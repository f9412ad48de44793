package access_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/store"
)

// node is one server's view of a database shared with others: its own
// store connection, Cache, Service and Follower.
type node struct {
	svc   *access.Service
	cache *access.Cache
	st    *store.Store
	f     *access.Follower
}

func openNode(t *testing.T, path string) *node {
	t.Helper()
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := access.NewCache(st)
	f, err := access.NewFollower(t.Context(), c, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := access.New(c, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &node{svc: svc, cache: c, st: st, f: f}
}

// newNodes returns two nodes over one database holding what newCached
// holds, plus password1 of "cached", which b has logged in with.
func newNodes(t *testing.T) (a, b *node, password string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	a = openNode(t, path)
	ctx := t.Context()
	must := func(_ any, _ bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.svc.PutRegistry(ctx, "g", "cachereg", "local", access.Basic))
	must(a.svc.PutScopeMap(ctx, "g", "cachereg", "readapp", nil, []string{"repositories/app/content/read"}))
	must(a.svc.PutScopeMap(ctx, "g", "cachereg", "readlib", nil, []string{"repositories/lib/content/read"}))
	must(a.svc.PutToken(ctx, "g", "cachereg", "cached", "readapp", access.Enabled))
	g, err := a.svc.GenerateCredentials(ctx, "g", "cachereg", "cached", access.Password1, nil)
	if err != nil {
		t.Fatal(err)
	}
	b = openNode(t, path)
	if _, err := b.svc.Authenticate(ctx, "cachereg", "cached", g.Passwords[0].Value); err != nil {
		t.Fatalf("login on b: %v", err)
	}
	return a, b, g.Passwords[0].Value
}

func TestFollowerAppliesAnotherNodesChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, svc *access.Service) error
		// gone: the token no longer exists; refused: the password no
		// longer logs in.
		gone, refused bool
		canRead       string
	}{
		{"password generated", func(ctx context.Context, svc *access.Service) error {
			_, err := svc.GenerateCredentials(ctx, "g", "cachereg", "cached", access.Password1, nil)
			return err
		}, false, true, "app"},
		{"password deleted", func(ctx context.Context, svc *access.Service) error {
			keep := []string{}
			_, err := svc.UpdateToken(ctx, "g", "cachereg", "cached", access.TokenUpdate{KeepPasswords: &keep})
			return err
		}, false, true, "app"},
		{"token disabled", func(ctx context.Context, svc *access.Service) error {
			st := access.Disabled
			_, err := svc.UpdateToken(ctx, "g", "cachereg", "cached", access.TokenUpdate{Status: &st})
			return err
		}, false, true, "app"},
		{"scope map swapped", func(ctx context.Context, svc *access.Service) error {
			sm := "readlib"
			_, err := svc.UpdateToken(ctx, "g", "cachereg", "cached", access.TokenUpdate{ScopeMap: &sm})
			return err
		}, false, false, "lib"},
		{"scope map edited", func(ctx context.Context, svc *access.Service) error {
			actions := []string{"repositories/lib/content/read"}
			_, err := svc.UpdateScopeMap(ctx, "g", "cachereg", "readapp", nil, &actions)
			return err
		}, false, false, "lib"},
		{"token deleted", func(ctx context.Context, svc *access.Service) error {
			return svc.DeleteToken(ctx, "g", "cachereg", "cached")
		}, true, true, ""},
		{"registry deleted", func(ctx context.Context, svc *access.Service) error {
			return svc.DeleteRegistry(ctx, "g", "cachereg")
		}, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, pw := newNodes(t)
			ctx := t.Context()
			before, err := b.cache.State(ctx, "cachereg", "cached")
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(ctx, a.svc); err != nil {
				t.Fatal(err)
			}
			// Until b polls, it answers from memory: what the follower is for.
			if stale, err := b.cache.State(ctx, "cachereg", "cached"); err != nil || stale.Generation != before.Generation {
				t.Fatalf("before polling: %+v, %v; want b's cached state", stale, err)
			}
			if err := b.f.Poll(ctx); err != nil {
				t.Fatalf("Poll: %v", err)
			}
			_, err = b.svc.Authenticate(ctx, "cachereg", "cached", pw)
			if refused := err != nil; refused != tt.refused {
				t.Errorf("login on b after the change: %v; want refused %v", err, tt.refused)
			}
			after, err := b.cache.State(ctx, "cachereg", "cached")
			if tt.gone {
				if !errors.Is(err, access.ErrNotFound) {
					t.Errorf("State on b: %+v, %v; want ErrNotFound", after, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if after.Generation == before.Generation {
				t.Errorf("generation on b still %d after the change", after.Generation)
			}
			if after.Scope.Allowed(tt.canRead)&scope.ContentRead == 0 {
				t.Errorf("on b the state cannot read %q", tt.canRead)
			}
		})
	}
}

func TestFollowerTellsTheHooks(t *testing.T) {
	a, b, _ := newNodes(t)
	ctx := t.Context()
	var got []access.RegistriesChange
	b.cache.OnRegistriesChanged(func(_ context.Context, ch access.RegistriesChange) { got = append(got, ch) })
	exp := access.NewExpiries(b.cache)
	if rs, err := b.cache.Registries(ctx); err != nil || len(rs) != 1 {
		t.Fatalf("Registries on b = %v, %v; want cachereg", rs, err)
	}

	if _, _, err := a.svc.PutRegistry(ctx, "g", "Second", "local", access.Basic); err != nil {
		t.Fatal(err)
	}
	expiry := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	if _, err := a.svc.GenerateCredentials(ctx, "g", "cachereg", "cached", access.Password2, &expiry); err != nil {
		t.Fatal(err)
	}
	if err := b.f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, _ := b.cache.Registries(ctx); len(rs) != 2 {
		t.Errorf("Registries on b after a create on a: %v, want two", rs)
	}
	var expiries []access.PasswordExpiry
	exp.Each(func(p access.PasswordExpiry) { expiries = append(expiries, p) })
	if len(expiries) != 1 || expiries[0].Password != access.Password2 || !expiries[0].Expiry.Equal(expiry) {
		t.Errorf("b's expiry index = %+v, want password2 expiring at %v", expiries, expiry)
	}

	if err := a.svc.DeleteRegistry(ctx, "g", "CacheReg"); err != nil {
		t.Fatal(err)
	}
	if err := b.f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	want := []access.RegistriesChange{{Remote: true}, {Deleted: "cachereg", Remote: true}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("b's hooks saw %+v, want %+v", got, want)
	}
	expiries = nil
	exp.Each(func(p access.PasswordExpiry) { expiries = append(expiries, p) })
	if len(expiries) != 0 {
		t.Errorf("b's expiry index after the registry's deletion = %+v, want empty", expiries)
	}
}

func TestFollowerDropsEverythingWhenChangesWerePruned(t *testing.T) {
	a, b, _ := newNodes(t)
	ctx := t.Context()
	var got []access.RegistriesChange
	b.cache.OnRegistriesChanged(func(_ context.Context, ch access.RegistriesChange) { got = append(got, ch) })
	before, err := b.cache.State(ctx, "cachereg", "cached")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := a.svc.GenerateCredentials(ctx, "g", "cachereg", "cached", access.Password2, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.st.PruneChanges(ctx, time.Now().Add(time.Hour)); err != nil { // all but the latest
		t.Fatal(err)
	}
	if err := b.f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].All {
		t.Errorf("b's hooks saw %+v, want one change of everything", got)
	}
	after, err := b.cache.State(ctx, "cachereg", "cached")
	if err != nil || after.Generation != before.Generation+3 {
		t.Errorf("State on b: generation %d, %v; want %d", after.Generation, err, before.Generation+3)
	}
}

// readCounter counts the token reads that reach the store.
type readCounter struct {
	access.Store
	gets atomic.Int64
}

func (s *readCounter) GetToken(ctx context.Context, registry, name string) (access.Token, error) {
	s.gets.Add(1)
	return s.Store.GetToken(ctx, registry, name)
}

// brokenFeed is a change feed that cannot be read.
type brokenFeed struct{ access.ChangeFeed }

func (brokenFeed) Changes(context.Context, int64, int) ([]access.ChangeRecord, int64, error) {
	return nil, 0, errors.New("database unreachable")
}

func TestFollowerStopsTrustingMemoryWhenTheFeedCannotBeRead(t *testing.T) {
	a, _, _ := newNodes(t)
	ctx := t.Context()
	st := &readCounter{Store: a.st}
	c := access.NewCache(st)
	f, err := access.NewFollower(ctx, c, brokenFeed{a.st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	f.Now = func() time.Time { // a second passes at every reading
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	for range 2 {
		if _, err := c.State(ctx, "cachereg", "cached"); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.gets.Load(); n != 1 {
		t.Fatalf("two lookups read the store %d times, want once", n)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.Run(runCtx, 10*time.Millisecond) }()
	defer func() { stop(); <-done }()
	for deadline := time.Now().Add(5 * time.Second); st.gets.Load() == 1; {
		if time.Now().After(deadline) {
			t.Fatal("the cache still answers from memory while the feed cannot be read")
		}
		time.Sleep(10 * time.Millisecond)
		c.State(ctx, "cachereg", "cached")
	}
}
