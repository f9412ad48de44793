package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/server"
)

const registriesPath = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.ContainerRegistry/registries"

// paths returns "METHOD path" of each request.
func paths(reqs []recorded) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

func TestGroupIsLookedUpFromTheRegistryName(t *testing.T) {
	s, c := setup(t)
	c.ok("create", "-n", "otherregistry", "-g", "OtherGroup", "--sku", "Standard")
	s.requests()
	out := c.ok("token", "list", "-r", "MyRegistry", "-o", "tsv", "--query", "length(@)").stdout
	if out != "0\n" {
		t.Errorf("token list: got %q", out)
	}
	got := paths(s.requests())
	want := []string{
		"GET " + registriesPath,
		"GET /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyGroup/providers/Microsoft.ContainerRegistry/registries/MyRegistry/tokens",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestUnknownRegistry(t *testing.T) {
	_, c := setup(t)
	c.fails(1, "The resource with name 'nosuchregistry' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription '00000000-0000-0000-0000-000000000000'.",
		"token", "list", "-r", "nosuchregistry")
	c.fails(1, "The resource with name 'nosuchregistry' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription '00000000-0000-0000-0000-000000000000'.",
		"show", "-n", "nosuchregistry")
}

func TestWrongGroupGetsTheServersNotFound(t *testing.T) {
	s, c := setup(t)
	r := c.run("token", "list", "-r", "myregistry", "-g", "WrongGroup")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: (ResourceNotFound) ") || !strings.Contains(r.stderr, "myregistry") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
	for _, p := range paths(s.requests()) {
		if strings.HasSuffix(p, registriesPath) {
			t.Errorf("looked the group up although -g was given: %s", p)
		}
	}
}

func TestConfiguredDefaults(t *testing.T) {
	s, c := setup(t)
	c.ok("configure", "--defaults", "acr=myregistry", "group=MyGroup")
	cfg := filepath.Join(c.env["OPENACR_CONFIG_DIR"], "config.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil || !strings.Contains(string(b), "acr: myregistry") {
		t.Fatalf("config file: %q, %v", b, err)
	}

	list := c.ok("configure", "--list-defaults", "-o", "table").stdout
	want := "Name   Source" + strings.Repeat(" ", len(cfg)-6) + "  Value\n"
	if lines := strings.Split(list, "\n"); lines[0]+"\n" != want || !strings.HasPrefix(lines[2], "acr    "+cfg+"  myregistry") {
		t.Errorf("--list-defaults:\n%s", list)
	}

	s.requests()
	c.ok("scope-map", "create", "-n", "readers", "--repository", "app", "content/read")
	c.ok("show")
	for _, p := range paths(s.requests()) {
		if !strings.Contains(p, "/resourceGroups/MyGroup/providers/Microsoft.ContainerRegistry/registries/myregistry") {
			t.Errorf("request outside the default registry: %s", p)
		}
	}

	// Without the group default, the group is looked up.
	c.ok("configure", "-d", "group=")
	c.ok("scope-map", "show", "-n", "readers")
	if got := paths(s.requests()); len(got) != 2 || got[0] != "GET "+registriesPath {
		t.Errorf("requests: %v", got)
	}

	// An explicit -r wins over the default.
	c.ok("create", "-n", "second", "-g", "G2", "--sku", "Basic")
	if out := c.ok("scope-map", "list", "-r", "second", "--query", "length(@)", "-o", "tsv").stdout; out != "5\n" {
		t.Errorf("scope maps of second: %q", out)
	}
	c.ok("configure", "--defaults", "acr=")
	c.fails(2, "the following arguments are required: --registry/-r", "token", "list")
	if out := c.ok("configure", "--list-defaults").stdout; out != "[]\n" {
		t.Errorf("defaults after clearing: %q", out)
	}
}

func TestServerDiscovery(t *testing.T) {
	s, _ := setup(t)
	t.Run("from the data directory", func(t *testing.T) {
		c := newClient(t, nil)
		data := c.env["OPENACR_DATA"]
		os.WriteFile(filepath.Join(data, server.EndpointFile), []byte(s.url+"\n"), 0o600)
		os.WriteFile(filepath.Join(data, server.AdminKeyFile), []byte(adminKey+"\n"), 0o600)
		c.ok("show", "-n", "myregistry")
	})
	t.Run("from flags", func(t *testing.T) {
		c := newClient(t, nil)
		keyFile := filepath.Join(t.TempDir(), "key")
		os.WriteFile(keyFile, []byte(adminKey), 0o600)
		c.ok("show", "-n", "myregistry", "--server", s.url, "--admin-key-file", keyFile)
		other := t.TempDir()
		os.WriteFile(filepath.Join(other, server.EndpointFile), []byte(s.url), 0o600)
		os.WriteFile(filepath.Join(other, server.AdminKeyFile), []byte(adminKey), 0o600)
		c.ok("show", "-n", "myregistry", "--data", other)
	})
	t.Run("nothing configured", func(t *testing.T) {
		c := newClient(t, nil)
		r := c.run("show", "-n", "myregistry")
		if r.code != 1 || !strings.Contains(r.stderr, "ERROR: No openacr server to talk to: pass --server URL or set OPENACR_SERVER") {
			t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("no admin key", func(t *testing.T) {
		c := newClient(t, nil)
		c.env["OPENACR_SERVER"] = s.url
		r := c.run("show", "-n", "myregistry")
		if r.code != 1 || !strings.Contains(r.stderr, "ERROR: No admin key for the openacr server at "+s.url+": set OPENACR_ADMIN_KEY or pass --admin-key-file FILE") {
			t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("wrong admin key", func(t *testing.T) {
		c := newClient(t, s)
		c.env["OPENACR_ADMIN_KEY"] = "wrong"
		r := c.run("show", "-n", "myregistry", "-g", "MyGroup")
		if r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: (AuthenticationFailed) ") {
			t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("server down", func(t *testing.T) {
		c := newClient(t, nil)
		c.env["OPENACR_SERVER"] = "http://127.0.0.1:1"
		c.env["OPENACR_ADMIN_KEY"] = adminKey
		r := c.run("show", "-n", "myregistry", "-g", "MyGroup")
		if r.code != 1 || !strings.Contains(r.stderr, "connection refused") {
			t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
