package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/guard"
)

type fixedExpiries []Expiry

func (f fixedExpiries) EachExpiry(fn func(Expiry)) {
	for _, e := range f {
		fn(e)
	}
}

// scrape returns the exposition text of m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: status %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		exp       fixedExpiries
		max       int
		act       func(m *Metrics)
		want, not []string
	}{
		{name: "seconds until each password expires", max: 10,
			exp:  fixedExpiries{{"reg", "ci", "password1", now.Add(time.Hour)}, {"reg", "ci", "password2", now.Add(-time.Minute)}},
			want: []string{`openacr_password_expiry_seconds{password="password1",registry="reg",token="ci"} 3600`, `openacr_password_expiry_seconds{password="password2",registry="reg",token="ci"} -60`, "openacr_password_expiry_series_dropped 0"}},
		{name: "only the passwords closest to expiry past the limit", max: 2,
			exp: func() fixedExpiries {
				var f fixedExpiries
				for i := 5; i > 0; i-- {
					f = append(f, Expiry{"reg", fmt.Sprint("t", i), "password1", now.Add(time.Duration(i) * time.Hour)})
				}
				return f
			}(),
			want: []string{`token="t1"} 3600`, `token="t2"} 7200`, "openacr_password_expiry_series_dropped 3"},
			not:  []string{`token="t3"`, `token="t5"`}},
		{name: "requests by api, method and code",
			act: func(m *Metrics) {
				h := m.Instrument(APIRegistry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }))
				for range 3 {
					h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v2/", nil))
				}
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/v2/", nil))
			},
			want: []string{`openacr_http_requests_total{api="registry",code="401",method="get"} 3`, `openacr_http_requests_total{api="registry",code="401",method="unknown"} 1`,
				`openacr_http_request_duration_seconds_count{api="registry",method="get"} 3`}},
		{name: "authentication decisions by api, result and class",
			act: func(m *Metrics) {
				m.Decided(guard.Decision{API: guard.APIToken, Result: guard.Throttled, Class: guard.ByAddress})
				m.Decided(guard.Decision{API: guard.APIRegistry, Result: guard.Success, Class: guard.ClassAccessToken})
			},
			want: []string{`openacr_auth_decisions_total{api="token",class="address",result="throttled"} 1`,
				`openacr_auth_decisions_total{api="registry",class="access_token",result="success"} 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(tt.exp, tt.max)
			m.expiry.now = func() time.Time { return now }
			if tt.act != nil {
				tt.act(m)
			}
			text := scrape(t, m)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the scrape lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("the scrape has %q", n)
				}
			}
			if t.Failed() {
				io.WriteString(t.Output(), text)
			}
		})
	}
}
