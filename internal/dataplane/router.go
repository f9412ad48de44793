package dataplane

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/distribution/v3/registry/auth"
	"github.com/gorilla/mux"
)

// Config says where registries keep their content and which registry a
// request is for.
type Config struct {
	// Driver is a distribution storage driver: "filesystem", or one whose
	// package the binary imports ("s3aws", "azure", "gcs").
	Driver string
	// Parameters are the driver's parameters, as in distribution's
	// configuration file. Each registry gets its own root:
	// <rootdirectory>/registries/<name>.
	Parameters map[string]any
	// Secret signs the state of blob uploads; every node needs the same.
	Secret string
	// Resolve names the registry a request's Host routes to, and its login
	// server (SPEC §5); ok is false when the server has no registry. It is
	// called on every request and must answer from memory.
	Resolve func(ctx context.Context, host string) (registry, loginServer string, ok bool)
}

// Router serves /v2/ for every registry: it resolves the registry from the
// Host, identifies the caller, and hands the request to that registry's
// distribution app, opened on first use. It is safe for concurrent use.
type Router struct {
	cfg    Config
	auth   *Authorizer // nil: no authentication (benchmarks only)
	ctl    *controller
	log    *slog.Logger
	routes *mux.Router

	mu   sync.Mutex
	apps map[string]*appSlot
}

type appSlot struct {
	once sync.Once
	ra   *registryApp
	err  error
}

// New returns a Router. With a nil Authorizer every request is allowed;
// that exists to measure what authentication costs.
func New(cfg Config, a *Authorizer, log *slog.Logger) (*Router, error) {
	if cfg.Driver == "" {
		return nil, fmt.Errorf("data plane: no storage driver")
	}
	if cfg.Resolve == nil {
		return nil, fmt.Errorf("data plane: no registry resolver")
	}
	routeLogrus(log)
	return &Router{cfg: cfg, auth: a, ctl: &controller{auth: a}, log: log, routes: newRoutes(), apps: map[string]*appSlot{}}, nil
}

// ServeHTTP serves one /v2/ request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	registry, loginServer, ok := rt.cfg.Resolve(ctx, r.Host)
	if !ok {
		errcode.ServeJSON(w, errcode.ErrorCodeNameUnknown.WithMessage("this server has no registry"))
		return
	}
	t := target{registry: registry, loginServer: loginServer, realm: realm(r)}
	ctx = withTarget(ctx, t)
	var m mux.RouteMatch
	matched := rt.routes.Match(r, &m)
	if badName(w, m, matched) {
		return
	}
	var id *identity
	if rt.auth != nil {
		var ref *refusal
		var err error
		id, ref, err = rt.auth.identify(ctx, r, t)
		if err != nil {
			rt.log.ErrorContext(ctx, "identify caller", "registry", registry, "err", err)
			errcode.ServeJSON(w, errcode.ErrorCodeUnknown)
			return
		}
		rt.auth.decide(ctx, r, t, id, ref, m, matched)
		if ref != nil {
			rt.refuse(w, r, t, ref, requestScope(r, m, matched))
			return
		}
		if id != nil {
			ctx = context.WithValue(ctx, identityKey{}, id)
		}
		if matched && m.Route.GetName() == v2.RouteNameCatalog {
			rt.catalog(w, r.WithContext(ctx), t, id)
			return
		}
	}
	if matched && m.Route.GetName() == routeNameReferrers {
		rt.referrers(w, r.WithContext(ctx), t, id, m.Vars)
		return
	}
	ra, err := rt.app(ctx, registry)
	if err != nil {
		rt.log.ErrorContext(ctx, "open registry", "registry", registry, "err", err)
		errcode.ServeJSON(w, errcode.ErrorCodeUnavailable.WithMessage("the registry's storage is unavailable"))
		return
	}
	w.Header().Del("Docker-Distribution-API-Version") // the app sets its own
	rt.serveApp(w, r.WithContext(ctx), ra, m, matched)
}

