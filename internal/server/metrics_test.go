package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestMetricsNeedTheAdminKeyOnTheMainListener(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "metered", "repositories/app/content/read")
	in := e.clock.Now().Add(72 * time.Hour)
	e.generate(regA, "metered", access.Password2, &in)
	e.accessToken(regA, "metered", pw, "repository:app:pull")
	e.fetchToken(regA, "metered", wrong(pw), "repository:app:pull")
	withBasic(e, "metered", pw)

	for _, tt := range []struct {
		name string
		h    http.Header
		want int
	}{
		{"no key", nil, 401},
		{"a wrong key", bearer("oacradmin_wrong"), 401},
		{"a token password", basic("metered", pw), 401},
		{"the admin key", bearer(e.srv.AdminKey), 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if resp := e.raw("GET", loginServer(regA), "/metrics", tt.h); resp.StatusCode != tt.want {
				t.Errorf("GET /metrics: status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	text := readBody(t, e.raw("GET", loginServer(regA), "/metrics", bearer(e.srv.AdminKey)))
	for _, tt := range []struct {
		series   string
		min, max float64
	}{
		{`openacr_auth_decisions_total{api="token",class="password",result="success"}`, 1, 1e9},
		{`openacr_auth_decisions_total{api="token",class="bad_credentials",result="failure"}`, 1, 1},
		{`openacr_auth_decisions_total{api="registry",class="password",result="success"}`, 1, 1},
		{`openacr_http_requests_total{api="token",code="401",method="get"}`, 1, 1},
		{`openacr_http_request_duration_seconds_count{api="registry",method="get"}`, 1, 1e9},
		{`openacr_password_expiry_seconds{password="password2",registry="myregistry",token="metered"}`, 72*3600 - 60, 72 * 3600},
		{`go_goroutines`, 1, 1e9},
	} {
		if v, ok := metricValue(text, tt.series); !ok || v < tt.min || v > tt.max {
			t.Errorf("%s = %v (present: %v), want %v to %v", tt.series, v, ok, tt.min, tt.max)
		}
	}
	if strings.Contains(text, `password="password1",registry="myregistry",token="metered"`) {
		t.Errorf("a password that never expires has an expiry series")
	}
	if strings.Contains(text, pw) || strings.Contains(text, e.srv.AdminKey) {
		t.Errorf("the metrics contain a secret")
	}
}

func TestMetricsListenerServesOnlyMetricsWithoutKey(t *testing.T) {
	cfg := testConfig(t)
	cfg.Trust.MetricsAddr = freeAddr(t)
	srv := open(t, cfg, io.Discard, noEnv)
	defer srv.Close()
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()

	get := func(path string) int {
		for range 50 {
			resp, err := http.Get("http://" + cfg.Trust.MetricsAddr + path)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("the metrics listener does not answer")
		return 0
	}
	if code := get("/metrics"); code != 200 {
		t.Errorf("GET /metrics on the metrics listener: status %d, want 200", code)
	}
	if code := get("/subscriptions/" + cfg.SubscriptionID + "/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01"); code != 404 {
		t.Errorf("the management API on the metrics listener: status %d, want 404", code)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr())
}

// metricValue finds the sample of series in an exposition text.
func metricValue(text, series string) (float64, bool) {
	for line := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}
