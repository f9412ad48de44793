package authserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/guard"
	"github.com/openacr/openacr/internal/scope"
)

// throttledError is a login refused with 429 because a failure budget is
// spent (package guard).
type throttledError struct {
	wait time.Duration
	by   string // guard.ByAddress or guard.ByToken
}

func (e *throttledError) Error() string {
	return fmt.Sprintf("too many failed authentications from this %s; retry after %s seconds", byWhat(e.by), guard.RetryAfter(e.wait))
}

func byWhat(by string) string {
	if by == guard.ByToken {
		return "token"
	}
	return "address"
}

// authenticate checks the credential of req under the guard: a password
// grant from an address over its failure budget is refused before the
// check, a failure spends budget (and becomes a *throttledError when over
// it), and every outcome is reported as a decision.
func (s *Server) authenticate(ctx context.Context, r *http.Request, registry, loginServer string, req request) (grant, error) {
	gd := s.cfg.Guard
	d := guard.Decision{API: guard.APIToken, Registry: registry, Token: req.username, Address: gd.ClientAddress(r),
		Scope: joinScopes(req.scopes)}
	password := req.grantType == "password"
	if password {
		if wait := gd.Admit(registry, req.username, req.password, d.Address); wait > 0 {
			return grant{}, s.throttled(ctx, d, wait, guard.ByAddress)
		}
	}
	var g grant
	var err error
	if password {
		g, err = s.login(ctx, registry, req.username, req.password)
	} else {
		g, err = s.refresh(ctx, registry, loginServer, req.refreshToken)
	}
	if g.state.Token != "" {
		d.Token = g.state.Token
	}
	var ae *access.AuthError
	switch {
	case errors.As(err, &ae):
		if password && req.username != "" { // no credentials is no attempt
			if wait, by := gd.Failed(registry, req.username, req.password, d.Address); wait > 0 {
				d.Reason = ae.Reason
				return grant{}, s.throttled(ctx, d, wait, by)
			}
		}
		d.Result, d.Class, d.Reason = guard.Failure, ae.ClassOf(), ae.Reason
		gd.Decide(ctx, d)
		return grant{}, err
	case err != nil:
		return grant{}, err
	}
	d.Result, d.Class = guard.Success, guard.ClassRefreshToken
	if password {
		gd.Succeeded(registry, req.username, req.password)
		d.Class = guard.ClassPassword
	}
	d.Password, d.PasswordCreated = g.password.Name, g.password.Created
	gd.Decide(ctx, d)
	return g, nil
}

// joinScopes renders requested scopes for the audit log.
func joinScopes(scopes []scope.Request) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = sc.String()
	}
	return strings.Join(s, " ")
}

// throttled reports and logs a throttled login and returns its error.
func (s *Server) throttled(ctx context.Context, d guard.Decision, wait time.Duration, by string) error {
	reason := fmt.Sprintf("failure budget of the client %s is spent", byWhat(by))
	if d.Reason != "" {
		reason = d.Reason + "; " + reason
	}
	d.Result, d.Class, d.Reason = guard.Throttled, by, reason
	s.cfg.Guard.Decide(ctx, d)
	s.log.WarnContext(ctx, "token request throttled", "registry", d.Registry, "token", d.Token,
		"reason", reason, "retry_after", guard.RetryAfter(wait), "remote_addr", d.Address)
	return &throttledError{wait: wait, by: by}
}

// writeThrottled answers a throttled request: 429 with Retry-After.
func writeThrottled(w http.ResponseWriter, e *throttledError) {
	w.Header().Set("Retry-After", guard.RetryAfter(e.wait))
	writeError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", e.Error())
}
