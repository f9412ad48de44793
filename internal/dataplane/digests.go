package dataplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"

	"github.com/distribution/distribution/v3"
	repositorymiddleware "github.com/distribution/distribution/v3/registry/middleware/repository"
	"github.com/distribution/distribution/v3/registry/storage"
	storagedriver "github.com/distribution/distribution/v3/registry/storage/driver"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Digests other than sha256 (OCI allows sha512).
//
// distribution keeps every blob under its sha256 digest, its canonical
// algorithm, and records a digest of another algorithm as an alias: a link
// in the repository, next to the canonical one, pointing at the sha256
// content. That much works in v3.1.2, and a blob pushed as sha512 can be
// fetched as sha512. What does not: the handlers answer with the canonical
// digest (Docker-Content-Digest and Location say sha256), a cross-repository
// mount of a sha512 blob links the alias to itself (the blob then answers
// 500), and a manifest PUT to a sha512 digest is refused because the handler
// compares it with the payload's sha256.
//
// openacr closes the first two with a repository middleware (distribution's
// registry/middleware/repository extension point) that reports the digest
// the client used and mounts through the canonical digest, and the third in
// the manifest PUT wrapper (manifests.go), which stores the manifest under
// its sha256 digest through the app and then records the sha512 alias the
// same way distribution records blob aliases.

// digestsMiddleware is the name the middleware is registered under.
const digestsMiddleware = "openacr-digests"

func init() {
	err := repositorymiddleware.Register(digestsMiddleware, func(_ context.Context, repo distribution.Repository, options map[string]any) (distribution.Repository, error) {
		l, ok := options["links"].(*links)
		if !ok {
			return nil, fmt.Errorf("the %s repository middleware needs a *dataplane.links option", digestsMiddleware)
		}
		return &aliasRepository{Repository: repo, links: l}, nil
	})
	if err != nil {
		panic(err) // only if another package took the name: a programming error
	}
}

// links writes the alias links distribution itself writes for blobs
// committed under another algorithm, in its storage layout (documented in
// registry/storage/paths.go, and read by its garbage collector):
//
//	/docker/registry/v2/repositories/<name>/_layers/<alg>/<hex>/link
//	/docker/registry/v2/repositories/<name>/_manifests/revisions/<alg>/<hex>/link
//
// each holding the canonical digest as text.
type links struct {
	driver storagedriver.StorageDriver
	ns     distribution.Namespace // reads other repositories, for mounts
}

const repositoriesRoot = "/docker/registry/v2/repositories"

// blobAlias links alias to the blob canonical in repo.
func (l *links) blobAlias(ctx context.Context, repo string, alias, canonical digest.Digest) error {
	p := path.Join(repositoriesRoot, repo, "_layers", alias.Algorithm().String(), alias.Encoded(), "link")
	if err := l.driver.PutContent(ctx, p, []byte(canonical)); err != nil {
		return fmt.Errorf("link blob %s to %s in %s: %w", alias, canonical, repo, err)
	}
	return nil
}

// manifestAlias links alias to the manifest revision canonical in repo.
func (l *links) manifestAlias(ctx context.Context, repo string, alias, canonical digest.Digest) error {
	p := path.Join(repositoriesRoot, repo, "_manifests", "revisions", alias.Algorithm().String(), alias.Encoded(), "link")
	if err := l.driver.PutContent(ctx, p, []byte(canonical)); err != nil {
		return fmt.Errorf("link manifest %s to %s in %s: %w", alias, canonical, repo, err)
	}
	return nil
}

// aliasRepository is a repository whose blobs answer with the digest asked
// for.
type aliasRepository struct {
	distribution.Repository
	links *links
}

func (r *aliasRepository) Blobs(ctx context.Context) distribution.BlobStore {
	return &aliasBlobs{BlobStore: r.Repository.Blobs(ctx), repo: r.Named(), links: r.links}
}

type aliasBlobs struct {
	distribution.BlobStore
	repo  reference.Named
	links *links
}

