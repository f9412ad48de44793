package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Requests are bounded everywhere but blob uploads (issue #5): headers by
// the server, bodies by each API.

func TestHeadersAreBounded(t *testing.T) {
	cfg := testConfig(t)
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

	for _, tt := range []struct {
		name   string
		header string
		want   int
	}{
		{"a normal request", "X-Small: 1", 200},
		{"a 100 KiB header", "X-Big: " + strings.Repeat("a", 100<<10), http.StatusRequestHeaderFieldsTooLarge},
		{"a 100 KiB Authorization", "Authorization: Basic " + strings.Repeat("QUFB", 25<<10), http.StatusRequestHeaderFieldsTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n%s\r\nConnection: close\r\n\r\n", tt.header)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestBodiesAreBounded(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "big-sender", "repositories/*/content/read", "repositories/*/content/write")
	const arm = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + group +
		"/providers/Microsoft.ContainerRegistry/registries/" + regA
	form := "grant_type=password&username=big-sender&password=" + pw + "&pad=" + strings.Repeat("a", 100<<10)
	tests := []struct {
		name, method, path, body string
		h                        http.Header
		want                     int
	}{
		{"a token request over 64 KiB", "POST", "/oauth2/token", form,
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusRequestEntityTooLarge},
		{"a management request over 1 MiB", "PUT", arm + "/scopeMaps/bigmap?api-version=2023-07-01",
			`{"properties":{"description":"` + strings.Repeat("a", 1<<20) + `"}}`, bearer(e.srv.AdminKey), http.StatusRequestEntityTooLarge},
		{"a manifest over 4 MiB", "PUT", "/v2/app/manifests/big",
			`{"schemaVersion":2,"pad":"` + strings.Repeat("a", 5<<20) + `"}`, basic("big-sender", pw), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, "https://"+loginServer(regA)+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.h {
				req.Header[k] = v
			}
			if req.Header.Get("Content-Type") == "" {
				req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			}
			resp, err := (&http.Client{Transport: e.tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if tt.want != 0 && resp.StatusCode != tt.want || tt.want == 0 && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
				t.Errorf("status %d, want %v", resp.StatusCode, cmpOrStatus(tt.want))
			}
		})
	}
}

func cmpOrStatus(want int) string {
	if want == 0 {
		return "a 4xx refusal"
	}
	return fmt.Sprint(want)
}
