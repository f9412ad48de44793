package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/server"
)

func testConfig(t *testing.T) server.Config {
	t.Helper()
	cfg := server.Defaults()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.Addr = "127.0.0.1:0"
	return cfg
}

func noEnv(string) string { return "" }

func open(t *testing.T, cfg server.Config, out io.Writer, getenv func(string) string) *server.Server {
	t.Helper()
	srv, err := server.Open(t.Context(), cfg, slog.New(slog.DiscardHandler), out, getenv)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return srv
}

func TestFirstStartCreatesAdminKeyAndPrintsItOnce(t *testing.T) {
	cfg := testConfig(t)
	var out bytes.Buffer
	srv := open(t, cfg, &out, noEnv)
	key := srv.AdminKey
	srv.Close()

	path := filepath.Join(cfg.Data, server.AdminKeyFile)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("admin key file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("admin key file mode = %v, want 0600", perm)
	}
	if !strings.HasPrefix(key, server.AdminKeyPrefix) || len(key) < 40 {
		t.Errorf("admin key %q does not look generated", key)
	}
	if !strings.Contains(out.String(), key) || !strings.Contains(out.String(), "OPENACR_ADMIN_KEY") {
		t.Errorf("first start printed %q, want the key and how to use it", out.String())
	}

	out.Reset()
	srv = open(t, cfg, &out, noEnv)
	defer srv.Close()
	if srv.AdminKey != key {
		t.Errorf("second start admin key changed")
	}
	if strings.Contains(out.String(), key) {
		t.Errorf("second start printed the admin key again")
	}
}

func TestAdminKeyFromEnvironmentOrFile(t *testing.T) {
	const envKey = "env-admin-key-0123456789abcdef"
	t.Run("environment wins over generating one", func(t *testing.T) {
		cfg := testConfig(t)
		var out bytes.Buffer
		srv := open(t, cfg, &out, func(k string) string {
			if k == "OPENACR_ADMIN_KEY" {
				return envKey
			}
			return ""
		})
		defer srv.Close()
		if srv.AdminKey != envKey {
			t.Errorf("admin key = %q, want the one from OPENACR_ADMIN_KEY", srv.AdminKey)
		}
		if _, err := os.Stat(filepath.Join(cfg.Data, server.AdminKeyFile)); !os.IsNotExist(err) {
			t.Errorf("admin.key was created although OPENACR_ADMIN_KEY was set (stat err %v)", err)
		}
		if out.Len() != 0 {
			t.Errorf("printed %q, want nothing", out.String())
		}
	})
	t.Run("file given with --admin-key-file", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AdminKeyFile = filepath.Join(t.TempDir(), "key")
		os.WriteFile(cfg.AdminKeyFile, []byte(envKey+"\n"), 0o600)
		srv := open(t, cfg, io.Discard, noEnv)
		defer srv.Close()
		if srv.AdminKey != envKey {
			t.Errorf("admin key = %q, want the file's", srv.AdminKey)
		}
	})

	refusals := []struct {
		name, key string
		mode      os.FileMode
		want      string
	}{
		{"key file readable by others", envKey, 0o644, "readable by its owner only"},
		{"key too short", "short", 0o600, "at least 24"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.AdminKeyFile = filepath.Join(t.TempDir(), "key")
			os.WriteFile(cfg.AdminKeyFile, []byte(tt.key), tt.mode)
			os.Chmod(cfg.AdminKeyFile, tt.mode)
			_, err := server.Open(t.Context(), cfg, slog.New(slog.DiscardHandler), io.Discard, noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFirstRegistryIsCreatedOnce(t *testing.T) {
	cfg := testConfig(t)
	cfg.Registry, cfg.Group, cfg.SKU = "Contoso", "platform", "Standard"
	srv := open(t, cfg, io.Discard, noEnv)
	srv.Close()

	cfg.Registry = "another1" // a later start with other flags creates nothing
	srv = open(t, cfg, io.Discard, noEnv)
	defer srv.Close()
	rs, err := srv.Access.ListRegistries(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Name != "contoso" || rs[0].ResourceGroup != "platform" || rs[0].SKU != "Standard" {
		t.Fatalf("registries = %+v, want only contoso in platform, Standard", rs)
	}
}

func TestInvalidSettingsAreRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(*server.Config)
		want string
	}{
		{"bad registry name", func(c *server.Config) { c.Registry = "my_registry" }, "--registry"},
		{"bad sku", func(c *server.Config) { c.SKU = "Classic" }, "Basic, Standard, Premium"},
		{"bad address", func(c *server.Config) { c.Addr = "5000" }, "--addr"},
		{"bad log level", func(c *server.Config) { c.LogLevel = "loud" }, "--log-level"},
		{"bad group", func(c *server.Config) { c.Group = "a/b" }, "--resource-group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.edit(&cfg)
			_, err := server.Open(t.Context(), cfg, slog.New(slog.DiscardHandler), io.Discard, noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigFileRefusesUnknownKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte("addr: \":6000\"\nregistyr: typo\n"), 0o600)
	cfg := server.Defaults()
	err := cfg.LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), "registyr") {
		t.Fatalf("LoadFile error = %v, want one naming the unknown key", err)
	}
}

func TestServeWritesEndpointAndShutsDownOnCancel(t *testing.T) {
	cfg := testConfig(t)
	srv := open(t, cfg, io.Discard, noEnv)
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()

	endpoint := filepath.Join(cfg.Data, server.EndpointFile)
	url := waitForFile(t, endpoint)
	if want := "http://" + l.Addr().String(); url != want {
		t.Errorf("endpoint file = %q, want %q", url, want)
	}
	req, _ := http.NewRequest("GET", url+"/subscriptions/"+cfg.SubscriptionID+
		"/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01", nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"myregistry"`) {
		t.Errorf("list registries: %d %s, want 200 listing myregistry", resp.StatusCode, body)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if want := `"loginServer":"localhost:` + port + `"`; !strings.Contains(string(body), want) {
		t.Errorf("list registries: %s, want the login server on the port actually listened on (%s)", body, want)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if _, err := os.Stat(endpoint); !os.IsNotExist(err) {
		t.Errorf("endpoint file still there after shutdown")
	}
}

// waitForFile polls until path exists and returns its trimmed contents.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	for range 200 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", path)
	return ""
}
