package dataplane

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	"github.com/gorilla/mux"

	"github.com/openacr/openacr/internal/guard"
)

// throttled is a Basic login refused with 429 because a failure budget is
// spent (package guard); reason is the failure that spent it, if any.
func throttled(user, reason string, wait time.Duration, by string) *refusal {
	what := "address"
	if by == guard.ByToken {
		what = "token"
	}
	spent := fmt.Sprintf("failure budget of the client %s is spent", what)
	if reason != "" {
		spent = reason + "; " + spent
	}
	return &refusal{token: user, class: by, reason: spent, retryAfter: wait,
		public: fmt.Sprintf("too many failed authentications from this %s; retry after %s seconds", what, guard.RetryAfter(wait))}
}

// decide reports the outcome of identify to the guard: nothing for a
// request without credentials, a refusal, or who the caller proved to be.
// The scope the request needs (m, matched) is worked out only for the
// decisions the audit log records: not for a valid access token, the hot path.
func (a *Authorizer) decide(ctx context.Context, r *http.Request, t target, id *identity, ref *refusal, m mux.RouteMatch, matched bool) {
	if a.Guard == nil || (id == nil && ref == nil) {
		return
	}
	d := guard.Decision{API: guard.APIRegistry, Registry: t.registry, Address: a.Guard.ClientAddress(r)}
	switch {
	case ref != nil:
		d.Token, d.Result, d.Class, d.Reason = ref.token, guard.Failure, ref.class, ref.reason
		d.Scope = requestScope(r, m, matched)
		if ref.retryAfter > 0 {
			d.Result = guard.Throttled
		}
	case id.jti != "":
		d.Token, d.Result, d.Class = id.token, guard.Success, guard.ClassAccessToken
	default:
		d.Token, d.Result, d.Class = id.token, guard.Success, guard.ClassPassword
		d.Scope = requestScope(r, m, matched)
		d.Password, d.PasswordCreated = id.password, id.passwordCreated
	}
	a.Guard.Decide(ctx, d)
}

// deny reports a request refused for want of scope: its credential (id)
// checked out but does not allow what the request needs (scope, in the
// Docker grammar; reason says precisely what is missing). It logs the
// refusal and hands it to the guard, so that the metrics and the audit log
// see it too, with the method and path, the password slot of a Basic login
// or the jti of an access token. It spends no failure budget: the credential
// is good. The caller answers with insufficient_scope.
func (a *Authorizer) deny(r *http.Request, t target, id *identity, scope, reason string) {
	ctx := r.Context()
	a.log.WarnContext(ctx, "data-plane request refused", "registry", t.registry, "token", id.token, "jti", id.jti,
		"reason", reason, "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
	if a.Guard == nil {
		return
	}
	reason = r.Method + " " + r.URL.Path + ": " + reason
	if id.jti != "" {
		reason += " (access token " + id.jti + ")"
	}
	a.Guard.Decide(ctx, guard.Decision{API: guard.APIRegistry, Registry: t.registry, Token: id.token, Password: id.password,
		Address: a.Guard.ClientAddress(r), Scope: scope, Result: guard.Failure, Class: guard.ClassInsufficientScope,
		Reason: reason})
}

// refuseThrottled answers a throttled request: 429 with Retry-After.
func refuseThrottled(w http.ResponseWriter, ref *refusal) {
	w.Header().Set("Retry-After", guard.RetryAfter(ref.retryAfter))
	errcode.ServeJSON(w, errcode.ErrorCodeTooManyRequests.WithMessage(ref.public))
}
