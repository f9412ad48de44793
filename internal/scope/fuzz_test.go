package scope_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/scope"
)

// The fuzz targets of the scope grammar. `go test` runs their seeds;
// `go test -fuzz FuzzX` explores (.ci/run does, briefly, for each).

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"repositories/app/content/read", "repositories/team/*/metadata/write", "repositories/*/content/delete",
		"Repositories/App/Content/Read", " repositories/a/b/c/content/write ", "repositories/a/*/b/content/read",
		"repositories/a*/content/read", "repositories//content/read", "gateway/gw1/config/read", "gateway/GW/message/write",
		"gateway/a/b/c/d", "repositories/app", "", "repositories/app/content/read\x00", "repositories/é/content/read",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := scope.Parse(s)
		if err != nil {
			var se *scope.Error
			if !errors.As(err, &se) || se.Action != s || se.Reason == "" {
				t.Fatalf("Parse(%q): error %v is not a *scope.Error naming the input", s, err)
			}
			return
		}
		canon := r.String()
		if canon != strings.ToLower(canon) || strings.TrimSpace(canon) != canon {
			t.Fatalf("Parse(%q): canonical form %q is not lower case and trimmed", s, canon)
		}
		again, err := scope.Parse(canon)
		if err != nil || again != r {
			t.Fatalf("Parse(%q) = %+v, but its canonical form %q parses to %+v, %v", s, r, canon, again, err)
		}
		if got, err := scope.Canonical([]string{s, canon}); err != nil || len(got) != 1 || got[0] != canon {
			t.Fatalf("Canonical(%q, %q) = %v, %v; want [%q]", s, canon, got, err, canon)
		}
		if r.Kind == "repositories" {
			target := strings.TrimSuffix(r.Target, "/*")
			if r.Target != "*" && strings.Contains(target, "*") {
				t.Fatalf("Parse(%q): wildcard %q not only at the end", s, r.Target)
			}
			if r.Action == 0 || r.Action&(r.Action-1) != 0 {
				t.Fatalf("Parse(%q): action %v is not exactly one action", s, r.Action)
			}
		}
	})
}

// FuzzAllowed checks the compiled matcher against the plain reading of
// SPEC §2: "*" matches every repository, "p/*" every one strictly under p,
// anything else only itself.
func FuzzAllowed(f *testing.F) {
	for _, seed := range [][2]string{
		{"app", "app"}, {"app", "app/x"}, {"team/*", "team/app"}, {"team/*", "team"}, {"team/*", "team/a/b/c"},
		{"team/*", "teams/app"}, {"team/*", "x/team/app"}, {"*", ""}, {"*", "anything/at/all"}, {"a/b/*", "a/b/"},
		{"Team/*", "team/app"}, {"team/*", "Team/app"}, {"a", "/a"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, repo string) {
		action := "repositories/" + pattern + "/content/read"
		r, err := scope.Parse(action)
		if err != nil {
			return
		}
		set, err := scope.Compile([]string{action, "gateway/gw1/config/read"})
		if err != nil {
			t.Fatalf("Compile(%q): %v, though Parse accepts it", action, err)
		}
		var want bool
		switch p := r.Target; {
		case p == "*":
			want = true
		case strings.HasSuffix(p, "/*"):
			want = strings.HasPrefix(repo, strings.TrimSuffix(p, "*"))
		default:
			want = repo == p
		}
		got := set.Allowed(repo)
		if (got == scope.ContentRead) != want || (got != 0 && got != scope.ContentRead) {
			t.Fatalf("rule %q on repository %q: Allowed = %v, want match=%v", r.Target, repo, got, want)
		}
		if set.Covers(repo) != want {
			t.Fatalf("rule %q on repository %q: Covers = %v, want %v", r.Target, repo, !want, want)
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"repository:app:pull", "repository:team/app:pull,push", "repository:localhost:5000/app:pull,pull,,push",
		"registry:catalog:*", "repository(plugin):app:pull", "repository(:app:pull", "(plugin):app:pull", "repository:app:",
		"repository::pull", ":app:pull", "repository", "a(b(c)):n:x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := scope.ParseRequest(s)
		if err != nil {
			return
		}
		if r.Type == "" || r.Name == "" || strings.ContainsAny(r.Type, ":(") || strings.Contains(r.Class, ":") {
			t.Fatalf("ParseRequest(%q) = %+v: empty type or name, or a separator in the type", s, r)
		}
		seen := map[string]bool{}
		for _, a := range r.Actions {
			if a == "" || seen[a] || strings.ContainsAny(a, ",:") {
				t.Fatalf("ParseRequest(%q): actions %q not distinct, non-empty names", s, r.Actions)
			}
			seen[a] = true
		}
		again, err := scope.ParseRequest(r.String())
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("ParseRequest(%q) = %+v, but %q parses to %+v, %v", s, r, r.String(), again, err)
		}
	})
}
