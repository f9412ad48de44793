package scope

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		action string
		want   Rule
		reason string // "" = accepted; else part of the refusal
	}{
		{"a repository action parses", "repositories/app/content/read",
			Rule{Kind: "repositories", Target: "app", Action: ContentRead}, ""},
		{"case and spaces are normalised", "  Repositories/Team/App/METADATA/Write ",
			Rule{Kind: "repositories", Target: "team/app", Action: MetadataWrite}, ""},
		{"* is every repository", "repositories/*/content/delete",
			Rule{Kind: "repositories", Target: "*", Action: ContentDelete}, ""},
		{"prefix/* is a subtree", "repositories/team/a/*/content/write",
			Rule{Kind: "repositories", Target: "team/a/*", Action: ContentWrite}, ""},
		{"a gateway action parses", "gateway/edge-1/message/write",
			Rule{Kind: "gateway", Target: "edge-1", GatewayAction: "message/write"}, ""},
		{"a wildcard in the middle is refused", "repositories/a/*/b/content/read", Rule{}, "wildcard must be the last"},
		{"a wildcard inside a name is refused", "repositories/a/b*/content/read", Rule{}, "wildcard must be the last"},
		{"two wildcards are refused", "repositories/a/*/b/*/content/read", Rule{}, "wildcard must be the last"},
		{"*/* is refused", "repositories/*/*/content/read", Rule{}, "wildcard must be the last"},
		{"an unknown action is refused", "repositories/a/content/list", Rule{}, `unknown action "content/list"`},
		{"a missing repository is refused", "repositories/content/read", Rule{}, "want repositories/<repository>/<action>"},
		{"an empty repository is refused", "repositories//content/read", Rule{}, "empty"},
		{"a bad repository name is refused", "repositories/a..b/content/read", Rule{}, "is not a valid name"},
		{"a trailing slash in a repository is refused", "repositories/a//content/read", Rule{}, "is not a valid name"},
		{"an over-long repository is refused", "repositories/" + strings.Repeat("a", 256) + "/content/read", Rule{}, "at most 255"},
		{"an unknown gateway action is refused", "gateway/edge/config/delete", Rule{}, "unknown gateway action"},
		{"a gateway action without a name is refused", "gateway/config/read", Rule{}, "want gateway/"},
		{"an upper-case gateway name is lowered", "gateway/EDGE/config/read",
			Rule{Kind: "gateway", Target: "edge", GatewayAction: "config/read"}, ""},
		{"another kind is refused", "registry/a/content/read", Rule{}, "starts with repositories/ or gateway/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.action)
			if tt.reason == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Parse(%q) = %+v, %v; want %+v", tt.action, got, err, tt.want)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Action != tt.action || !strings.Contains(e.Reason, tt.reason) {
				t.Fatalf("Parse(%q): got error %v, want an *Error whose reason contains %q", tt.action, err, tt.reason)
			}
		})
	}
}

func TestRuleStringRoundTrips(t *testing.T) {
	for _, a := range []string{"repositories/team/*/metadata/read", "repositories/*/content/read", "gateway/edge/config/write"} {
		r, err := Parse(a)
		if err != nil || r.String() != a {
			t.Errorf("Parse(%q).String() = %q, %v; want the input back", a, r.String(), err)
		}
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
		err  string
	}{
		{"sorts, lower-cases and removes duplicates",
			[]string{"repositories/b/content/read", "REPOSITORIES/A/CONTENT/READ", "repositories/a/content/read"},
			[]string{"repositories/a/content/read", "repositories/b/content/read"}, ""},
		{"empty stays empty", nil, []string{}, ""},
		{"the first bad action is reported", []string{"repositories/a/content/read", "repositories/a*/content/read", "bad"},
			nil, "repositories/a*/content/read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.in)
			if tt.err != "" {
				if e, ok := err.(*Error); !ok || e.Action != tt.err {
					t.Fatalf("got %v, want an *Error for %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	// The example of SPEC §2: rules are additive.
	spec := []string{
		"repositories/sample/*/content/read",
		"repositories/sample/teamA/*/content/write",
		"repositories/sample/teamA/projectB/content/delete",
	}
	tests := []struct {
		name    string
		actions []string
		repo    string
		want    Action
	}{
		{"an exact rule and both prefixes above it add up", spec, "sample/teama/projectb", ContentRead | ContentWrite | ContentDelete},
		{"a sibling gets only the prefixes", spec, "sample/teama/projectc", ContentRead | ContentWrite},
		{"a prefix matches at any depth", spec, "sample/teama/projectc/deep/er", ContentRead | ContentWrite},
		{"a prefix rule does not match the prefix itself", spec, "sample", 0},
		{"a prefix rule matches only whole components", spec, "samplex/teama", 0},
		{"an unrelated repository gets nothing", spec, "other", 0},
		{"* matches every repository", []string{"repositories/*/metadata/read", "repositories/app/content/read"}, "app", MetadataRead | ContentRead},
		{"* matches nested repositories", []string{"repositories/*/metadata/read"}, "a/b/c", MetadataRead},
		{"gateway actions grant nothing", []string{"gateway/edge/config/read", "gateway/edge/message/write"}, "edge", 0},
		{"an exact rule does not match below it", []string{"repositories/app/content/read"}, "app/sub", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.actions)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if got := s.Allowed(tt.repo); got != tt.want {
				t.Errorf("Allowed(%q) = %v, want %v", tt.repo, got, tt.want)
			}
			if got := s.Covers(tt.repo); got != (tt.want != 0) {
				t.Errorf("Covers(%q) = %v, want %v", tt.repo, got, tt.want != 0)
			}
		})
	}
	t.Run("a nil set allows nothing", func(t *testing.T) {
		var s *Set
		if got := s.Allowed("app"); got != 0 {
			t.Errorf("got %v, want nothing", got)
		}
	})
	t.Run("compile refuses a bad action", func(t *testing.T) {
		if _, err := Compile([]string{"repositories/a/*/b/content/read"}); err == nil {
			t.Error("got no error")
		}
	})
}

func TestDocker(t *testing.T) {
	tests := []struct {
		name   string
		docker string
		want   Action
		ok     bool
	}{
		{"pull is content/read", "pull", ContentRead, true},
		{"push is content/write", "push", ContentWrite, true},
		{"delete is content/delete", "delete", ContentDelete, true},
		{"metadata_read is metadata/read", "metadata_read", MetadataRead, true},
		{"metadata_write is metadata/write", "metadata_write", MetadataWrite, true},
		{"* is every action", "*", All, true},
		{"an unknown name is refused", "admin", 0, false},
		{"names are case-sensitive", "PULL", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromDocker(tt.docker)
			if got != tt.want || ok != tt.ok {
				t.Errorf("FromDocker(%q) = %v, %v; want %v, %v", tt.docker, got, ok, tt.want, tt.ok)
			}
			if ok && tt.docker != "*" && !slices.Equal(got.Docker(), []string{tt.docker}) {
				t.Errorf("%v.Docker() = %v, want [%s]", got, got.Docker(), tt.docker)
			}
		})
	}
	if got := All.Docker(); !slices.Equal(got, []string{"pull", "push", "delete", "metadata_read", "metadata_write"}) {
		t.Errorf("All.Docker() = %v", got)
	}
	if got := (ContentRead | MetadataRead).String(); got != "content/read,metadata/read" {
		t.Errorf("String() = %q", got)
	}
}
