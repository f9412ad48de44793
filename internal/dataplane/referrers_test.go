package dataplane_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	sigType  = "application/vnd.example.signature.v1"
	sbomType = "application/vnd.example.sbom.v1"
)

func sortedByDigest(ds ...v1.Descriptor) []v1.Descriptor {
	return slices.SortedFunc(slices.Values(ds), func(a, b v1.Descriptor) int { return strings.Compare(string(a.Digest), string(b.Digest)) })
}

func TestReferrerIndex(t *testing.T) {
	dir := t.TempDir()
	o := newOCIRegistry(t, dir)
	img := o.image("app", digest.SHA256)
	sig := o.artifact("app", sigType, img, map[string]string{"org.example.signer": "ci"})
	sbom := o.artifact("app", sbomType, img, nil)
	other := o.image("app", digest.SHA256, func(m *v1.Manifest) { m.Annotations = map[string]string{"v": "2"} })

	t.Run("pushed referrers are listed under their subject", func(t *testing.T) {
		got, resp := o.referrers("app", img.Digest, "")
		if diff := cmp.Diff(sortedByDigest(sig, sbom), got); diff != "" {
			t.Errorf("referrers (-want +got):\n%s", diff)
		}
		if h := resp.Header.Get("OCI-Filters-Applied"); h != "" {
			t.Errorf("OCI-Filters-Applied %q without a filter, want none", h)
		}
	})
	t.Run("artifactType filter lists that type only and says so", func(t *testing.T) {
		got, resp := o.referrers("app", img.Digest, sbomType)
		if diff := cmp.Diff([]v1.Descriptor{sbom}, got); diff != "" {
			t.Errorf("referrers of type %s (-want +got):\n%s", sbomType, diff)
		}
		if h := resp.Header.Get("OCI-Filters-Applied"); h != "artifactType" {
			t.Errorf("OCI-Filters-Applied %q, want artifactType", h)
		}
	})
	t.Run("a subject without referrers has an empty list", func(t *testing.T) {
		if got, _ := o.referrers("app", other.Digest, ""); len(got) != 0 {
			t.Errorf("referrers = %v, want none", got)
		}
		if got, _ := o.referrers("nosuchrepo", img.Digest, ""); len(got) != 0 {
			t.Errorf("referrers in an unknown repository = %v, want none", got)
		}
	})
	t.Run("the index survives a restart", func(t *testing.T) {
		got, _ := newOCIRegistry(t, dir).referrers("app", img.Digest, "")
		if diff := cmp.Diff(sortedByDigest(sig, sbom), got); diff != "" {
			t.Errorf("referrers after a restart (-want +got):\n%s", diff)
		}
	})
	t.Run("a deleted referrer is no longer listed", func(t *testing.T) {
		if resp, body := o.do("DELETE", "/v2/app/manifests/"+sig.Digest.String(), nil, nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("DELETE signature: %d %s", resp.StatusCode, body)
		}
		if got, _ := o.referrers("app", img.Digest, ""); !slices.Equal(digests(got), digests([]v1.Descriptor{sbom})) {
			t.Errorf("referrers after deleting the signature = %v, want the SBOM only", digests(got))
		}
	})
	t.Run("referrers of one repository are not listed in another", func(t *testing.T) {
		if got, _ := o.referrers("other", img.Digest, ""); len(got) != 0 {
			t.Errorf("referrers in another repository = %v, want none", got)
		}
	})
}

func digests(ds []v1.Descriptor) []digest.Digest {
	out := make([]digest.Digest, len(ds))
	for i, d := range ds {
		out[i] = d.Digest
	}
	return out
}

// The descriptor of a referrer carries the artifact type the spec derives,
// and a missing subject is no reason to refuse the referrer.
func TestReferrerDescriptors(t *testing.T) {
	o := newOCIRegistry(t, t.TempDir())
	img := o.image("app", digest.SHA256)
	tests := []struct {
		name             string
		manifest         func() any
		subject          digest.Digest
		wantArtifactType string
	}{
		{
			name: "an image manifest without artifactType is listed with its config media type",
			manifest: func() any {
				return v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest,
					Config: o.pushBlob("app", digest.SHA256, "application/vnd.example.config.v1+json", []byte(`{"a":1}`)),
					Layers: []v1.Descriptor{}, Subject: &img}
			},
			subject:          img.Digest,
			wantArtifactType: "application/vnd.example.config.v1+json",
		},
		{
			name: "an index with a subject is listed with its artifactType",
			manifest: func() any {
				return v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex,
					ArtifactType: sbomType, Manifests: []v1.Descriptor{img}, Subject: &img}
			},
			subject:          img.Digest,
			wantArtifactType: sbomType,
		},
		{
			name: "a referrer of a subject that does not exist is accepted and listed",
			manifest: func() any {
				missing := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: digest.FromString("missing"), Size: 123}
				return v1.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageManifest, ArtifactType: sigType,
					Config: o.pushBlob("app", digest.SHA256, v1.MediaTypeEmptyJSON, []byte("{}")), Layers: []v1.Descriptor{}, Subject: &missing}
			},
			subject:          digest.FromString("missing"),
			wantArtifactType: sigType,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desc, resp := o.putManifest("app", "", digest.SHA256, tt.manifest())
			if got := resp.Header.Get("OCI-Subject"); got != tt.subject.String() {
				t.Errorf("OCI-Subject %q, want %q", got, tt.subject)
			}
			got, _ := o.referrers("app", tt.subject, tt.wantArtifactType)
			i := slices.IndexFunc(got, func(d v1.Descriptor) bool { return d.Digest == desc.Digest })
			if i < 0 {
				t.Fatalf("referrers of type %s = %v, want %s among them", tt.wantArtifactType, digests(got), desc.Digest)
			}
			if got[i].MediaType != desc.MediaType || got[i].Size != desc.Size {
				t.Errorf("listed as %+v, want media type %s and size %d", got[i], desc.MediaType, desc.Size)
			}
		})
	}
}

func TestReferrersRefusesWhatIsNotADigest(t *testing.T) {
	o := newOCIRegistry(t, t.TempDir())
	for _, ref := range []string{"latest", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e"} {
		resp, body := o.do("GET", "/v2/app/referrers/"+ref, nil, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "DIGEST_INVALID") {
			t.Errorf("referrers of %q: %d %s, want 400 DIGEST_INVALID", ref, resp.StatusCode, body)
		}
	}
}
