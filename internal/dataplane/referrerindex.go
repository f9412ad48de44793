package dataplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	storagedriver "github.com/distribution/distribution/v3/registry/storage/driver"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// referrerRoot is where openacr keeps what it stores itself in a registry's
// storage: beside distribution's /docker, so that it lives in the same
// driver (filesystem, S3, Azure, GCS) and goes with the registry.
const referrerRoot = "/openacr/v1/repositories"

// maxParallelReads bounds the concurrent reads of one referrers listing.
const maxParallelReads = 8

// referrerIndex is the index of manifests that name a subject, kept in the
// registry's storage driver so that it survives restarts and is shared by
// every node. Each referrer is one small file holding its descriptor:
//
//	/openacr/v1/repositories/<repo>/_referrers/<alg>/<subject hex>/<alg>/<referrer hex>
//
// A listing reads the files of one subject and nothing else, however large
// the repository. One file per referrer, rather than one list per subject,
// means concurrent pushes of two referrers of one subject cannot lose
// either: no write reads another's. Repository components never start with
// an underscore, so _referrers cannot collide with a repository name.
type referrerIndex struct {
	driver storagedriver.StorageDriver
}

// subjectDir is the directory of subject's referrers in repo. The digest
// must have been validated (digest.Parse): its parts become path elements.
func subjectDir(repo string, subject digest.Digest) string {
	return path.Join(referrerRoot, repo, "_referrers", subject.Algorithm().String(), subject.Encoded())
}

func referrerPath(repo string, subject, referrer digest.Digest) string {
	return path.Join(subjectDir(repo, subject), referrer.Algorithm().String(), referrer.Encoded())
}

// Add records that the manifest desc refers to subject. Adding it again
// overwrites the same file.
func (x *referrerIndex) Add(ctx context.Context, repo string, subject digest.Digest, desc v1.Descriptor) error {
	b, err := json.Marshal(desc)
	if err != nil {
		return fmt.Errorf("index referrer %s of %s in %s: %w", desc.Digest, subject, repo, err)
	}
	if err := x.driver.PutContent(ctx, referrerPath(repo, subject, desc.Digest), b); err != nil {
		return fmt.Errorf("index referrer %s of %s in %s: %w", desc.Digest, subject, repo, err)
	}
	return nil
}

// Remove forgets that referrer refers to subject; forgetting one that is
// not recorded is not an error.
func (x *referrerIndex) Remove(ctx context.Context, repo string, subject, referrer digest.Digest) error {
	err := x.driver.Delete(ctx, referrerPath(repo, subject, referrer))
	if err != nil && !errors.As(err, new(storagedriver.PathNotFoundError)) {
		return fmt.Errorf("remove referrer %s of %s in %s: %w", referrer, subject, repo, err)
	}
	return nil
}

// List returns the descriptors of the manifests in repo that refer to
// subject, ordered by digest; none (and no error) for an unknown subject or
// repository.
func (x *referrerIndex) List(ctx context.Context, repo string, subject digest.Digest) ([]v1.Descriptor, error) {
	var files []string
	err := x.driver.Walk(ctx, subjectDir(repo, subject), func(fi storagedriver.FileInfo) error {
		if !fi.IsDir() {
			files = append(files, fi.Path())
		}
		return nil
	})
	if errors.As(err, new(storagedriver.PathNotFoundError)) {
		return []v1.Descriptor{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list referrers of %s in %s: %w", subject, repo, err)
	}
	descs, err := x.read(ctx, files)
	if err != nil {
		return nil, fmt.Errorf("list referrers of %s in %s: %w", subject, repo, err)
	}
	slices.SortFunc(descs, func(a, b v1.Descriptor) int { return strings.Compare(string(a.Digest), string(b.Digest)) })
	return descs, nil
}

// read reads the descriptor files, a few at a time: on object stores each
// is a round trip. A file removed since the walk is skipped.
func (x *referrerIndex) read(ctx context.Context, files []string) ([]v1.Descriptor, error) {
	descs := make([]v1.Descriptor, len(files))
	found := make([]bool, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, maxParallelReads)
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b, err := x.driver.GetContent(ctx, f)
			switch {
			case errors.As(err, new(storagedriver.PathNotFoundError)):
				return
			case err != nil:
				errs[i] = err
				return
			}
			if err := json.Unmarshal(b, &descs[i]); err != nil {
				errs[i] = fmt.Errorf("%s: %w", f, err)
				return
			}
			found[i] = true
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]v1.Descriptor, 0, len(descs))
	for i, d := range descs {
		if found[i] {
			out = append(out, d)
		}
	}
	return out, nil
}
