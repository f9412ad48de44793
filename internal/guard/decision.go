package guard

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Decision is the outcome of one authentication: a login at the token
// endpoint, or the credential of one /v2/ request; or the refusal of a /v2/
// request whose credential checked out but does not allow what it asks for
// (ClassInsufficientScope), which follows that credential's own decision.
type Decision struct {
	API      string // APIToken or APIRegistry
	Registry string
	Token    string // as the client named it when refused
	// Password and PasswordCreated name the password that proved the
	// caller, when one did (a password or refresh grant, HTTP Basic).
	Password        string
	PasswordCreated time.Time
	Address         string // the client's
	// Scope is what the request asked for, in the Docker scope grammar
	// ("repository:app:pull,push"; several separated by spaces), for the
	// audit log. It may be empty.
	Scope  string
	Result string // Success, Failure or Throttled
	// Class is a small fixed vocabulary fit for a metric label: the kind of
	// credential on success, the class of refusal otherwise.
	Class string
	// Reason is the precise cause of a refusal, for the log and the audit
	// trail; never a secret.
	Reason string
	Time   time.Time
}

// APIs a decision is made by.
const (
	APIToken    = "token"    // /oauth2/token
	APIRegistry = "registry" // /v2/
)

// Results of a decision.
const (
	Success   = "success"
	Failure   = "failure"
	Throttled = "throttled"
)

// Classes of a successful decision: the credential used.
const (
	ClassPassword     = "password"
	ClassRefreshToken = "refresh_token"
	ClassAccessToken  = "access_token"
)

// Classes of a refusal. The first four are access's (access.ClassExpired
// and so on; the data plane may not import access); a throttled decision's
// class is ByAddress or ByToken.
const (
	ClassBadCredentials     = "bad_credentials"
	ClassExpired            = "expired"
	ClassDisabled           = "disabled"
	ClassRevoked            = "revoked"
	ClassInvalidAccessToken = "invalid_access_token" // signature, issuer, audience, validity or kind
	ClassExpiredAccessToken = "expired_access_token"
	ClassWrongRegistry      = "wrong_registry" // an access token of another registry
	// ClassInsufficientScope refuses a request, not a credential: the
	// credential is good but does not allow the repository and action.
	ClassInsufficientScope = "insufficient_scope"
)

// Decide reports d to the observer, stamping its time.
func (g *Guard) Decide(ctx context.Context, d Decision) {
	if g == nil || g.observe == nil {
		return
	}
	if d.Time.IsZero() {
		d.Time = g.Now()
	}
	g.observe(ctx, d)
}

// ClientAddress is the address of the client that sent r: the peer, or,
// when the peer is a trusted proxy, the last address in X-Forwarded-For
// that is not one (the first that a trusted party vouches for).
func (g *Guard) ClientAddress(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	if g == nil || len(g.cfg.TrustedProxies) == 0 || !g.trusted(peer) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(h, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer // a garbled chain: believe only what we saw
		}
		if !g.trusted(a.String()) {
			return a.Unmap().String()
		}
	}
	return peer
}

func (g *Guard) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range g.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