// refuse answers a refused credential with 401, the challenge, and the
// reason the client may see; the log gets the real one.
func (rt *Router) refuse(w http.ResponseWriter, r *http.Request, t target, ref *refusal, scope string) {
	rt.log.WarnContext(r.Context(), "data-plane request refused", "registry", t.registry, "token", ref.token, "jti", ref.jti,
		"reason", ref.reason, "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
	if ref.retryAfter > 0 {
		refuseThrottled(w, ref)
		return
	}
	ch := challenge{realm: t.realm, service: t.loginServer, scope: scope}
	if ref.bearer {
		ch.err = "invalid_token"
	}
	ch.SetHeaders(r, w)
	errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized.WithMessage(ref.public))
}

// requestScope is the scope a request needs, for the challenge of a refused
// credential (distribution computes it itself for the others).
func requestScope(r *http.Request, m mux.RouteMatch, matched bool) string {
	if !matched {
		return ""
	}
	switch m.Route.GetName() {
	case v2.RouteNameBase:
		return ""
	case v2.RouteNameCatalog:
		return "registry:catalog:*"
	}
	repo := m.Vars["name"]
	var records []auth.Access
	add := func(method, repo string) {
		res := auth.Resource{Type: "repository", Name: repo}
		switch method {
		case http.MethodGet, http.MethodHead:
			records = append(records, auth.Access{Resource: res, Action: "pull"})
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			records = append(records, auth.Access{Resource: res, Action: "pull"}, auth.Access{Resource: res, Action: "push"})
		case http.MethodDelete:
			records = append(records, auth.Access{Resource: res, Action: "delete"})
		}
	}
	add(r.Method, repo)
	if from := r.URL.Query().Get("from"); from != "" {
		add(http.MethodGet, from)
	}
	name := m.Route.GetName()
	return scopeOf(records, name == v2.RouteNameTags || name == routeNameReferrers)
}

// realm is the token endpoint on the scheme and host the client used: some
// clients (crane) refuse a realm on another host (SPEC §4).
func realm(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p // behind a TLS-terminating proxy
	}
	return scheme + "://" + r.Host + "/oauth2/token"
}

// app returns the app of registry, opening it on first use.
func (rt *Router) app(ctx context.Context, registry string) (*registryApp, error) {
	rt.mu.Lock()
	slot := rt.apps[registry]
	if slot == nil {
		slot = &appSlot{}
		rt.apps[registry] = slot
	}
	rt.mu.Unlock()
	slot.once.Do(func() {
		// The app outlives this request: it gets a context of its own.
		slot.ra, slot.err = rt.openApp(context.WithoutCancel(ctx), registry)
	})
	if slot.err != nil {
		rt.mu.Lock()
		if rt.apps[registry] == slot {
			delete(rt.apps, registry) // let a later request try again
		}
		rt.mu.Unlock()
	}
	return slot.ra, slot.err
}

// Remove closes the app of a deleted registry and deletes its content.
func (rt *Router) Remove(ctx context.Context, registry string) error {
	rt.Close(registry)
	if err := rt.deleteContent(ctx, registry); err != nil {
		return err
	}
	rt.log.InfoContext(ctx, "registry content deleted", "registry", registry)
	return nil
}

// Close shuts down the app of registry ("" for every registry) and leaves
// its content alone: for a registry another node deleted (and deleted the
// content of), whose app here may still hold the old registry in its
// caches. A later request for the name opens a fresh app.
func (rt *Router) Close(registry string) {
	rt.mu.Lock()
	var slots []*appSlot
	for name, slot := range rt.apps {
		if registry == "" || name == registry {
			slots = append(slots, slot)
			delete(rt.apps, name)
		}
	}
	rt.mu.Unlock()
	for _, slot := range slots {
		slot.once.Do(func() {}) // wait for an open in progress
		if slot.ra != nil {
			slot.ra.app.Shutdown()
		}
	}
}

// Open opens the app of registry now rather than on its first request, so
// that a storage configuration that cannot work is found at start.
func (rt *Router) Open(ctx context.Context, registry string) error {
	_, err := rt.app(ctx, registry)
	return err
}
