package authserver_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/authserver"
)

// clock is a settable Now, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestAccessTokenReuse(t *testing.T) {
	tests := []struct {
		name string
		cfg  authserver.Config
		// between runs between the first and the second request.
		between   func(t *testing.T, e *env, c *clock)
		scope     string // of the second request
		wantReuse bool
	}{
		{"the same credential and grant get the same access token", authserver.Config{},
			func(*testing.T, *env, *clock) {}, "repository:app:pull", true},
		{"just inside the window it is still reused", authserver.Config{},
			func(_ *testing.T, _ *env, c *clock) { c.Add(9 * time.Second) }, "repository:app:pull", true},
		{"after the window a new one is minted", authserver.Config{},
			func(_ *testing.T, _ *env, c *clock) { c.Add(10 * time.Second) }, "repository:app:pull", false},
		{"a short access lifetime has a shorter window", authserver.Config{AccessTTL: 30 * time.Second},
			func(_ *testing.T, _ *env, c *clock) { c.Add(3 * time.Second) }, "repository:app:pull", false},
		{"another grant gets another access token", authserver.Config{},
			func(*testing.T, *env, *clock) {}, "repository:lib:pull", false},
		{"a change to the token (password2 generated) gets a new one", authserver.Config{},
			func(t *testing.T, e *env, _ *clock) {
				if _, err := e.svc.GenerateCredentials(context.Background(), group, "myregistry", "MyToken", access.Password2, nil); err != nil {
					t.Fatal(err)
				}
			}, "repository:app:pull", false},
		{"with NoReuse every request mints", authserver.Config{NoReuse: true},
			func(*testing.T, *env, *clock) {}, "repository:app:pull", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			c := &clock{now: time.Now()}
			e.srv.Now = c.Now
			status, first := e.token(t, "MyToken", e.password, "repository:app:pull")
			if status != 200 || first == "" {
				t.Fatalf("first request: status %d", status)
			}
			tt.between(t, e, c)
			status, second := e.token(t, "MyToken", e.password, tt.scope)
			if status != 200 || second == "" {
				t.Fatalf("second request: status %d", status)
			}
			if got := second == first; got != tt.wantReuse {
				t.Errorf("same access token: got %v, want %v", got, tt.wantReuse)
			}
		})
	}
}

func TestWrongPasswordIsNotAnsweredFromReuse(t *testing.T) {
	e := newEnv(t, authserver.Config{})
	if status, _ := e.token(t, "MyToken", e.password, "repository:app:pull"); status != 200 {
		t.Fatalf("right password: status %d", status)
	}
	other, err := access.NewSecret(constReader(9))
	if err != nil {
		t.Fatal(err)
	}
	if status, tok := e.token(t, "MyToken", other, "repository:app:pull"); status != 401 || tok != "" {
		t.Errorf("wrong password: got %d and an access token %v; want 401 and none", status, tok != "")
	}
}

// constReader reads an endless run of one byte.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}
