package dataplane

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/reference"
	"github.com/gorilla/mux"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/openacr/openacr/internal/scope"
)

// routeNameReferrers is the OCI 1.1 referrers API, which distribution v3.1
// does not serve: GET /v2/<name>/referrers/<digest>.
const routeNameReferrers = "referrers"

// newRoutes returns distribution's /v2/ routes plus the referrers route.
// It builds a router of its own: v2.Router() is shared with every user of
// the package.
func newRoutes() *mux.Router {
	r := v2.RouterWithPrefix("")
	// Any digest-like text matches, so that a malformed one gets 400
	// DIGEST_INVALID rather than 404.
	r.Path("/v2/{name:" + reference.NameRegexp.String() + "}/referrers/{digest:[^/]+}").Name(routeNameReferrers)
	return r
}

// referrers answers GET /v2/<name>/referrers/<digest> from the referrer
// index (OCI distribution-spec 1.1, "Listing Referrers"): an image index of
// the manifests whose subject is the digest, filtered by artifactType when
// asked. It needs metadata/read on the repository, as listing tags does
// (SPEC §2). An unknown subject or repository has no referrers: 200 with an
// empty list, as the spec requires.
func (rt *Router) referrers(w http.ResponseWriter, r *http.Request, t target, id *identity, vars map[string]string) {
	repo := vars["name"]
	if r.Method != http.MethodGet {
		errcode.ServeJSON(w, errcode.ErrorCodeUnsupported)
		return
	}
	if rt.auth != nil && !rt.mayReadMetadata(w, r, t, id, repo) {
		return
	}
	subject, err := digest.Parse(vars["digest"])
	if err != nil {
		errcode.ServeJSON(w, errcode.ErrorCodeDigestInvalid.WithDetail(err.Error()))
		return
	}
	ra, err := rt.app(r.Context(), t.registry)
	if err != nil {
		rt.log.ErrorContext(r.Context(), "open registry", "registry", t.registry, "err", err)
		errcode.ServeJSON(w, errcode.ErrorCodeUnavailable)
		return
	}
	descs, err := ra.referrers.List(r.Context(), repo, subject)
	if err != nil {
		rt.log.ErrorContext(r.Context(), "list referrers", "registry", t.registry, "repository", repo, "err", err)
		errcode.ServeJSON(w, errcode.ErrorCodeUnknown)
		return
	}
	if at := r.URL.Query().Get("artifactType"); at != "" {
		descs = filterArtifactType(descs, at)
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	body, err := json.Marshal(v1.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageIndex,
		Manifests: descs,
	})
	if err != nil {
		errcode.ServeJSON(w, errcode.ErrorCodeUnknown.WithDetail(err.Error()))
		return
	}
	w.Header().Set("Content-Type", v1.MediaTypeImageIndex)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// mayReadMetadata reports whether the caller holds metadata/read on repo,
// and otherwise answers with the challenge that asks for it.
func (rt *Router) mayReadMetadata(w http.ResponseWriter, r *http.Request, t target, id *identity, repo string) bool {
	ch := challenge{realm: t.realm, service: t.loginServer, scope: "repository:" + repo + ":metadata_read"}
	switch {
	case id == nil:
		ch.SetHeaders(r, w)
		errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized)
		return false
	case id.allowed(repo)&scope.MetadataRead == 0:
		rt.auth.deny(r, t, id, ch.scope,
			fmt.Sprintf("listing referrers needs metadata/read on %q; the credential allows %q", repo, id.allowed(repo).String()))
		ch.err = "insufficient_scope"
		ch.SetHeaders(r, w)
		errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized)
		return false
	}
	return true
}

func filterArtifactType(descs []v1.Descriptor, artifactType string) []v1.Descriptor {
	out := []v1.Descriptor{}
	for _, d := range descs {
		if d.ArtifactType == artifactType {
			out = append(out, d)
		}
	}
	return out
}
