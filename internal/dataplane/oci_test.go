package dataplane_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ociRegistry drives a router without authentication over plain HTTP, with
// requests written by hand: these tests check the wire details (headers,
// digests) that client libraries hide.
type ociRegistry struct {
	t  *testing.T
	ts *httptest.Server
}

// newOCIRegistry serves the registry stored in dir; a second one over the
// same dir is the same registry after a restart.
func newOCIRegistry(t *testing.T, dir string) *ociRegistry {
	t.Helper()
	ts := httptest.NewServer(newRouter(t, dir, nil))
	t.Cleanup(ts.Close)
	return &ociRegistry{t: t, ts: ts}
}

func (o *ociRegistry) do(method, path string, hdr http.Header, body []byte) (*http.Response, []byte) {
	o.t.Helper()
	req, err := http.NewRequestWithContext(o.t.Context(), method, o.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := o.ts.Client().Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return resp, b
}

// pushBlob uploads b as a blob of repo in one POST and returns its
// descriptor; alg picks the digest algorithm.
func (o *ociRegistry) pushBlob(repo string, alg digest.Algorithm, mediaType string, b []byte) v1.Descriptor {
	o.t.Helper()
	d := alg.FromBytes(b)
	resp, body := o.do("POST", "/v2/"+repo+"/blobs/uploads/?digest="+d.String(), http.Header{"Content-Type": {"application/octet-stream"}}, b)
	if resp.StatusCode != http.StatusCreated {
		o.t.Fatalf("push blob %s: %d %s", d, resp.StatusCode, body)
	}
	return v1.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}
}

// putManifest PUTs m to repo at ref (a tag, or "" for its digest in alg)
// and returns its descriptor and the response.
func (o *ociRegistry) putManifest(repo, ref string, alg digest.Algorithm, m any) (v1.Descriptor, *http.Response) {
	o.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		o.t.Fatal(err)
	}
	var mt struct {
		MediaType string `json:"mediaType"`
	}
	json.Unmarshal(b, &mt)
	desc := v1.Descriptor{MediaType: mt.MediaType, Digest: alg.FromBytes(b), Size: int64(len(b))}
	if ref == "" {
		ref = desc.Digest.String()
	}
	resp, body := o.do("PUT", "/v2/"+repo+"/manifests/"+ref, http.Header{"Content-Type": {mt.MediaType}}, b)
	if resp.StatusCode != http.StatusCreated {
		o.t.Fatalf("put manifest %s: %d %s", ref, resp.StatusCode, body)
	}
	return desc, resp
}

// image pushes a one-layer image whose blobs and manifest use alg, and
// returns the manifest's descriptor.
func (o *ociRegistry) image(repo string, alg digest.Algorithm, opts ...func(*v1.Manifest)) v1.Descriptor {
	o.t.Helper()
	m := v1.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageManifest,
		Config:    o.pushBlob(repo, alg, v1.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)),
		Layers:    []v1.Descriptor{o.pushBlob(repo, alg, v1.MediaTypeImageLayer, []byte("layer of "+repo))},
	}
	for _, opt := range opts {
		opt(&m)
	}
	desc, _ := o.putManifest(repo, "", alg, m)
	return desc
}

// artifact pushes an artifact manifest of artifactType referring to
// subject, with annotations.
func (o *ociRegistry) artifact(repo, artifactType string, subject v1.Descriptor, annotations map[string]string) v1.Descriptor {
	o.t.Helper()
	m := v1.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    v1.MediaTypeImageManifest,
		ArtifactType: artifactType,
		Config:       o.pushBlob(repo, digest.SHA256, v1.MediaTypeEmptyJSON, []byte("{}")),
		Layers:       []v1.Descriptor{o.pushBlob(repo, digest.SHA256, "application/octet-stream", []byte(artifactType+" payload"))},
		Subject:      &subject,
		Annotations:  annotations,
	}
	desc, resp := o.putManifest(repo, "", digest.SHA256, m)
	if got := resp.Header.Get("OCI-Subject"); got != subject.Digest.String() {
		o.t.Errorf("PUT of a manifest with a subject: OCI-Subject %q, want %q", got, subject.Digest)
	}
	desc.ArtifactType, desc.Annotations = artifactType, annotations
	return desc
}

// referrers lists the referrers of subject, with an artifactType filter
// when it is not empty, and returns them and the response.
func (o *ociRegistry) referrers(repo string, subject digest.Digest, artifactType string) ([]v1.Descriptor, *http.Response) {
	o.t.Helper()
	path := "/v2/" + repo + "/referrers/" + subject.String()
	if artifactType != "" {
		path += "?artifactType=" + url.QueryEscape(artifactType)
	}
	resp, body := o.do("GET", path, nil, nil)
	if resp.StatusCode != http.StatusOK {
		o.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != v1.MediaTypeImageIndex {
		o.t.Errorf("GET %s: Content-Type %q, want %q", path, ct, v1.MediaTypeImageIndex)
	}
	var idx v1.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		o.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	if idx.SchemaVersion != 2 || idx.MediaType != v1.MediaTypeImageIndex || idx.Manifests == nil {
		o.t.Errorf("GET %s: %s, want an OCI image index with a manifests list", path, body)
	}
	return idx.Manifests, resp
}
