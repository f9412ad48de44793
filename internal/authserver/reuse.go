package authserver

import (
	"strings"
	"sync"
	"time"

	"github.com/openacr/openacr/internal/signing"
)

// Access tokens are handed out again, for a few seconds, to callers that
// prove the same credential and are granted the same access: the ES256
// signature is most of what a token request costs, and the callers that
// request tokens at a high rate are many clients sharing one credential (a
// CI fleet, the kubelets of a cluster pulling with one pull secret), who
// would get the same claims anyway.
//
// This changes nothing for revocation. The key holds the token's generation
// and creation and the password's slot and creation, so a token changed in
// any way (password regenerated or deleted, disabled, scope map edited or
// swapped, deleted and made again) gets a newly minted access token from its
// next request on; and the data plane refuses the old one on use because its
// generation is behind, exactly as it refuses one minted a second earlier.
// The password's expiry still caps the access token's (it was capped when
// minted). What it does change: a jti names one minting, which callers of
// the same credential within the window share.

// maxReuse bounds the window in which an access token is reused; it is
// also at most a tenth of the access token lifetime, so a caller always gets
// at least nine tenths of it.
const maxReuse = 10 * time.Second

// maxReused bounds the number of access tokens kept for reuse.
const maxReused = 1 << 16

// reuseKey is everything an access token's content depends on but its id
// and times.
type reuseKey struct {
	registry, token, audience string
	created, generation       int64
	password                  string
	passwordCreated           int64
	access                    string // the granted access, rendered
}

// reused is a signed access token and its times.
type reused struct {
	raw            string
	issued, expiry time.Time
}

// reuse keeps recently minted access tokens. It is safe for concurrent use;
// the request path takes only its read lock, except once per key and window.
type reuse struct {
	window time.Duration // 0: never reuse

	mu sync.RWMutex
	m  map[reuseKey]reused
}

func newReuse(window time.Duration) *reuse {
	return &reuse{window: window, m: map[reuseKey]reused{}}
}

// keyOf is the reuse key of an access token granting access to g's token,
// for the login server audience.
func keyOf(g grant, audience string, access []signing.ResourceActions) reuseKey {
	var b strings.Builder
	for _, ra := range access {
		b.WriteString(ra.Type)
		b.WriteByte('(')
		b.WriteString(ra.Class)
		b.WriteString("):")
		b.WriteString(ra.Name)
		b.WriteByte(':')
		b.WriteString(strings.Join(ra.Actions, ","))
		b.WriteByte(' ')
	}
	return reuseKey{registry: g.state.Registry, token: g.state.Token, audience: audience,
		created: g.state.Created.UnixMicro(), generation: g.state.Generation,
		password: g.password.Name, passwordCreated: g.password.Created.UnixMicro(), access: b.String()}
}

// get returns the access token minted for k within the window before now.
func (c *reuse) get(k reuseKey, now time.Time) (reused, bool) {
	if c.window <= 0 {
		return reused{}, false
	}
	c.mu.RLock()
	r, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || now.Sub(r.issued) >= c.window || now.Before(r.issued) || !now.Before(r.expiry) {
		return reused{}, false
	}
	return r, true
}

// put keeps r for reuse under k; past maxReused it first drops what is too
// old to be reused, and everything if that is not enough.
func (c *reuse) put(k reuseKey, r reused, now time.Time) {
	if c.window <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxReused {
		for k, old := range c.m {
			if now.Sub(old.issued) >= c.window {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxReused {
			c.m = map[reuseKey]reused{}
		}
	}
	c.m[k] = r
}

// expiresIn is the whole seconds from now to expiry, as the response says.
func expiresIn(expiry, now time.Time) int { return int(expiry.Sub(now) / time.Second) }
