package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/openacr/openacr/internal/access"
)

// A cosign-style signature: an OCI manifest whose config media type says
// what it is, one layer holding the signed payload, the signature in an
// annotation, and the image it signs as its subject.
const sigConfigType = "application/vnd.dev.cosign.artifact.sig.v1+json"

func signatureOf(t *testing.T, subject v1.Image) v1.Image {
	t.Helper()
	desc, err := partial.Descriptor(subject)
	if err != nil {
		t.Fatal(err)
	}
	sig := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), sigConfigType)
	sig, err = mutate.Append(sig, mutate.Addendum{
		Layer:       static.NewLayer([]byte(`{"critical":{"image":{"docker-manifest-digest":"`+desc.Digest.String()+`"}}}`), "application/vnd.dev.cosign.simplesigning.v1+json"),
		Annotations: map[string]string{"dev.cosignproject.cosign/signature": "MEUCIQDsig"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig = mutate.Annotations(sig, map[string]string{"org.example.signed-by": "ci"}).(v1.Image)
	return mutate.Subject(sig, *desc).(v1.Image)
}

func (c *client) digestRef(repo string, h v1.Hash) name.Digest {
	ref, err := name.NewDigest(c.ref(repo) + "@" + h.String())
	if err != nil {
		c.e.t.Fatal(err)
	}
	return ref
}

// referrers lists the referrers of subject in repo through the referrers
// API.
func (c *client) referrers(repo string, subject v1.Hash) ([]v1.Descriptor, error) {
	idx, err := remote.Referrers(c.digestRef(repo, subject), c.opts...)
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	return m.Manifests, nil
}

func TestSignatureIsListedAsReferrerOnlyWithMetadataRead(t *testing.T) {
	e := newRegistryEnv(t)
	pusher := e.client(regA, "signer", e.token(regA, "signer",
		"repositories/app/content/read", "repositories/app/content/write", "repositories/app/metadata/read"))
	img, err := pusher.push("app", "v1")
	wantOK(t, "push image", err)
	imgDigest, _ := img.Digest()
	sig := signatureOf(t, img)
	sigDigest, _ := sig.Digest()
	wantOK(t, "push signature", remote.Write(pusher.digestRef("app", sigDigest), sig, pusher.opts...))

	// go-containerregistry maintains the sha256-<hex> fallback tag only when
	// the registry has no referrers API.
	tags, err := pusher.list("app")
	wantOK(t, "list tags", err)
	if slices.ContainsFunc(tags, func(tag string) bool { return strings.HasPrefix(tag, "sha256-") }) {
		t.Errorf("tags %v: the client fell back to the referrers tag", tags)
	}

	reader := e.client(regA, "auditor", e.token(regA, "auditor", "repositories/app/content/read", "repositories/app/metadata/read"))
	got, err := reader.referrers("app", imgDigest)
	wantOK(t, "list referrers with metadata/read", err)
	sigSize, _ := sig.Size()
	if len(got) != 1 || got[0].Digest != sigDigest || got[0].Size != sigSize || got[0].MediaType != types.OCIManifestSchema1 ||
		got[0].ArtifactType != sigConfigType || got[0].Annotations["org.example.signed-by"] != "ci" {
		t.Errorf("referrers of the image = %+v, want the signature %s (%d bytes, artifactType %s, its annotations)", got, sigDigest, sigSize, sigConfigType)
	}

	puller := e.client(regA, "puller", e.token(regA, "puller", "repositories/app/content/read"))
	wantOK(t, "pull with content/read", puller.pull("app", "v1"))
	_, err = puller.referrers("app", imgDigest)
	wantRefused(t, "list referrers without metadata/read", err, "UNAUTHORIZED")

	// The challenge names the action that is missing.
	at := e.accessToken(regA, "puller", e.generate(regA, "puller", access.Password2, nil), "repository:app:pull,metadata_read")
	resp := e.raw(http.MethodGet, loginServer(regA), "/v2/app/referrers/"+imgDigest.String(), bearer(at))
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(ch, `scope="repository:app:metadata_read"`) || !strings.Contains(ch, `error="insufficient_scope"`) {
		t.Errorf("referrers without metadata/read: %d %q, want 401 asking for metadata_read, insufficient_scope", resp.StatusCode, ch)
	}
}
