package dataplane_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// A sha512 digest is the blob's or manifest's name everywhere: in the
// answers to pushes, in reads, in mounts and in deletes.
func TestSHA512DigestsAreKeptAndReported(t *testing.T) {
	dir := t.TempDir()
	o := newOCIRegistry(t, dir)
	blob := []byte("a sha512 blob")
	d := digest.SHA512.FromBytes(blob)

	t.Run("a blob upload answers with its sha512 digest", func(t *testing.T) {
		resp, body := o.do("POST", "/v2/app/blobs/uploads/", nil, nil)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST upload: %d %s", resp.StatusCode, body)
		}
		loc := resp.Header.Get("Location")
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		resp, body = o.do("PUT", strings.TrimPrefix(loc, o.ts.URL)+sep+"digest="+d.String(), nil, blob)
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("Docker-Content-Digest") != d.String() ||
			!strings.HasSuffix(resp.Header.Get("Location"), "/v2/app/blobs/"+d.String()) {
			t.Fatalf("PUT upload: %d %v %s, want 201 with the sha512 digest and location", resp.StatusCode, resp.Header, body)
		}
	})
	for _, method := range []string{"HEAD", "GET"} {
		t.Run(method+" of the blob reports its sha512 digest", func(t *testing.T) {
			resp, body := o.do(method, "/v2/app/blobs/"+d.String(), nil, nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Docker-Content-Digest") != d.String() {
				t.Fatalf("%s: %d %q, want 200 with %s", method, resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), d)
			}
			if method == "GET" && !bytes.Equal(body, blob) {
				t.Errorf("GET: body %q, want %q", body, blob)
			}
		})
	}
	t.Run("a mount by sha512 links the blob under sha512", func(t *testing.T) {
		resp, body := o.do("POST", "/v2/copy/blobs/uploads/?mount="+d.String()+"&from=app", nil, nil)
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("Docker-Content-Digest") != d.String() {
			t.Fatalf("mount: %d %v %s, want 201 with the sha512 digest", resp.StatusCode, resp.Header, body)
		}
		resp, body = o.do("GET", "/v2/copy/blobs/"+d.String(), nil, nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, blob) {
			t.Errorf("GET of the mounted blob: %d %s, want 200 with its content", resp.StatusCode, body)
		}
	})

	img := o.image("app", digest.SHA512)
	t.Run("a manifest PUT by sha512 is stored under it", func(t *testing.T) {
		for _, method := range []string{"HEAD", "GET"} {
			resp, _ := o.do(method, "/v2/app/manifests/"+img.Digest.String(), http.Header{"Accept": {v1.MediaTypeImageManifest}}, nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Docker-Content-Digest") != img.Digest.String() {
				t.Errorf("%s by sha512: %d %q, want 200 with %s", method, resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), img.Digest)
			}
		}
	})
	t.Run("an index of sha512 manifests is accepted", func(t *testing.T) {
		idx := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{img}}
		desc, resp := o.putManifest("app", "", digest.SHA512, idx)
		if resp.Header.Get("Docker-Content-Digest") != desc.Digest.String() || !strings.HasSuffix(resp.Header.Get("Location"), desc.Digest.String()) {
			t.Errorf("PUT index by sha512: headers %v, want its sha512 digest and location", resp.Header)
		}
	})
	t.Run("a PUT whose sha512 does not match its body is refused", func(t *testing.T) {
		resp, body := o.do("PUT", "/v2/app/manifests/"+digest.SHA512.FromString("other").String(),
			http.Header{"Content-Type": {v1.MediaTypeImageManifest}}, []byte(`{"schemaVersion":2}`))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "DIGEST_INVALID") {
			t.Errorf("mismatched PUT: %d %s, want 400 DIGEST_INVALID", resp.StatusCode, body)
		}
	})
	t.Run("deleting by sha512 deletes the manifest under every digest", func(t *testing.T) {
		accept := http.Header{"Accept": {v1.MediaTypeImageManifest}}
		_, payload := o.do("GET", "/v2/app/manifests/"+img.Digest.String(), accept, nil)
		if resp, body := o.do("DELETE", "/v2/app/manifests/"+img.Digest.String(), nil, nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
		}
		for _, d := range []digest.Digest{img.Digest, digest.FromBytes(payload)} {
			if resp, body := o.do("GET", "/v2/app/manifests/"+d.String(), accept, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s after delete: %d %s, want 404", d, resp.StatusCode, body)
			}
		}
	})
}

func TestManifestWithNonDistributableLayersIsAccepted(t *testing.T) {
	o := newOCIRegistry(t, t.TempDir())
	foreign := digest.FromString("a layer that is never pushed")
	m := v1.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageManifest,
		Config:    o.pushBlob("app", digest.SHA256, v1.MediaTypeImageConfig, []byte(`{"os":"linux"}`)),
		Layers: []v1.Descriptor{{
			MediaType: v1.MediaTypeImageLayerNonDistributableGzip, //nolint:staticcheck // what is being tested
			Digest:    foreign, Size: 1234, URLs: []string{"https://example.com/blobs/" + foreign.String()},
		}},
	}
	desc, _ := o.putManifest("app", "v1", digest.SHA256, m) // fails the test unless 201
	if resp, _ := o.do("HEAD", "/v2/app/manifests/v1", http.Header{"Accept": {v1.MediaTypeImageManifest}}, nil); resp.Header.Get("Docker-Content-Digest") != desc.Digest.String() {
		t.Errorf("HEAD by tag: %d %q, want %s", resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), desc.Digest)
	}
}

func TestMonolithicPostUpload(t *testing.T) {
	o := newOCIRegistry(t, t.TempDir())
	blob := []byte("pushed in one request")
	tests := []struct {
		name   string
		digest digest.Digest
		want   int
	}{
		{"a POST with the blob and its digest creates it", digest.FromBytes(blob), http.StatusCreated},
		{"a POST with a sha512 digest creates it", digest.SHA512.FromBytes(blob), http.StatusCreated},
		{"a POST whose digest does not match is refused", digest.FromString("something else"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := o.do("POST", "/v2/app/blobs/uploads/?digest="+tt.digest.String(), nil, blob)
			if resp.StatusCode != tt.want {
				t.Fatalf("POST: %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			if tt.want != http.StatusCreated {
				return
			}
			if got := resp.Header.Get("Docker-Content-Digest"); got != tt.digest.String() {
				t.Errorf("Docker-Content-Digest %q, want %q", got, tt.digest)
			}
			if resp, body := o.do("GET", "/v2/app/blobs/"+tt.digest.String(), nil, nil); !bytes.Equal(body, blob) {
				t.Errorf("GET: %d %q, want the blob", resp.StatusCode, body)
			}
		})
	}
}
