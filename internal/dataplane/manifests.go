package dataplane

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	v2 "github.com/distribution/distribution/v3/registry/api/v2"
	"github.com/distribution/reference"
	"github.com/gorilla/mux"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxManifestBytes is distribution's limit on a manifest body.
const maxManifestBytes = 4 << 20

// serveApp hands a request to the registry's distribution app; manifest
// writes and monolithic blob uploads go through the wrappers that add what
// OCI 1.1 asks of them.
func (rt *Router) serveApp(w http.ResponseWriter, r *http.Request, ra *registryApp, m mux.RouteMatch, matched bool) {
	if matched && m.Route.GetName() == v2.RouteNameBlobUpload && isMonolithicPost(r) {
		rt.postBlob(w, r, ra)
		return
	}
	if matched && m.Route.GetName() == v2.RouteNameManifest {
		repo, ref := m.Vars["name"], m.Vars["reference"]
		switch r.Method {
		case http.MethodPut:
			rt.putManifest(w, r, ra, repo, ref)
			return
		case http.MethodDelete:
			if dgst, err := digest.Parse(ref); err == nil {
				rt.deleteManifest(w, r, ra, repo, dgst)
				return
			}
		}
	}
	ra.app.ServeHTTP(w, r)
}

// putManifest stores a manifest through the app and then, once the app
// has accepted it: records the alias of a digest other than sha256 (see
// digests.go), indexes the manifest under its subject, and answers with
// OCI-Subject, which tells the client the registry indexed it so that it
// need not maintain the referrers tag itself (distribution-spec 1.1,
// "Pushing Manifests with Subject").
func (rt *Router) putManifest(w http.ResponseWriter, r *http.Request, ra *registryApp, repo, ref string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifestBytes+1))
	if err != nil {
		rt.serveError(w, errcode.ErrorCodeManifestInvalid.WithDetail(err.Error()))
		return
	}
	if len(body) > maxManifestBytes { // distribution refuses it
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		ra.app.ServeHTTP(w, r)
		return
	}
	var f manifestFields
	_ = json.Unmarshal(body, &f) // the app validates the manifest; this only looks
	var subject digest.Digest
	if f.Subject != nil {
		// Its parts become path elements of the index: validate before use.
		if subject, err = digest.Parse(string(f.Subject.Digest)); err != nil {
			rt.serveError(w, errcode.ErrorCodeManifestInvalid.WithDetail("subject: "+err.Error()))
			return
		}
	}

	canonical := digest.FromBytes(body)
	stored := canonical // the digest the client knows the manifest by
	fwd := r.Clone(r.Context())
	if alias, ok := aliasDigest(ref, body); ok {
		// distribution checks a digest reference against the payload's
		// sha256: store the manifest under that one.
		stored = alias
		fwd.URL.Path = strings.TrimSuffix(r.URL.Path, ref) + canonical.String()
		fwd.URL.RawPath = ""
		fwd.RequestURI = fwd.URL.RequestURI()
	}
	fwd.Body = io.NopCloser(bytes.NewReader(body))
	fwd.ContentLength = int64(len(body))
	rec := newRecorder()
	ra.app.ServeHTTP(rec, fwd)
	if rec.status != http.StatusCreated {
		rec.writeTo(w)
		return
	}

	ctx := r.Context()
	if stored != canonical {
		if err := ra.links.manifestAlias(ctx, repo, stored, canonical); err != nil {
			rt.log.ErrorContext(ctx, "record manifest digest", "repository", repo, "digest", stored, "err", err)
			rt.serveError(w, errcode.ErrorCodeUnknown)
			return
		}
		rec.Header().Set("Docker-Content-Digest", stored.String())
		rec.Header().Set("Location", strings.Replace(rec.Header().Get("Location"), canonical.String(), stored.String(), 1))
	}
	if subject != "" {
		desc := f.descriptor(stored, int64(len(body)), r.Header.Get("Content-Type"))
		if err := ra.referrers.Add(ctx, repo, subject, desc); err != nil {
			// The manifest is stored; a retry of the PUT indexes it.
			rt.log.ErrorContext(ctx, "index referrer", "repository", repo, "digest", stored, "err", err)
			rt.serveError(w, errcode.ErrorCodeUnknown)
			return
		}
		rec.Header().Set("OCI-Subject", subject.String())
	}
	rec.writeTo(w)
}

