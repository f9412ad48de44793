package server_test

import (
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// seed pushes one image to each repository with an admin token and returns
// the images.
func (e *registryEnv) seed(registry string, repos ...string) map[string]v1.Image {
	e.t.Helper()
	admin := e.client(registry, "seeder", e.token(registry, "seeder", "repositories/*/content/read", "repositories/*/content/write"))
	imgs := map[string]v1.Image{}
	for _, repo := range repos {
		img, err := admin.push(repo, "v1")
		wantOK(e.t, "seed "+repo, err)
		imgs[repo] = img
	}
	return imgs
}

func TestEachActionIsAllowedOnlyByItsScopeMapAction(t *testing.T) {
	e := newRegistryEnv(t)
	imgs := e.seed(regA, "app", "other", "team", "team/a/b", "meta", "gone")

	type op func(c *client) error
	pull := func(repo string) op { return func(c *client) error { return c.pull(repo, "v1") } }
	push := func(repo string) op { return func(c *client) error { _, err := c.push(repo, "new"); return err } }
	list := func(repo string) op { return func(c *client) error { _, err := c.list(repo); return err } }
	del := func(repo string) op { return func(c *client) error { return c.delete(repo, imgs[repo]) } }

	tests := []struct {
		name    string
		actions []string
		op      op
		allowed bool
	}{
		{"content/read allows pull", []string{"repositories/app/content/read"}, pull("app"), true},
		{"content/read does not allow push", []string{"repositories/app/content/read"}, push("app"), false},
		{"push needs content/read besides content/write", []string{"repositories/app/content/write"}, push("app"), false},
		{"content/read and content/write allow push", []string{"repositories/app/content/read", "repositories/app/content/write"}, push("app"), true},
		{"content/read does not allow delete", []string{"repositories/app/content/read"}, del("app"), false},
		{"content/delete allows delete", []string{"repositories/gone/content/delete"}, del("gone"), true},
		{"content/read does not allow listing tags", []string{"repositories/app/content/read"}, list("app"), false},
		{"metadata/read allows listing tags", []string{"repositories/meta/metadata/read"}, list("meta"), true},
		{"a rule on one repository grants nothing on another", []string{"repositories/app/content/read"}, pull("other"), false},
		{"prefix wildcard matches repositories below it", []string{"repositories/team/*/content/read"}, pull("team/a/b"), true},
		{"prefix wildcard does not match the prefix itself", []string{"repositories/team/*/content/read"}, pull("team"), false},
		{"star matches every repository", []string{"repositories/*/content/read"}, pull("other"), true},
		{"rules add up across wildcards", []string{"repositories/*/content/read", "repositories/app/content/write"}, push("app"), true},
		{"rules add up only where they match", []string{"repositories/*/content/read", "repositories/app/content/write"}, push("other"), false},
		{"gateway actions grant nothing on /v2/", []string{"gateway/edge1/config/read"}, pull("app"), false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "tok" + string(rune('a'+i)) + "xyz"
			c := e.client(regA, name, e.token(regA, name, tt.actions...))
			err := tt.op(c)
			switch {
			case tt.allowed && err != nil:
				t.Errorf("refused: %v", err)
			case !tt.allowed && !refused(err):
				t.Errorf("error %v, want 401", err)
			}
		})
	}
}

func TestCatalogListsOnlyTheTokensRepositories(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app", "other", "team/a", "team/b/c", "zeta")
	tests := []struct {
		name    string
		actions []string
		want    []string
	}{
		{"exact and prefix rules", []string{"repositories/app/content/read", "repositories/team/*/metadata/read"}, []string{"app", "team/a", "team/b/c"}},
		{"star sees everything", []string{"repositories/*/content/delete"}, []string{"app", "other", "team/a", "team/b/c", "zeta"}},
		{"no repository rule sees nothing", []string{"gateway/edge1/config/read"}, []string{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "cat" + string(rune('a'+i)) + "xyz"
			c := e.client(regA, name, e.token(regA, name, tt.actions...))
			got, err := c.catalog()
			wantOK(t, "catalog", err)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("catalog = %q, want %q", got, tt.want)
			}
		})
	}
}
