package dataplane

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/registry/api/errcode"
	storagedriver "github.com/distribution/distribution/v3/registry/storage/driver"

	"github.com/openacr/openacr/internal/scope"
)

// Catalog page sizes, as distribution's defaults.
const (
	defaultCatalogEntries = 100
	maxCatalogEntries     = 1000
)

// catalog answers GET /v2/_catalog with only the repositories the caller's
// token holds some action on (SPEC §2; ACR refuses tokens the catalog
// altogether). distribution cannot filter its own, so this replaces it.
func (rt *Router) catalog(w http.ResponseWriter, r *http.Request, t target, id *identity) {
	ch := challenge{realm: t.realm, service: t.loginServer, scope: "registry:catalog:*"}
	switch {
	case r.Method != http.MethodGet:
		errcode.ServeJSON(w, errcode.ErrorCodeUnsupported)
		return
	case id == nil:
		ch.SetHeaders(r, w)
		errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized)
		return
	case id.repos != nil && !id.catalog:
		rt.auth.deny(r, t, id, ch.scope, "the access token does not grant registry:catalog:*")
		ch.err = "insufficient_scope"
		ch.SetHeaders(r, w)
		errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized)
		return
	}
	q := r.URL.Query()
	n := defaultCatalogEntries
	if s := q.Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > maxCatalogEntries {
			errcode.ServeJSON(w, errcode.ErrorCodePaginationNumberInvalid.WithDetail(map[string]string{"n": s}))
			return
		}
		n = v
	}
	ra, err := rt.app(r.Context(), t.registry)
	if err != nil {
		rt.log.ErrorContext(r.Context(), "open registry", "registry", t.registry, "err", err)
		errcode.ServeJSON(w, errcode.ErrorCodeUnavailable)
		return
	}
	repos, more, err := filteredRepositories(r.Context(), ra.ns, id.scope, q.Get("last"), n)
	if err != nil {
		rt.log.ErrorContext(r.Context(), "list repositories", "registry", t.registry, "err", err)
		errcode.ServeJSON(w, errcode.ErrorCodeUnknown)
		return
	}
	if more {
		next := url.URL{Path: r.URL.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}, "last": {repos[len(repos)-1]}}.Encode()}
		w.Header().Set("Link", `<`+next.String()+`>; rel="next"`)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Repositories []string `json:"repositories"`
	}{repos})
}

// filteredRepositories returns up to n repositories after last that set
// grants anything on, and whether there may be more.
func filteredRepositories(ctx context.Context, ns distribution.Namespace, set *scope.Set, last string, n int) ([]string, bool, error) {
	out := []string{}
	if n == 0 {
		return out, false, nil
	}
	buf := make([]string, defaultCatalogEntries)
	for {
		got, err := ns.Repositories(ctx, buf, last)
		for _, repo := range buf[:got] {
			if set.Allowed(repo) != 0 {
				out = append(out, repo)
				if len(out) == n {
					return out, true, nil
				}
			}
		}
		switch {
		case errors.Is(err, io.EOF) || errors.As(err, new(storagedriver.PathNotFoundError)):
			return out, false, nil
		case err != nil:
			return nil, false, err
		case got == 0:
			return out, false, nil
		}
		last = buf[got-1]
	}
}
