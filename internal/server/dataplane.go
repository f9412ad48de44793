package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/authserver"
	"github.com/openacr/openacr/internal/dataplane"
	"github.com/openacr/openacr/internal/signing"
)

// dataPlane is what serves /v2/ and /oauth2/: the registries' apps, the
// token endpoint, and the keys and token cache they share.
type dataPlane struct {
	cache  *access.Cache
	keys   *signing.Keys
	router *dataplane.Router
	tokens *authserver.Server
}

// openDataPlane wires the data plane to the credential service. cache must
// be the store the Service was made with, so that every change the Service
// makes reaches the data plane before it returns.
func (s *Server) openDataPlane(ctx context.Context, cache *access.Cache, rootKey string) (*dataPlane, error) {
	keys, err := signing.Open(ctx, s.store, derive(rootKey, "openacr signing keys"))
	if err != nil {
		return nil, err
	}
	authz := dataplane.NewAuthorizer(liveTokens{svc: s.Access, cache: cache}, keys, s.log)
	authz.Now = s.now
	authz.Guard = s.trust.guard
	routerAuth := authz
	if s.cfg.Diagnostics.InsecureNoAuth {
		routerAuth = nil // a nil Authorizer allows every request
		s.log.Warn("/v2/ serves every request without authentication (--insecure-no-auth: benchmarks only)")
	}
	st := s.cfg.storage()
	router, err := dataplane.New(dataplane.Config{
		Driver:     st.Driver,
		Parameters: st.Parameters,
		Secret:     hex.EncodeToString(derive(rootKey, "openacr upload state")),
		Resolve:    s.resolveHost,
	}, routerAuth, s.log)
	if err != nil {
		return nil, err
	}
	// Open the default registry now, so that a storage configuration that
	// cannot work stops the server at start rather than at the first push.
	if def := s.defaultRegistry(ctx); def != "" {
		if err := router.Open(ctx, def); err != nil {
			return nil, err
		}
	}
	tokens := authserver.New(s.Access, cache, keys, authserver.Config{Resolve: s.resolveToken, Guard: s.trust.guard}, s.log)
	tokens.Now = s.now
	cache.OnRegistriesChanged(func(ctx context.Context, ch access.RegistriesChange) {
		switch {
		case ch.All:
			router.Close("")
		case ch.Deleted == "":
		case ch.Remote: // the node that deleted it deleted the content
			router.Close(ch.Deleted)
		default:
			if err := router.Remove(ctx, ch.Deleted); err != nil {
				s.log.ErrorContext(ctx, "delete registry content", "registry", ch.Deleted, "err", err)
			}
		}
	})
	return &dataPlane{cache: cache, keys: keys, router: router, tokens: tokens}, nil
}

// now is the data plane's clock: the Service's, so that tests that move
// one move both.
func (s *Server) now() time.Time { return s.Access.Now() }

// resolveHost names the registry a request's Host routes to (SPEC §5): the
// one whose login server it is, else the default registry.
func (s *Server) resolveHost(ctx context.Context, host string) (registry, loginServer string, ok bool) {
	regs, err := s.dp.cache.Registries(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "list registries", "err", err)
		return "", "", false
	}
	exists := func(name string) bool {
		for _, r := range regs {
			if r.Name == name {
				return true
			}
		}
		return false
	}
	h := strings.ToLower(host)
	if s.cfg.Domain != "" {
		if hn, _, err := net.SplitHostPort(h); err == nil {
			h = hn // login servers under a domain carry no port
		}
	}
	name, found := strings.CutSuffix(h, "."+s.baseHost())
	if !found || !exists(name) {
		name = s.defaultRegistry(ctx)
	}
	if name == "" || !exists(name) {
		return "", "", false
	}
	return name, s.loginServer(name), true
}

// resolveToken names the registry a token request is for: the one whose
// login server the client named as service, else the one its Host routes to.
func (s *Server) resolveToken(ctx context.Context, host, service string) (registry, loginServer string, ok bool) {
	if service != "" {
		regs, err := s.dp.cache.Registries(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "list registries", "err", err)
			return "", "", false
		}
		for _, r := range regs {
			if ls := s.loginServer(r.Name); strings.EqualFold(ls, service) {
				return r.Name, ls, true
			}
		}
	}
	return s.resolveHost(ctx, host)
}

// liveTokens is the data plane's view of tokens, over the Service and the
// cache it writes through.
type liveTokens struct {
	svc   *access.Service
	cache *access.Cache
}

var _ dataplane.Tokens = liveTokens{}

// Login checks HTTP Basic credentials.
func (l liveTokens) Login(ctx context.Context, registry, username, password string) (dataplane.Login, error) {
	p, err := l.svc.Authenticate(ctx, registry, username, password)
	var ae *access.AuthError
	if errors.As(err, &ae) {
		return dataplane.Login{}, &dataplane.Refusal{Public: ae.Public, Reason: ae.Reason, Class: ae.ClassOf()}
	}
	if err != nil {
		return dataplane.Login{}, err
	}
	st, err := l.cache.State(ctx, p.Registry, p.Token)
	switch {
	case errors.Is(err, access.ErrNotFound):
		return dataplane.Login{}, &dataplane.Refusal{Public: access.GenericAuthFailure, Reason: fmt.Sprintf("token %q was deleted during login", p.Token)}
	case err != nil:
		return dataplane.Login{}, err
	case st.Generation != p.Generation:
		return dataplane.Login{}, &dataplane.Refusal{Public: access.GenericAuthFailure,
			Reason: fmt.Sprintf("token %q changed during login (generation %d, now %d)", p.Token, p.Generation, st.Generation)}
	}
	pw, _ := st.Password(p.Password)
	return dataplane.Login{Token: p.Token, Password: p.Password, PasswordCreated: pw.Created, Expiry: p.Expiry, Current: current(st)}, nil
}

// Current returns a token's state from memory.
func (l liveTokens) Current(ctx context.Context, registry, token string) (dataplane.Current, bool, error) {
	st, err := l.cache.State(ctx, registry, token)
	if errors.Is(err, access.ErrNotFound) {
		return dataplane.Current{}, false, nil
	}
	if err != nil {
		return dataplane.Current{}, false, err
	}
	return current(st), true, nil
}

func current(st access.TokenState) dataplane.Current {
	return dataplane.Current{Generation: st.Generation, Created: st.Created.UnixMicro(), Scope: st.Scope}
}
