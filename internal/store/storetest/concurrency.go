package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// writers is how many goroutines the concurrency tests run at once.
const writers = 50

// parallel runs f(i) for i in [0, writers) at once and waits.
func parallel(f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

var concurrencyTests = []test{
	{"concurrent token updates never lose a write", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		tok := newToken("myregistry", "mytoken", "reader")
		tok.Passwords = []access.Password{newPassword(access.Password1, 0), newPassword(access.Password2, 0)}
		mustCreateToken(t, st, tok)

		// Each writer replaces one slot (alternately) and bumps the
		// generation. fn runs inside the transaction, so the order in which
		// fns complete successfully is the commit order.
		var mu sync.Mutex
		last := map[string][]byte{}
		errs := make([]error, writers)
		parallel(func(i int) {
			slot := []string{access.Password1, access.Password2}[i%2]
			p := newPassword(slot, byte(i+1))
			_, errs[i] = st.UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
				for j := range tok.Passwords {
					if tok.Passwords[j].Name == slot {
						tok.Passwords[j] = p
					}
				}
				tok.Generation++
				mu.Lock()
				last[slot] = p.Hash
				mu.Unlock()
				return nil
			})
		})
		for i, err := range errs {
			wantErr(t, fmt.Sprintf("UpdateToken of writer %d", i), err, nil)
		}
		got := mustGetToken(t, st, "myregistry", "mytoken")
		if got.Generation != 1+writers {
			t.Errorf("got generation %d, want %d: updates were lost", got.Generation, 1+writers)
		}
		if len(got.Passwords) != 2 {
			t.Fatalf("got %d passwords, want 2", len(got.Passwords))
		}
		for _, p := range got.Passwords {
			if !bytes.Equal(p.Hash, last[p.Name]) {
				t.Errorf("%s: got hash %x, want the last committed %x", p.Name, p.Hash[:1], last[p.Name][:1])
			}
		}
	}},
	{"concurrent creates of one name: one wins, the rest ErrExists", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		errs := make([]error, writers)
		parallel(func(i int) {
			errs[i] = st.CreateToken(t.Context(), newToken("myregistry", "mytoken", "reader"), 1000)
		})
		countOutcomes(t, errs, 1, access.ErrExists)
	}},
	{"concurrent creates never exceed the limit", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		const limit = 7
		errs := make([]error, writers)
		parallel(func(i int) {
			errs[i] = st.CreateToken(t.Context(), newToken("myregistry", seq("token", writers)[i], "reader"), limit)
		})
		countOutcomes(t, errs, limit, access.ErrQuotaExceeded)
		ts, err := st.ListTokens(t.Context(), "myregistry", access.Page{})
		if err != nil || len(ts) != limit {
			t.Errorf("ListTokens: got %d tokens, %v; want %d", len(ts), err, limit)
		}
	}},
	{"concurrent scope-map creates never exceed the limit", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry") // holds one user map
		const limit = 5
		errs := make([]error, writers)
		parallel(func(i int) {
			errs[i] = st.CreateScopeMap(t.Context(), newScopeMap("myregistry", seq("map", writers)[i]), limit)
		})
		countOutcomes(t, errs, limit-1, access.ErrQuotaExceeded)
	}},
}

// countOutcomes checks that exactly ok of errs are nil and the rest wrap refused.
func countOutcomes(t *testing.T, errs []error, ok int, refused error) {
	t.Helper()
	n := 0
	for _, err := range errs {
		switch {
		case err == nil:
			n++
		case !errors.Is(err, refused):
			t.Errorf("got error %v, want nil or one wrapping %v", err, refused)
		}
	}
	if n != ok {
		t.Errorf("got %d successes, want %d", n, ok)
	}
}
