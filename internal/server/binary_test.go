package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/server"
)

// TestBinaryServesFromConfigFileAndStopsOnSIGTERM builds the real binary and
// runs `openacr serve` the way a user does: settings from a YAML file, one
// of them overridden by a flag, then SIGTERM.
func TestBinaryServesFromConfigFileAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "openacr")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/openacr")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "data")
	conf := filepath.Join(t.TempDir(), "openacr.yaml")
	os.WriteFile(conf, []byte("addr: \":1\"\nregistry: fromfile\nresourceGroup: filegroup\nsku: Basic\n"), 0o600)

	cmd := exec.Command(bin, "serve", "--config", conf, "--addr", "127.0.0.1:0", "--data", data)
	cmd.Env = append(os.Environ(), "OPENACR_ADMIN_KEY=")
	// syncBuffer: the child writes while the test reads.
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	url := waitForFile(t, filepath.Join(data, server.EndpointFile))
	key, _ := os.ReadFile(filepath.Join(data, server.AdminKeyFile))

	req, _ := http.NewRequest("GET", url+"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/filegroup/providers/Microsoft.ContainerRegistry/registries/fromfile?api-version=2023-07-01", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(key)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		Name string `json:"name"`
		SKU  struct {
			Name string `json:"name"`
		} `json:"sku"`
	}
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != 200 || reg.Name != "fromfile" || reg.SKU.Name != "Basic" {
		t.Errorf("GET the registry from the config file: status %d, %+v", resp.StatusCode, reg)
	}
	if !strings.Contains(stdout.String(), strings.TrimSpace(string(key))) {
		t.Errorf("first start did not print the admin key on stdout")
	}
	if strings.Contains(stderr.String(), strings.TrimSpace(string(key))) {
		t.Errorf("the admin key appears in the log")
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM, want status 0\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("log does not show a clean shutdown:\n%s", stderr.String())
	}
}
