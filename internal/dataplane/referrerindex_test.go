package dataplane

import (
	"fmt"
	"sync"
	"testing"

	"github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestReferrerIndexKeepsConcurrentAdds(t *testing.T) {
	x := &referrerIndex{driver: inmemory.New()}
	subject := digest.FromString("subject")
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: digest.FromString(fmt.Sprint(i)), Size: int64(i)}
			if err := x.Add(t.Context(), "app", subject, d); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := x.List(t.Context(), "app", subject)
	if err != nil || len(got) != n {
		t.Fatalf("List after %d concurrent adds: %d referrers, %v; want all of them", n, len(got), err)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].Digest >= got[i].Digest {
			t.Fatalf("List is not ordered by digest: %s before %s", got[i-1].Digest, got[i].Digest)
		}
	}
}

func TestReferrerIndexEdges(t *testing.T) {
	x := &referrerIndex{driver: inmemory.New()}
	subject, referrer := digest.FromString("subject"), digest.FromString("referrer")
	tests := []struct {
		name string
		run  func() error
	}{
		{"removing a referrer that was never added is not an error", func() error {
			return x.Remove(t.Context(), "app", subject, referrer)
		}},
		{"an unknown subject has an empty list, not nil", func() error {
			got, err := x.List(t.Context(), "app", subject)
			if err == nil && (got == nil || len(got) != 0) {
				return fmt.Errorf("List = %#v, want an empty list", got)
			}
			return err
		}},
		{"adding a referrer twice lists it once", func() error {
			d := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: referrer, Size: 1}
			for range 2 {
				if err := x.Add(t.Context(), "app", subject, d); err != nil {
					return err
				}
			}
			if got, err := x.List(t.Context(), "app", subject); err != nil || len(got) != 1 {
				return fmt.Errorf("List = %v, %v; want the referrer once", got, err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err != nil {
				t.Error(err)
			}
		})
	}
}
