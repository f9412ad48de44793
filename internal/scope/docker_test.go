package scope_test

import (
	"slices"
	"testing"

	"github.com/openacr/openacr/internal/scope"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, in string
		want     scope.Request
	}{
		{"repository with two actions", "repository:team/app:pull,push", scope.Request{Type: "repository", Name: "team/app", Actions: []string{"pull", "push"}}},
		{"catalog", "registry:catalog:*", scope.Request{Type: "registry", Name: "catalog", Actions: []string{"*"}}},
		{"name with a host and port", "repository:localhost:5000/app:pull", scope.Request{Type: "repository", Name: "localhost:5000/app", Actions: []string{"pull"}}},
		{"resource class", "repository(plugin):app:pull", scope.Request{Type: "repository", Class: "plugin", Name: "app", Actions: []string{"pull"}}},
		{"repeated actions collapse", "repository:app:pull,pull,", scope.Request{Type: "repository", Name: "app", Actions: []string{"pull"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scope.ParseRequest(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tt.want.Type || got.Class != tt.want.Class || got.Name != tt.want.Name || !slices.Equal(got.Actions, tt.want.Actions) {
				t.Errorf("ParseRequest(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "repository", "repository:app", ":app:pull", "repository::pull", "repository(plugin:app:pull"} {
		if _, err := scope.ParseRequest(bad); err == nil {
			t.Errorf("ParseRequest(%q) succeeded, want an error", bad)
		}
	}
}

func TestGrantIsTheIntersectionWithTheScopeMap(t *testing.T) {
	set, err := scope.Compile([]string{"repositories/app/content/read", "repositories/team/*/content/write", "repositories/team/*/content/read"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		want     string // "" when nothing is granted
	}{
		{"subset of what was asked", "repository:app:pull,push", "repository:app:pull"},
		{"star asks for everything allowed", "repository:team/x:*", "repository:team/x:pull,push"},
		{"nothing on another repository", "repository:other:pull", ""},
		{"unknown actions are ignored", "repository:app:pull,fly", "repository:app:pull"},
		{"catalog is granted, the data plane filters it", "registry:catalog:*", "registry:catalog:*"},
		{"other resource types get nothing", "artifact-repository:app:pull", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := scope.ParseRequest(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := set.Grant(req)
			if (tt.want == "") == ok || (ok && got.String() != tt.want) {
				t.Errorf("Grant(%q) = %q, %v; want %q", tt.in, got.String(), ok, tt.want)
			}
		})
	}
}
