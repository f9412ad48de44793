package access_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// Fifty concurrent generations of one token: for each slot exactly one of
// the values handed out works (the last one committed), every other value
// is refused, and the token ends with two whole passwords.
func TestConcurrentGenerateCredentials(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	const calls = 50
	slots := []string{"", access.Password1, access.Password2}
	results := make([]access.Generated, calls)
	errs := make([]error, calls)
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for i := range calls {
		wg.Go(func() {
			<-begin
			results[i], errs[i] = e.svc.GenerateCredentials(t.Context(), group, "myregistry", "MyToken", slots[i%3], nil)
		})
	}
	close(begin)
	wg.Wait()

	handedOut := map[string][]string{} // slot -> values
	for i, g := range results {
		if errs[i] != nil {
			t.Fatalf("call %d (slot %q): %v", i, slots[i%3], errs[i])
		}
		vs := values(g)
		want := 1
		if slots[i%3] == "" {
			want = 2
		}
		if len(vs) != want {
			t.Errorf("call %d (slot %q): got values for %d slots, want %d", i, slots[i%3], len(vs), want)
		}
		for slot, v := range vs {
			handedOut[slot] = append(handedOut[slot], v)
		}
	}

	for _, slot := range []string{access.Password1, access.Password2} {
		working := 0
		for _, v := range handedOut[slot] {
			p, err := e.svc.Authenticate(t.Context(), "myregistry", "MyToken", v)
			switch {
			case err == nil && p.Password == slot:
				working++
			case err == nil:
				t.Errorf("a %s value authenticated as %s", slot, p.Password)
			case !errors.Is(err, access.ErrUnauthorized):
				t.Errorf("Authenticate: %v", err)
			}
		}
		if working != 1 {
			t.Errorf("%s: %d of %d values handed out work, want exactly 1", slot, working, len(handedOut[slot]))
		}
	}

	tok := e.getToken(t, "myregistry", "MyToken")
	if len(tok.Passwords) != 2 {
		t.Fatalf("got %d passwords, want 2", len(tok.Passwords))
	}
	for i, p := range tok.Passwords {
		if p.Name != []string{access.Password1, access.Password2}[i] || len(p.Hash) != 32 ||
			p.Created.IsZero() || p.Expiry != access.NeverExpires {
			t.Errorf("password %d is not whole: %+v", i, p)
		}
	}
	if tok.Generation != 1+calls {
		t.Errorf("got generation %d, want %d (one bump per call)", tok.Generation, 1+calls)
	}
}
