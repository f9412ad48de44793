package authserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/authserver"
	"github.com/openacr/openacr/internal/signing"
)

// BenchmarkToken is token issuance in-process, without the network: GET
// /oauth2/token with HTTP Basic and one repository scope, from request to
// encoded response. "minted" signs every access token (NoReuse), "reused"
// hands out the one minted for the same credential and grant within the
// reuse window (reuse.go). signatures is its time in ES256 signatures of the
// same claims (signing.Keys.Sign, measured in the same run): the signature
// is the floor of minting, everything above 1 the rest of the request.
//
//	go test -run '^$' -bench Token ./internal/authserver/
func BenchmarkToken(b *testing.B) {
	for _, tt := range []struct {
		name   string
		cfg    authserver.Config
		wrong  bool
		status int
	}{
		{"minted", authserver.Config{NoReuse: true}, false, http.StatusOK},
		{"reused", authserver.Config{}, false, http.StatusOK},
		{"wrong password", authserver.Config{}, true, http.StatusUnauthorized},
	} {
		b.Run(tt.name, func(b *testing.B) {
			e := newEnv(b, tt.cfg)
			pw := e.password
			if tt.wrong {
				var err error
				if pw, err = access.NewSecret(strings.NewReader(strings.Repeat("x", 32))); err != nil {
					b.Fatal(err)
				}
			}
			r := httptest.NewRequest(http.MethodGet, "/oauth2/token?service=localhost:5000&scope=repository:app:pull", nil)
			r.SetBasicAuth("MyToken", pw)
			now := time.Now()
			sign := perOp(b.N, func() {
				e.keys.Sign(signing.Claims{ID: "0123456789abcdefghijkl", Subject: "MyToken", Audience: "localhost:5000",
					IssuedAt: now, NotBefore: now, Expiry: now.Add(5 * time.Minute), GrantType: signing.AccessToken,
					Registry: "myregistry", Generation: 2, TokenCreated: now.UnixMicro(),
					Access: []signing.ResourceActions{{Type: "repository", Name: "app", Actions: []string{"pull", "metadata_read"}}}})
			})
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.srv.Token(w, r)
				if w.Code != tt.status {
					b.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
				}
			}
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(sign), "signatures")
		})
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
