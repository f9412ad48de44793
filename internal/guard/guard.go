package guard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Config sets the budgets of failed authentications. A zero limit turns
// that budget off.
type Config struct {
	// PerAddress is how many failed authentications one client address may
	// make per Window before it is refused outright (IPv6 addresses count
	// per /64, the block one host usually holds).
	PerAddress int
	// PerToken is how many failed authentications one token name of one
	// registry may see per Window before further failures get 429.
	PerToken int
	Window   time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For is believed when
	// telling the client's address.
	TrustedProxies []netip.Prefix
}

// goodFor is how long a credential that succeeded stays exempt from the
// address budget (unless it fails in between).
const goodFor = 12 * time.Hour

// Guard throttles failed authentications and reports decisions. It is safe
// for concurrent use; a nil *Guard throttles nothing and reports nowhere.
type Guard struct {
	cfg       Config
	addresses *budgets
	tokens    *budgets
	// goodKey keys the set of credentials that succeeded, so that the set
	// holds MACs under a key that never leaves the process, not secrets.
	goodKey []byte

	mu   sync.RWMutex
	good map[[sha256.Size]byte]time.Time // until when

	observe func(ctx context.Context, d Decision)

	// Now is the clock.
	Now func() time.Time
}

// New returns a Guard. observe, if not nil, is called synchronously with
// every decision; it must be quick and must not block.
func New(cfg Config, observe func(ctx context.Context, d Decision)) *Guard {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return &Guard{cfg: cfg, addresses: newBudgets(cfg.PerAddress, cfg.Window), tokens: newBudgets(cfg.PerToken, cfg.Window),
		goodKey: key, good: map[[sha256.Size]byte]time.Time{}, observe: observe, Now: time.Now}
}

// Refusal classes of throttled attempts (Decision.Class).
const (
	ByAddress = "address"
	ByToken   = "token"
)

// Admit is called before a password is checked. A non-zero wait means the
// client's address has spent its budget: answer 429 with Retry-After
// without checking. A credential that succeeded before is always admitted.
func (g *Guard) Admit(registry, token, secret, addr string) (wait time.Duration) {
	if g == nil || g.addresses == nil {
		return 0
	}
	now := g.Now()
	wait = g.addresses.wait(addressKey(addr), now)
	if wait > 0 && g.known(registry, token, secret, now) {
		return 0
	}
	return wait
}

// Failed records a failed authentication. A non-zero wait means this
// failure was over a budget (by says which, ByAddress or ByToken): answer
// 429 with Retry-After instead of 401.
func (g *Guard) Failed(registry, token, secret, addr string) (wait time.Duration, by string) {
	if g == nil {
		return 0, ""
	}
	now := g.Now()
	g.forget(registry, token, secret)
	overA, waitA := g.addresses.spend(addressKey(addr), now)
	overT, waitT := g.tokens.spend(tokenKey(registry, token), now)
	switch {
	case overT:
		return max(waitT, time.Nanosecond), ByToken
	case overA:
		return max(waitA, time.Nanosecond), ByAddress
	}
	return 0, ""
}

// Succeeded records a successful authentication: the credential is exempt
// from the address budget for a while. It spends no budget.
func (g *Guard) Succeeded(registry, token, secret string) {
	if g == nil || g.addresses == nil {
		return
	}
	now := g.Now()
	k := g.credKey(registry, token, secret)
	g.mu.RLock()
	until, ok := g.good[k]
	g.mu.RUnlock()
	if ok && until.Sub(now) > goodFor/2 {
		return // fresh enough: no write lock on the common path
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.good) >= MaxKeys {
		for k, until := range g.good {
			if !now.Before(until) {
				delete(g.good, k)
			}
		}
		if len(g.good) >= MaxKeys {
			g.good = map[[sha256.Size]byte]time.Time{}
		}
	}
	g.good[k] = now.Add(goodFor)
}

func (g *Guard) known(registry, token, secret string, now time.Time) bool {
	k := g.credKey(registry, token, secret)
	g.mu.RLock()
	until, ok := g.good[k]
	g.mu.RUnlock()
	return ok && now.Before(until)
}

func (g *Guard) forget(registry, token, secret string) {
	k := g.credKey(registry, token, secret)
	g.mu.Lock()
	delete(g.good, k)
	g.mu.Unlock()
}

func (g *Guard) credKey(registry, token, secret string) [sha256.Size]byte {
	m := hmac.New(sha256.New, g.goodKey)
	fmt.Fprintf(m, "%s\x00%s\x00%s", strings.ToLower(registry), strings.ToLower(token), secret)
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

func tokenKey(registry, token string) string {
	return strings.ToLower(registry) + "\x00" + strings.ToLower(token)
}

// addressKey is what an address is counted under: IPv6 by /64.
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// RetryAfter renders a wait as the value of a Retry-After header: whole
// seconds, at least one.
func RetryAfter(wait time.Duration) string {
	s := int64((wait + time.Second - 1) / time.Second)
	return fmt.Sprint(max(s, 1))
}
