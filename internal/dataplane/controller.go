package dataplane

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/distribution/v3/registry/auth"
	"github.com/gorilla/mux"

	"github.com/openacr/openacr/internal/scope"
)

// controllerName is the name our access controller is registered under
// with distribution.
const controllerName = "openacr"

func init() {
	err := auth.Register(controllerName, func(options map[string]any) (auth.AccessController, error) {
		c, ok := options["controller"].(*controller)
		if !ok {
			return nil, fmt.Errorf("the %s access controller needs a *dataplane.controller option", controllerName)
		}
		return c, nil
	})
	if err != nil {
		panic(err) // only if another package took the name: a programming error
	}
}

// target is the registry a request is for, as the router resolved it.
type target struct {
	registry    string
	loginServer string
	realm       string // the token endpoint on the scheme and host the client used
}

type targetKey struct{}
type identityKey struct{}

// controller is the access controller distribution calls for every request
// of an app, with the access that request needs. The router has already
// identified the caller and put the identity in the request's context.
type controller struct {
	auth *Authorizer // reports refusals
}

// Authorized grants the request if the caller's credential allows every
// access in records, and otherwise returns a challenge, which distribution
// answers with 401 and its error JSON.
func (c *controller) Authorized(r *http.Request, records ...auth.Access) (*auth.Grant, error) {
	ctx := r.Context()
	t, _ := ctx.Value(targetKey{}).(target)
	id, _ := ctx.Value(identityKey{}).(*identity)
	tags := isRoute(r, v2.RouteNameTags)
	// The challenge's scope is rendered only for a refusal: this runs on
	// every request.
	ch := func() challenge {
		return challenge{realm: t.realm, service: t.loginServer, scope: scopeOf(records, tags)}
	}
	if id == nil {
		return nil, ch()
	}
	grant := &auth.Grant{User: auth.UserInfo{Name: id.token}}
	for _, rec := range records {
		need := needed(rec, tags)
		if need == 0 || id.allowed(rec.Name)&need != need {
			refusal := ch()
			refusal.err = "insufficient_scope"
			c.auth.deny(r, t, id, refusal.scope,
				fmt.Sprintf("needs %s on %s %q; the credential allows %q", need, rec.Type, rec.Name, id.allowed(rec.Name).String()))
			return nil, refusal
		}
		grant.Resources = append(grant.Resources, rec.Resource)
	}
	return grant, nil
}

// needed maps an access distribution asks for to the scope-map action it
// needs (SPEC §2). Listing tags is metadata/read, not pull, as in ACR.
// Anything but repositories (the catalog is answered before distribution)
// needs something no credential has.
func needed(rec auth.Access, tags bool) scope.Action {
	if rec.Type != "repository" || rec.Class != "" {
		return 0
	}
	if tags && rec.Action == "pull" {
		return scope.MetadataRead
	}
	a, _ := scope.FromDocker(rec.Action)
	return a
}

// scopeOf renders records as the challenge's scope, in Docker's grammar,
// one resource per space-separated entry.
func scopeOf(records []auth.Access, tags bool) string {
	var out []scope.Request
	for _, rec := range records {
		action := rec.Action
		if tags && action == "pull" {
			action = "metadata_read"
		}
		i := slices.IndexFunc(out, func(q scope.Request) bool { return q.Type == rec.Type && q.Name == rec.Name })
		if i < 0 {
			out = append(out, scope.Request{Type: rec.Type, Class: rec.Class, Name: rec.Name})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].Actions, action) {
			out[i].Actions = append(out[i].Actions, action)
		}
	}
	s := make([]string, len(out))
	for i, q := range out {
		s[i] = q.String()
	}
	return strings.Join(s, " ")
}

func isRoute(r *http.Request, name string) bool {
	route := mux.CurrentRoute(r)
	return route != nil && route.GetName() == name
}

// challenge is a refusal that tells the client where to get an access token
// (SPEC §4). It implements distribution's auth.Challenge.
type challenge struct {
	realm, service, scope string
	err                   string // "", "invalid_token" or "insufficient_scope"
}

func (ch challenge) Error() string {
	if ch.err != "" {
		return "authorization failed: " + ch.err
	}
	return "authentication required"
}

// SetHeaders sets the WWW-Authenticate header of the challenge.
func (ch challenge) SetHeaders(_ *http.Request, w http.ResponseWriter) {
	h := fmt.Sprintf(`Bearer realm=%q,service=%q`, ch.realm, ch.service)
	if ch.scope != "" {
		h += fmt.Sprintf(`,scope=%q`, ch.scope)
	}
	if ch.err != "" {
		h += fmt.Sprintf(`,error=%q`, ch.err)
	}
	w.Header().Set("WWW-Authenticate", h)
}

func withTarget(ctx context.Context, t target) context.Context {
	return context.WithValue(ctx, targetKey{}, t)
}
