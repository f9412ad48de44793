package server_test

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// Path traversal and odd bytes in every name a client controls (issue #5):
// in the management API's paths, in /v2/ repository names, and in the token
// name of Basic credentials. Each must be refused with a 3xx or 4xx (never
// accepted, never a 5xx), and must leave nothing behind: no resource, no
// file outside the registry's storage, no forged log line.

// oddNames are path segments, as sent (percent-encoded where needed).
var oddNames = []string{
	"..", "%2e%2e", "..%2f..%2fetc", "a%2fb", "a%5cb", "a%00b", "a%0ab", "a%0d%0aX-Injected:%201",
	"t%C3%B6ken-name", strings.Repeat("a", 300), "a%20b", "%ff%fe", "%252e%252e", "..;a", "a%3f%23b",
}

// send sends one request with a literal path (no cleaning, no redirects
// followed) and returns the status.
func (e *registryEnv) send(method, host, rawPath, body string, h http.Header) int {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, "https://"+host+"/", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.URL.Opaque = "//" + host + rawPath // sent exactly as written
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Transport: e.tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, rawPath, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func refusedStatus(code int) bool { return code >= 300 && code < 500 }

func TestOddNamesInManagementPathsAreRefused(t *testing.T) {
	e := newRegistryEnv(t)
	admin := bearer(e.srv.AdminKey)
	const base = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/"
	const q = "?api-version=2023-07-01"
	scopeMapID := base + regA + "/scopeMaps/_repositories_pull"
	bodies := map[string]string{
		"registries": `{"location":"local","sku":{"name":"Basic"}}`,
		"scopeMaps":  `{"properties":{"actions":["repositories/app/content/read"]}}`,
		"tokens":     `{"properties":{"scopeMapId":"` + scopeMapID + `"}}`,
	}
	for _, name := range oddNames {
		paths := map[string]string{
			"registries": base + name + q,
			"scopeMaps":  base + regA + "/scopeMaps/" + name + q,
			"tokens":     base + regA + "/tokens/" + name + q,
		}
		for kind, p := range paths {
			for _, method := range []string{"PUT", "GET", "PATCH", "DELETE"} {
				if code := e.send(method, loginServer(regA), p, bodies[kind], admin); !refusedStatus(code) {
					t.Errorf("%s %s named %q: status %d, want a refusal (3xx or 4xx)", method, kind, name, code)
				}
			}
		}
		gen := `{"tokenId":"` + base + regA + "/tokens/" + name + `"}`
		if code := e.send("POST", loginServer(regA), base+regA+"/generateCredentials"+q, gen, admin); !refusedStatus(code) {
			t.Errorf("generateCredentials for token %q: status %d, want a refusal", name, code)
		}
	}
	regs, _ := e.srv.Access.ListRegistries(t.Context(), "")
	if len(regs) != 1 {
		t.Errorf("registries after the attempts: %v, want only %s", regs, regA)
	}
	tokens, _ := e.srv.Access.ListTokens(t.Context(), group, regA, accessPage())
	if len(tokens) != 0 {
		t.Errorf("tokens after the attempts: %v, want none", tokens)
	}
}

func TestOddRepositoryNamesOnV2AreRefused(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "everything", "repositories/*/content/read", "repositories/*/content/write",
		"repositories/*/content/delete", "repositories/*/metadata/read", "repositories/*/metadata/write")
	h := basic("everything", pw)
	// An encoded slash is a slash in a repository name ("a%2fb" is a/b,
	// authorized and stored under that one name), so it is left out.
	repos := append([]string{"../../outside", "app/../../../outside", "%2e%2e/%2e%2e/outside", "app%2f..%2f..%2foutside",
		"App", "app%00", "app%0a", "-app", "app/", strings.Repeat("a/", 150) + "a"},
		slices.DeleteFunc(slices.Clone(oddNames), func(n string) bool { return n == "a%2fb" })...)
	for _, repo := range repos {
		for _, r := range []struct{ method, path string }{
			{"GET", "/v2/" + repo + "/manifests/latest"},
			{"PUT", "/v2/" + repo + "/manifests/latest"},
			{"GET", "/v2/" + repo + "/tags/list"},
			{"POST", "/v2/" + repo + "/blobs/uploads/"},
			{"DELETE", "/v2/" + repo + "/manifests/sha256:" + strings.Repeat("0", 64)},
		} {
			if code := e.send(r.method, loginServer(regA), r.path, "{}", h); !refusedStatus(code) {
				t.Errorf("%s %s: status %d, want a refusal (3xx or 4xx)", r.method, r.path, code)
			}
		}
	}
	// Nothing was written beside the data directory, and the registry holds
	// only the repository seeded.
	entries, _ := os.ReadDir(filepath.Dir(e.data))
	for _, en := range entries {
		if en.Name() != filepath.Base(e.data) {
			t.Errorf("%s appeared beside the data directory", en.Name())
		}
	}
	var repoDirs []string
	root := filepath.Join(e.data, "registries", regA, "docker", "registry", "v2", "repositories")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "_manifests" || d.Name() == "_uploads") {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			if !slices.Contains(repoDirs, rel) {
				repoDirs = append(repoDirs, rel)
			}
			return fs.SkipDir
		}
		return nil
	})
	if !slices.Equal(repoDirs, []string{"app"}) {
		t.Errorf("repositories in storage: %q, want only app", repoDirs)
	}
}

func TestOddTokenNamesInBasicCredentialsAreRefused(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "real-token", "repositories/app/content/read")
	users := []string{"../../etc/passwd", "real-token\x00", "a\x00b", "forged\nlevel=ERROR msg=forged-line", "real-token\r\nX-Injected: 1",
		strings.Repeat("x", 10000), "t\u00f6ken-n\u00e4me", "", " ", "%2e%2e", "REAL-TOKEN ", "*", "real-token:extra", "real-token'--"}
	for _, user := range users {
		for how, try := range map[string]attempt{"token endpoint": atTokenEndpoint, "Basic on /v2/": withBasic} {
			if code, _ := try(e, user, pw); code != 401 {
				t.Errorf("%s with user %.40q: status %d, want 401", how, user, code)
			}
		}
	}
	for line := range strings.Lines(e.logs.String()) {
		if strings.HasPrefix(line, "level=ERROR msg=forged-line") || strings.HasPrefix(line, "X-Injected") {
			t.Errorf("a user name forged a log line: %q", line)
		}
	}
	if code, _ := atTokenEndpoint(e, "real-token", pw); code != 200 {
		t.Errorf("the real token after the attempts: status %d, want 200", code)
	}
}

func accessPage() access.Page { return access.Page{} }