// aliasDigest returns ref as a digest if it is one of another algorithm
// than sha256 and matches body. Anything else goes to the app as it came,
// which refuses a mismatch after it has checked the caller's credentials.
func aliasDigest(ref string, body []byte) (digest.Digest, bool) {
	d, err := digest.Parse(ref)
	if err != nil || d.Algorithm() == digest.Canonical {
		return "", false
	}
	return d, d.Algorithm().FromBytes(body) == d
}

// deleteManifest deletes a manifest by digest through the app and then
// removes it from the referrer index, and deletes its other digest as well
// (sha256 or sha512): both name one manifest, and a manifest pushed by
// sha512 is also stored under its sha256.
func (rt *Router) deleteManifest(w http.ResponseWriter, r *http.Request, ra *registryApp, repo string, dgst digest.Digest) {
	ctx := r.Context()
	payload := ra.manifestPayload(ctx, repo, dgst) // read before it goes
	rec := newRecorder()
	ra.app.ServeHTTP(rec, r)
	if rec.status != http.StatusAccepted || payload == nil {
		rec.writeTo(w)
		return
	}
	digests := []digest.Digest{dgst}
	for _, alg := range []digest.Algorithm{digest.SHA256, digest.SHA512} {
		if alg != dgst.Algorithm() {
			other := alg.FromBytes(payload)
			digests = append(digests, other)
			// Through the app, so that its descriptor cache forgets it too.
			sub := r.Clone(ctx)
			sub.URL.Path = strings.TrimSuffix(r.URL.Path, dgst.String()) + other.String()
			sub.URL.RawPath = ""
			sub.RequestURI = sub.URL.RequestURI()
			ra.app.ServeHTTP(newRecorder(), sub) // 404 when it was not stored under it
		}
	}
	var f manifestFields
	if json.Unmarshal(payload, &f) == nil && f.Subject != nil {
		if subject, err := digest.Parse(string(f.Subject.Digest)); err == nil {
			for _, d := range digests {
				if err := ra.referrers.Remove(ctx, repo, subject, d); err != nil {
					rt.log.ErrorContext(ctx, "remove referrer from index", "repository", repo, "digest", d, "err", err)
				}
			}
		}
	}
	rec.writeTo(w)
}

// manifestPayload returns the manifest dgst of repo, or nil if it cannot.
func (ra *registryApp) manifestPayload(ctx context.Context, repo string, dgst digest.Digest) []byte {
	named, err := reference.WithName(repo)
	if err != nil {
		return nil
	}
	r, err := ra.ns.Repository(ctx, named)
	if err != nil {
		return nil
	}
	ms, err := r.Manifests(ctx)
	if err != nil {
		return nil
	}
	m, err := ms.Get(ctx, dgst)
	if err != nil {
		return nil
	}
	_, p, err := m.Payload()
	if err != nil {
		return nil
	}
	return p
}

// manifestFields are the fields of an image manifest or index that its
// descriptor in a referrers list carries.
type manifestFields struct {
	MediaType    string `json:"mediaType"`
	ArtifactType string `json:"artifactType"`
	Config       *struct {
		MediaType string `json:"mediaType"`
	} `json:"config"`
	Subject     *v1.Descriptor    `json:"subject"`
	Annotations map[string]string `json:"annotations"`
}

// descriptor is the manifest's entry in its subject's referrers list. An
// image manifest without artifactType is listed with its config's media
// type, as the spec says.
func (f manifestFields) descriptor(dgst digest.Digest, size int64, contentType string) v1.Descriptor {
	d := v1.Descriptor{MediaType: f.MediaType, Digest: dgst, Size: size, ArtifactType: f.ArtifactType, Annotations: f.Annotations}
	if d.MediaType == "" {
		d.MediaType = contentType
	}
	if d.ArtifactType == "" && f.Config != nil {
		d.ArtifactType = f.Config.MediaType
	}
	return d
}

// serveError answers with a distribution error, as the app would.
func (rt *Router) serveError(w http.ResponseWriter, err error) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	errcode.ServeJSON(w, err)
}

// recorder keeps the app's answer so that headers can be added once the
// outcome is known; manifest write answers are a few hundred bytes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	return rec.body.Write(p)
}

func (rec *recorder) writeTo(w http.ResponseWriter) {
	maps.Copy(w.Header(), rec.header)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}
