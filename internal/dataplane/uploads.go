package dataplane

import (
	"net/http"
	"net/url"
)

// isMonolithicPost reports whether r uploads a whole blob in one POST:
// POST /v2/<name>/blobs/uploads/?digest=<digest> with the blob as body
// (distribution-spec, "Pushing a blob monolithically", POST then PUT's
// single-request form). distribution v3.1 ignores the digest and the body
// and opens an upload session instead.
func isMonolithicPost(r *http.Request) bool {
	q := r.URL.Query()
	return r.Method == http.MethodPost && q.Get("digest") != "" && q.Get("mount") == ""
}

// postBlob serves a monolithic POST as the two requests distribution knows:
// a POST that opens an upload session and a PUT that completes it with the
// body and the digest. Both go through the app, its access checks included,
// and the client gets the answer to the PUT: 201 with the blob's location,
// or the error (a digest that does not match is 400 DIGEST_INVALID).
func (rt *Router) postBlob(w http.ResponseWriter, r *http.Request, ra *registryApp) {
	open := r.Clone(r.Context())
	q := open.URL.Query()
	q.Del("digest")
	open.URL.RawQuery = q.Encode()
	open.RequestURI = open.URL.RequestURI()
	open.Body, open.ContentLength = http.NoBody, 0
	rec := newRecorder()
	ra.app.ServeHTTP(rec, open)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.status != http.StatusAccepted || err != nil {
		rec.writeTo(w)
		return
	}

	put := r.Clone(r.Context())
	put.Method = http.MethodPut
	q = loc.Query()
	q.Set("digest", r.URL.Query().Get("digest"))
	put.URL.Path, put.URL.RawPath, put.URL.RawQuery = loc.Path, loc.RawPath, q.Encode()
	put.RequestURI = put.URL.RequestURI()
	ra.app.ServeHTTP(w, put)
}
