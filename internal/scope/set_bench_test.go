package scope_test

import (
	"testing"
	"time"

	"github.com/openacr/openacr/internal/scope"
)

// benchActions is a scope map of the usual shape: a few repositories, a
// prefix and a gateway rule.
var benchActions = []string{
	"repositories/app/content/read", "repositories/app/content/write", "repositories/app/metadata/read",
	"repositories/team/*/content/read", "repositories/tools/builder/content/read",
	"gateway/edge1/config/read",
}

// BenchmarkGrant is the scope-map decision of a token request: what a
// compiled scope map (compiled once per token and generation, and kept in
// the token cache) grants of one requested scope. x-compile is its time
// over compiling the scope map for every request, the baseline, measured in
// the same run.
//
//	go test -run '^$' -bench Grant ./internal/scope/
func BenchmarkGrant(b *testing.B) {
	req, err := scope.ParseRequest("repository:team/web/api:pull,push")
	if err != nil {
		b.Fatal(err)
	}
	set, err := scope.Compile(benchActions)
	if err != nil {
		b.Fatal(err)
	}
	base := perOp(b.N, func() {
		s, _ := scope.Compile(benchActions)
		s.Grant(req)
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := set.Grant(req); !ok {
			b.Fatal("nothing granted")
		}
	}
	b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(base), "x-compile")
}

// BenchmarkAllowed is the decision of every /v2/ request of a Basic login:
// what the compiled scope map allows on one repository.
func BenchmarkAllowed(b *testing.B) {
	set, err := scope.Compile(benchActions)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if set.Allowed("team/web/api") == 0 {
			b.Fatal("nothing allowed")
		}
	}
}

// perOp runs f n times (at least 200) and returns the mean time of one run.
func perOp(n int, f func()) time.Duration {
	n = max(n, 200)
	t0 := time.Now()
	for range n {
		f()
	}
	return time.Since(t0) / time.Duration(n)
}
