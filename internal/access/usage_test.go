package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// countingStore counts the transactions of RecordUses, and can fail them.
type countingStore struct {
	access.UsageStore
	flushes int
	fail    bool
}

func (c *countingStore) RecordUses(ctx context.Context, uses []access.PasswordUse) error {
	if c.fail {
		return errors.New("disk full")
	}
	c.flushes++
	return c.UsageStore.RecordUses(ctx, uses)
}

// usageEnv is an env whose Service reports last uses, with a password1 of
// MyToken in registry "myregistry".
func usageEnv(t *testing.T) (*env, *access.Usage, *countingStore, access.Password) {
	t.Helper()
	e := newEnv(t)
	cs := &countingStore{UsageStore: e.st}
	u := access.NewUsage(cs, nil)
	e.svc.Usage = u
	e.registry(t, "myregistry")
	e.generate(t, "myregistry", "MyToken", access.Password1, nil)
	p, _ := e.getToken(t, "myregistry", "MyToken").Password(access.Password1)
	return e, u, cs, p
}

func record(u *access.Usage, p access.Password, at time.Time, addr string) {
	u.Record(access.PasswordUse{Registry: "MyRegistry", Token: "mytoken", Password: p.Name,
		PasswordCreated: p.Created, Time: at, Address: addr})
}

func lastUse(t *testing.T, e *env) (time.Time, string) {
	t.Helper()
	p, _ := e.getToken(t, "myregistry", "MyToken").Password(access.Password1)
	return p.LastUsed, p.LastUsedAddress
}

func TestLastUse(t *testing.T) {
	at := start.Add(time.Minute).Truncate(time.Microsecond) // what stores keep
	t.Run("a use shows before it is flushed, without a write", func(t *testing.T) {
		e, u, cs, p := usageEnv(t)
		for i := range 1000 {
			record(u, p, at.Add(time.Duration(i)*time.Millisecond), "192.0.2.1")
		}
		got, addr := lastUse(t, e)
		if want := at.Add(999 * time.Millisecond).Truncate(time.Microsecond); !got.Equal(want) || addr != "192.0.2.1" {
			t.Errorf("got %v from %q, want %v from 192.0.2.1", got, addr, want)
		}
		if cs.flushes != 0 {
			t.Errorf("recording wrote to the store %d times, want 0", cs.flushes)
		}
	})
	t.Run("a thousand uses are flushed in one transaction and survive", func(t *testing.T) {
		e, u, cs, p := usageEnv(t)
		for i := range 1000 {
			record(u, p, at.Add(time.Duration(i)*time.Second), "192.0.2.1")
		}
		if err := u.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if cs.flushes != 1 {
			t.Errorf("got %d transactions, want 1", cs.flushes)
		}
		e.svc.Usage = access.NewUsage(e.st, nil) // as after a restart
		if got, _ := lastUse(t, e); !got.Equal(at.Add(999 * time.Second)) {
			t.Errorf("after the flush got %v, want %v", got, at.Add(999*time.Second))
		}
	})
	t.Run("a failed flush keeps the uses for the next", func(t *testing.T) {
		e, u, cs, p := usageEnv(t)
		record(u, p, at, "192.0.2.1")
		cs.fail = true
		if err := u.Flush(t.Context()); err == nil {
			t.Fatal("Flush over a failing store returned no error")
		}
		cs.fail = false
		if err := u.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.svc.Usage = access.NewUsage(e.st, nil)
		if got, _ := lastUse(t, e); !got.Equal(at) {
			t.Errorf("got %v, want %v", got, at)
		}
	})
	t.Run("a regenerated password starts unused", func(t *testing.T) {
		e, u, _, p := usageEnv(t)
		record(u, p, at, "192.0.2.1")
		u.Flush(t.Context())
		record(u, p, at.Add(time.Second), "192.0.2.1") // pending, of the old password
		e.clock.Set(start.Add(time.Hour))
		e.generate(t, "myregistry", "MyToken", access.Password1, nil)
		if got, addr := lastUse(t, e); !got.IsZero() || addr != "" {
			t.Errorf("the new password shows a use at %v from %q, want none", got, addr)
		}
	})
	t.Run("list shows the last use of every token", func(t *testing.T) {
		e, u, _, p := usageEnv(t)
		record(u, p, at, "2001:db8::1")
		ts, err := e.svc.ListTokens(t.Context(), group, "myregistry", access.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || len(ts[0].Passwords) != 1 || ts[0].Passwords[0].LastUsedAddress != "2001:db8::1" {
			t.Errorf("got %+v, want MyToken's password1 used from 2001:db8::1", ts)
		}
	})
}
