package dataplane

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openacr/openacr/internal/guard"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/signing"
)

// Tokens is the live view of tokens the access controller checks every
// request against. The server implements it over access; Current must
// answer from memory and see every change made through the credential
// service by the time that change returns.
type Tokens interface {
	// Login checks HTTP Basic credentials of registry. A refused
	// credential is a *Refusal; any other error is the server's fault.
	Login(ctx context.Context, registry, username, password string) (Login, error)
	// Current returns a token's current state; ok is false when the token
	// no longer exists.
	Current(ctx context.Context, registry, token string) (st Current, ok bool, err error)
}

// Current is a token's current state.
type Current struct {
	Generation int64
	Created    int64      // unix microseconds: tells apart tokens of one name
	Scope      *scope.Set // its scope map, compiled
}

// Login is a successful HTTP Basic login.
type Login struct {
	Token string
	// Password is the slot that matched, PasswordCreated its creation.
	Password        string
	PasswordCreated time.Time
	Expiry          time.Time // of the password that matched
	Current
}

// Refusal is a refused credential: Public is for the client, Reason for the
// log, Class its kind (guard.Class...; "" is guard.ClassBadCredentials).
type Refusal struct{ Public, Reason, Class string }

func (r *Refusal) Error() string { return r.Public }

// Verifier checks access tokens (signing.Keys).
type Verifier interface {
	Verify(ctx context.Context, raw, audience string, now time.Time) (signing.Claims, error)
}

// maxCached bounds each credential cache; past it expired entries are swept,
// and if that is not enough the cache starts afresh.
const maxCached = 1 << 16

// Messages of refusals the client may see.
const (
	msgInvalidAccessToken = "authentication required: invalid access token"
	msgExpiredAccessToken = "authentication required: the access token expired"
	msgRevoked            = "authentication required: the token's credentials or scope map changed; authenticate again"
	msgWrongRegistry      = "authentication required: the access token is for another registry"
)

// Authorizer identifies the caller of a /v2/ request from its access token
// or HTTP Basic credentials. It is safe for concurrent use.
type Authorizer struct {
	tokens Tokens
	keys   Verifier
	log    *slog.Logger
	// basicKey keys the cache of Basic logins so that the cache holds no
	// password, only a MAC of it under a key that never leaves the process.
	basicKey []byte
	// Guard throttles failed Basic logins and hears every decision; nil:
	// none. Set it before use.
	Guard *guard.Guard

	mu     sync.RWMutex
	bearer map[string]*verified
	basic  map[[sha256.Size]byte]*basicLogin

	// Now is the clock.
	Now func() time.Time
}

// verified is an access token whose signature has been checked.
type verified struct {
	id, subject, registry, audience string
	expiry                          time.Time
	generation, created             int64
	repos                           map[string]scope.Action
	catalog                         bool
}

type basicLogin struct {
	token               string
	password            string
	passwordCreated     time.Time
	expiry              time.Time
	generation, created int64
}

// NewAuthorizer returns an Authorizer over tokens and the signing keys.
func NewAuthorizer(tokens Tokens, keys Verifier, log *slog.Logger) *Authorizer {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return &Authorizer{tokens: tokens, keys: keys, log: log, basicKey: key,
		bearer: map[string]*verified{}, basic: map[[sha256.Size]byte]*basicLogin{}, Now: time.Now}
}

// identity is an authenticated caller.
type identity struct {
	token string
	jti   string // for access tokens
	// repos and catalog are an access token's grant; nil repos means the
	// caller logged in with Basic and holds everything its scope map allows.
	repos   map[string]scope.Action
	catalog bool
	scope   *scope.Set
	// password and passwordCreated name the password of a Basic login.
	password        string
	passwordCreated time.Time
}

// allowed returns what the caller may do on repo.
func (id *identity) allowed(repo string) scope.Action {
	if id.repos != nil {
		return id.repos[repo]
	}
	return id.scope.Allowed(repo)
}

// refusal is a refused credential with what to log.
type refusal struct {
	token, jti, public, reason string
	class                      string // guard.Class..., or guard.ByAddress/ByToken when throttled
	bearer                     bool
	// retryAfter, when not zero, throttles the client: 429, not 401.
	retryAfter time.Duration
}

// identify returns who the request's credentials prove the caller to be:
// nil for no credentials, a *refusal for refused ones.
func (a *Authorizer) identify(ctx context.Context, r *http.Request, t target) (*identity, *refusal, error) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case h == "":
		return nil, nil, nil
	case strings.EqualFold(scheme, "Bearer"):
		return a.fromBearer(ctx, strings.TrimSpace(cred), t)
	case strings.EqualFold(scheme, "Basic"):
		user, pw, ok := r.BasicAuth()
		if !ok {
			return nil, &refusal{public: "authentication required: malformed Basic credentials", reason: "malformed Basic credentials", class: guard.ClassBadCredentials}, nil
		}
		return a.fromBasic(ctx, user, pw, a.Guard.ClientAddress(r), t)
	}
	return nil, &refusal{public: "authentication required: use Bearer or Basic", reason: fmt.Sprintf("unsupported authorization scheme %q", scheme), class: guard.ClassBadCredentials}, nil
}