// Stat describes the blob with the digest it was asked for: the handlers
// serve the blob by, and report, the digest Stat returns.
func (b *aliasBlobs) Stat(ctx context.Context, dgst digest.Digest) (v1.Descriptor, error) {
	desc, err := b.BlobStore.Stat(ctx, dgst)
	if err == nil {
		desc.Digest = dgst
	}
	return desc, err
}

// ServeBlob serves the blob with Docker-Content-Digest set to the digest
// asked for; distribution's blob server keeps a header already set.
func (b *aliasBlobs) ServeBlob(ctx context.Context, w http.ResponseWriter, r *http.Request, dgst digest.Digest) error {
	if dgst.Algorithm() != digest.Canonical {
		w.Header().Set("Docker-Content-Digest", dgst.String())
	}
	return b.BlobStore.ServeBlob(ctx, w, r, dgst)
}

func (b *aliasBlobs) Resume(ctx context.Context, id string) (distribution.BlobWriter, error) {
	bw, err := b.BlobStore.Resume(ctx, id)
	if err != nil {
		return nil, err
	}
	return aliasWriter{bw}, nil
}

// Create starts an upload, or mounts a blob from another repository. A
// mount of a non-canonical digest goes through the canonical one, then
// links the alias, as an upload of that digest would have.
func (b *aliasBlobs) Create(ctx context.Context, options ...distribution.BlobCreateOption) (distribution.BlobWriter, error) {
	var opts distribution.CreateOptions
	for _, o := range options {
		if err := o.Apply(&opts); err != nil {
			return nil, err
		}
	}
	if opts.Mount.ShouldMount && opts.Mount.Stat == nil && opts.Mount.From.Digest().Algorithm() != digest.Canonical {
		mounted, err := b.mountAlias(ctx, opts.Mount.From)
		switch {
		case err != nil:
			return nil, err
		case mounted != nil:
			return nil, *mounted // the handler answers 201 to this error
		}
	}
	bw, err := b.BlobStore.Create(ctx, options...)
	if err != nil {
		return nil, err
	}
	return aliasWriter{bw}, nil
}

// mountAlias mounts from by its canonical digest and links from's digest as
// an alias of it. It returns nil and no error when it cannot mount, and the
// caller then starts an upload, as distribution does when a mount fails.
func (b *aliasBlobs) mountAlias(ctx context.Context, from reference.Canonical) (*distribution.ErrBlobMounted, error) {
	src, err := b.links.ns.Repository(ctx, from)
	if err != nil {
		return nil, nil
	}
	desc, err := src.Blobs(ctx).Stat(ctx, from.Digest())
	if err != nil {
		return nil, nil
	}
	canonicalFrom, err := reference.WithDigest(reference.TrimNamed(from), desc.Digest)
	if err != nil {
		return nil, nil
	}
	bw, err := b.BlobStore.Create(ctx, storage.WithMountFrom(canonicalFrom))
	var mounted distribution.ErrBlobMounted
	if !errors.As(err, &mounted) {
		if bw != nil {
			bw.Cancel(ctx) // the upload it started instead; the caller starts its own
		}
		return nil, nil
	}
	if err := b.links.blobAlias(ctx, b.repo.Name(), from.Digest(), desc.Digest); err != nil {
		return nil, err
	}
	mounted.From = from
	mounted.Descriptor.Digest = from.Digest()
	return &mounted, nil
}

// aliasWriter is an upload whose commit reports the digest the client gave.
type aliasWriter struct{ distribution.BlobWriter }

// Commit commits the upload; distribution verifies the content against the
// client's digest whatever its algorithm, stores it under sha256 and links
// both, but returns only the sha256 one.
func (w aliasWriter) Commit(ctx context.Context, provisional v1.Descriptor) (v1.Descriptor, error) {
	desc, err := w.BlobWriter.Commit(ctx, provisional)
	if err == nil && provisional.Digest != "" {
		desc.Digest = provisional.Digest
	}
	return desc, err
}
