package dataplane_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/dataplane"
)

// BenchmarkManifestGET compares the throughput of manifest GETs on the same
// registry and storage with authentication off and with an access token
// (DESIGN, "Hot path"). The two alternate within each iteration, so that
// whatever else the machine does weighs on both alike; the metric on/off is
// the cost ratio of authentication.
//
//	go test -run '^$' -bench ManifestGET -benchtime 20000x ./internal/dataplane/
func BenchmarkManifestGET(b *testing.B) {
	dir := b.TempDir()
	pushImage(b, dir, "app")
	tokens, keys := newFakeTokens(b, "repositories/app/content/read"), newKeys(b)
	off := newRouter(b, dir, nil)
	on := newRouter(b, dir, dataplane.NewAuthorizer(tokens, keys, slog.New(slog.DiscardHandler)))
	withToken := http.Header{"Authorization": {"Bearer " + accessToken(b, keys, 1, "app")}}
	for _, h := range []http.Handler{off, on} { // open the apps, warm the caches
		if w := get(h, "/v2/app/manifests/v1", withToken); w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	var tOff, tOn time.Duration
	for b.Loop() {
		start := time.Now()
		get(off, "/v2/app/manifests/v1", nil)
		mid := time.Now()
		get(on, "/v2/app/manifests/v1", withToken)
		tOff += mid.Sub(start)
		tOn += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tOff.Nanoseconds())/n, "ns/get-auth-off")
	b.ReportMetric(float64(tOn.Nanoseconds())/n, "ns/get-auth-on")
	b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
	b.ReportMetric(n/tOff.Seconds(), "gets/s-auth-off")
	b.ReportMetric(n/tOn.Seconds(), "gets/s-auth-on")
}