func (a *Authorizer) fromBearer(ctx context.Context, raw string, t target) (*identity, *refusal, error) {
	now := a.Now()
	a.mu.RLock()
	v := a.bearer[raw]
	a.mu.RUnlock()
	if v == nil {
		c, err := a.keys.Verify(ctx, raw, t.loginServer, now)
		if err != nil {
			return nil, &refusal{public: msgInvalidAccessToken, reason: err.Error(), class: guard.ClassInvalidAccessToken, bearer: true}, nil
		}
		if c.GrantType != signing.AccessToken {
			return nil, &refusal{token: c.Subject, jti: c.ID, public: msgInvalidAccessToken, reason: "a " + c.GrantType + " JWT is not an access token", class: guard.ClassInvalidAccessToken, bearer: true}, nil
		}
		v = newVerified(c)
		a.mu.Lock()
		if len(a.bearer) >= maxCached {
			a.sweepLocked(now)
		}
		a.bearer[raw] = v
		a.mu.Unlock()
	}
	ref := func(class, public, reason string) (*identity, *refusal, error) {
		return nil, &refusal{token: v.subject, jti: v.id, public: public, reason: reason, class: class, bearer: true}, nil
	}
	if !now.Before(v.expiry) {
		return ref(guard.ClassExpiredAccessToken, msgExpiredAccessToken, "access token expired at "+v.expiry.Format(time.RFC3339))
	}
	if v.audience != t.loginServer || v.registry != t.registry {
		return ref(guard.ClassWrongRegistry, msgWrongRegistry, fmt.Sprintf("access token of registry %q (audience %q) presented to registry %q", v.registry, v.audience, t.registry))
	}
	cur, ok, err := a.tokens.Current(ctx, v.registry, v.subject)
	switch {
	case err != nil:
		return nil, nil, err
	case !ok:
		return ref(guard.ClassRevoked, msgRevoked, "the token was deleted")
	case cur.Created != v.created:
		return ref(guard.ClassRevoked, msgRevoked, "the token was deleted and created again")
	case cur.Generation != v.generation:
		return ref(guard.ClassRevoked, msgRevoked, fmt.Sprintf("access token minted at generation %d; the token is at generation %d", v.generation, cur.Generation))
	}
	return &identity{token: v.subject, jti: v.id, repos: v.repos, catalog: v.catalog, scope: cur.Scope}, nil, nil
}

func newVerified(c signing.Claims) *verified {
	v := &verified{id: c.ID, subject: c.Subject, registry: c.Registry, audience: c.Audience, expiry: c.Expiry,
		generation: c.Generation, created: c.TokenCreated, repos: map[string]scope.Action{}}
	for _, ra := range c.Access {
		switch {
		case ra.Type == "repository" && ra.Class == "":
			for _, name := range ra.Actions {
				if act, ok := scope.FromDocker(name); ok {
					v.repos[ra.Name] |= act
				}
			}
		case ra.Type == "registry" && ra.Name == "catalog":
			v.catalog = true
		}
	}
	return v
}

func (a *Authorizer) fromBasic(ctx context.Context, user, pw, addr string, t target) (*identity, *refusal, error) {
	now := a.Now()
	m := hmac.New(sha256.New, a.basicKey)
	fmt.Fprintf(m, "%s\x00%s\x00%s", t.registry, user, pw)
	var k [sha256.Size]byte
	m.Sum(k[:0])

	a.mu.RLock()
	b := a.basic[k]
	a.mu.RUnlock()
	// A cached login holds while its password has not expired and its
	// token has not changed; otherwise log in again, which says why not.
	if b != nil && now.Before(b.expiry) {
		cur, ok, err := a.tokens.Current(ctx, t.registry, b.token)
		if err != nil {
			return nil, nil, err
		}
		if ok && cur.Generation == b.generation && cur.Created == b.created {
			return &identity{token: b.token, scope: cur.Scope, password: b.password, passwordCreated: b.passwordCreated}, nil, nil
		}
	}
	if wait := a.Guard.Admit(t.registry, user, pw, addr); wait > 0 {
		return nil, throttled(user, "", wait, guard.ByAddress), nil
	}
	l, err := a.tokens.Login(ctx, t.registry, user, pw)
	var rf *Refusal
	if errors.As(err, &rf) {
		a.mu.Lock()
		delete(a.basic, k)
		a.mu.Unlock()
		if wait, by := a.Guard.Failed(t.registry, user, pw, addr); wait > 0 {
			return nil, throttled(user, rf.Reason, wait, by), nil
		}
		return nil, &refusal{token: user, public: rf.Public, reason: rf.Reason, class: cmp.Or(rf.Class, guard.ClassBadCredentials)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	a.Guard.Succeeded(t.registry, user, pw)
	a.mu.Lock()
	if len(a.basic) >= maxCached {
		a.sweepLocked(now)
	}
	a.basic[k] = &basicLogin{token: l.Token, password: l.Password, passwordCreated: l.PasswordCreated,
		expiry: l.Expiry, generation: l.Generation, created: l.Created}
	a.mu.Unlock()
	return &identity{token: l.Token, scope: l.Scope, password: l.Password, passwordCreated: l.PasswordCreated}, nil, nil
}

// sweepLocked drops expired credentials, and everything if that is not
// enough. a.mu must be held.
func (a *Authorizer) sweepLocked(now time.Time) {
	for k, v := range a.bearer {
		if !now.Before(v.expiry) {
			delete(a.bearer, k)
		}
	}
	for k, b := range a.basic {
		if !now.Before(b.expiry) {
			delete(a.basic, k)
		}
	}
	if len(a.bearer) >= maxCached {
		a.bearer = map[string]*verified{}
	}
	if len(a.basic) >= maxCached {
		a.basic = map[[sha256.Size]byte]*basicLogin{}
	}
}
