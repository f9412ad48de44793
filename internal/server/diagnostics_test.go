package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDiagnosticsBindLoopbackOnly(t *testing.T) {
	tests := []struct {
		name      string
		addr      string
		noAuth    bool
		pprofAddr string
		wantErr   string
	}{
		{"no auth on 127.0.0.1", "127.0.0.1:5000", true, "", ""},
		{"no auth on ::1", "[::1]:5000", true, "", ""},
		{"no auth on localhost", "localhost:0", true, "", ""},
		{"no auth on every interface is refused", ":5000", true, "", "--insecure-no-auth"},
		{"no auth on 0.0.0.0 is refused", "0.0.0.0:5000", true, "", "--insecure-no-auth"},
		{"no auth on a routable address is refused", "10.1.2.3:5000", true, "", "--insecure-no-auth"},
		{"profiles on loopback", ":5000", false, "127.0.0.1:6060", ""},
		{"profiles on every interface are refused", ":5000", false, ":6060", "--pprof-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Addr = tt.addr
			cfg.Diagnostics.InsecureNoAuth = tt.noAuth
			cfg.Diagnostics.PprofAddr = tt.pprofAddr
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate: %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate: %v, want an error naming %s", err, tt.wantErr)
			}
		})
	}
}

func TestInsecureNoAuthServesWithoutCredentials(t *testing.T) {
	for _, tt := range []struct {
		name   string
		noAuth bool
		want   int
	}{
		{"with auth, no credentials get the challenge", false, http.StatusUnauthorized},
		{"with --insecure-no-auth, no credentials are needed", true, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Diagnostics.InsecureNoAuth = tt.noAuth
			srv := open(t, cfg, io.Discard, noEnv)
			defer srv.Close()
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			resp, err := http.Get(ts.URL + "/v2/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET /v2/: got %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
