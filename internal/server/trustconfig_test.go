package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openacr/openacr/internal/server"
)

func TestTrustSettingsFromTheConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte("authFailuresPerAddress: 5\nauthFailuresPerToken: 0\nauthFailureWindow: 30s\n"+
		"trustedProxies: [10.0.0.0/8, 192.0.2.1]\nmetricsAddr: 127.0.0.1:9100\nlastUsedFlushInterval: 2s\n"), 0o600)
	cfg := testConfig(t)
	if err := cfg.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	got := cfg.Trust
	want := server.DefaultTrust()
	want.AuthFailuresPerAddress, want.AuthFailuresPerToken, want.AuthFailureWindow = 5, 0, 30*time.Second
	want.TrustedProxies, want.MetricsAddr, want.LastUsedFlushInterval = []string{"10.0.0.0/8", "192.0.2.1"}, "127.0.0.1:9100", 2*time.Second
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("trust settings (-want +got):\n%s", d)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestInvalidTrustSettingsAreRefused(t *testing.T) {
	tests := []struct {
		name string
		set  func(*server.TrustConfig)
		want string
	}{
		{"negative limit", func(c *server.TrustConfig) { c.AuthFailuresPerToken = -1 }, "--auth-failures-per-token"},
		{"window under a second", func(c *server.TrustConfig) { c.AuthFailureWindow = time.Millisecond }, "--auth-failure-window"},
		{"proxy that is no address", func(c *server.TrustConfig) { c.TrustedProxies = []string{"proxy.example"} }, "--trusted-proxies"},
		{"metrics address without port", func(c *server.TrustConfig) { c.MetricsAddr = "localhost" }, "--metrics-addr"},
		{"flush too often", func(c *server.TrustConfig) { c.LastUsedFlushInterval = time.Microsecond }, "--last-used-flush-interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.set(&cfg.Trust)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
