package access

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// PasswordExpiry is when one password expires.
type PasswordExpiry struct {
	Registry, Token string
	Password        string // the slot
	Expiry          time.Time
}

// Expiries keeps in memory when every password that expires (any but
// NeverExpires) does, so that metrics can report the time left on each
// without reading the database. It learns every change made through its
// Cache as it happens, and those of other nodes when the Cache's Follower
// does; it reads the whole store at start, periodically, and when the
// Follower found changes missing (Run). Memory is about a hundred bytes per
// expiring password. It is safe for concurrent use.
type Expiries struct {
	reload  chan struct{} // asks Run for a Load now
	mu      sync.RWMutex
	byToken map[tokenKey][]PasswordExpiry
	// While a Load runs, touched and touchedRegs record what changed
	// meanwhile: for those the live state wins over what Load read.
	touched     map[tokenKey]bool
	touchedRegs map[string]bool
}

// NewExpiries returns an empty index fed by the changes made through c.
func NewExpiries(c *Cache) *Expiries {
	e := &Expiries{byToken: map[tokenKey][]PasswordExpiry{}, reload: make(chan struct{}, 1)}
	c.OnTokenChanged(func(_ context.Context, registry, name string, t *Token) { e.set(keyOf(registry, name), t) })
	c.OnRegistriesChanged(func(_ context.Context, ch RegistriesChange) {
		switch {
		case ch.All:
			select {
			case e.reload <- struct{}{}:
			default: // a Load is already asked for
			}
		case ch.Deleted != "":
			e.dropRegistry(strings.ToLower(ch.Deleted))
		}
	})
	return e
}

// expiring returns the passwords of t that expire.
func expiring(t *Token) []PasswordExpiry {
	if t == nil {
		return nil
	}
	var out []PasswordExpiry
	for _, p := range t.Passwords {
		if p.Expiry.Before(NeverExpires) {
			out = append(out, PasswordExpiry{Registry: t.Registry, Token: t.Name, Password: p.Name, Expiry: p.Expiry})
		}
	}
	return out
}

func (e *Expiries) set(k tokenKey, t *Token) {
	exp := expiring(t)
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(exp) == 0 {
		delete(e.byToken, k)
	} else {
		e.byToken[k] = exp
	}
	if e.touched != nil {
		e.touched[k] = true
	}
}

func (e *Expiries) dropRegistry(registry string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k := range e.byToken {
		if k.registry == registry {
			delete(e.byToken, k)
		}
	}
	if e.touchedRegs != nil {
		e.touchedRegs[registry] = true
	}
}

// loadPage is how many tokens Load reads per query.
const loadPage = 1000

// Load reads every token of st and replaces the index with what it found,
// except for what changed through the Cache while it read. Loads must not
// run concurrently with each other.
func (e *Expiries) Load(ctx context.Context, st Store) error {
	e.mu.Lock()
	e.touched, e.touchedRegs = map[tokenKey]bool{}, map[string]bool{}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.touched, e.touchedRegs = nil, nil
		e.mu.Unlock()
	}()
	fresh := map[tokenKey][]PasswordExpiry{}
	regs, err := st.ListRegistries(ctx, "")
	if err != nil {
		return fmt.Errorf("load password expiries: %w", err)
	}
	for _, r := range regs {
		for page := (Page{Limit: loadPage}); ; {
			ts, err := st.ListTokens(ctx, r.Name, page)
			if err != nil {
				return fmt.Errorf("load password expiries of registry %q: %w", r.Name, err)
			}
			for i := range ts {
				if exp := expiring(&ts[i]); len(exp) > 0 {
					fresh[keyOf(r.Name, ts[i].Name)] = exp
				}
			}
			if len(ts) < loadPage {
				break
			}
			page.After = ts[len(ts)-1].Name
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	stale := func(k tokenKey) bool { return e.touched[k] || e.touchedRegs[k.registry] }
	for k := range e.byToken {
		if _, ok := fresh[k]; !ok && !stale(k) {
			delete(e.byToken, k)
		}
	}
	for k, exp := range fresh {
		if !stale(k) {
			e.byToken[k] = exp
		}
	}
	return nil
}

// Run loads the index now, then every interval and whenever the Cache's
// Follower found changes missing, until ctx ends.
func (e *Expiries) Run(ctx context.Context, st Store, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := e.Load(ctx, st); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "load password expiries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.reload:
		}
	}
}

// Each calls fn with every expiring password, in no particular order,
// holding a read lock: fn must be quick and must not call back.
func (e *Expiries) Each(fn func(PasswordExpiry)) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, exp := range e.byToken {
		for _, p := range exp {
			fn(p)
		}
	}
}
