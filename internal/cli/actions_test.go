package cli

import (
	"reflect"
	"testing"
)

func TestParseActions(t *testing.T) {
	tests := []struct {
		name            string
		repos, gateways [][]string
		want            []string
		wantErr         string
	}{
		{
			name:     "repository and gateway actions, lower-cased",
			repos:    [][]string{{"App", "Content/Read", "content/write"}, {"team/*", "metadata/read"}},
			gateways: [][]string{{"GW1", "config/read"}},
			want: []string{"repositories/app/content/read", "repositories/app/content/write",
				"repositories/team/*/metadata/read", "gateway/gw1/config/read"},
		},
		{
			name:    "missing action",
			repos:   [][]string{{"App"}},
			wantErr: `At least one action must be specified with "app".`,
		},
		{
			name:    "invalid repository action",
			repos:   [][]string{{"app", "content/READX"}},
			wantErr: "Invalid action \"content/readx\" provided. \nValid actions are {'content/delete', 'content/read', 'content/write', 'metadata/read', 'metadata/write'}.",
		},
		{
			name:     "invalid gateway action",
			gateways: [][]string{{"gw", "content/read"}},
			wantErr:  "Invalid action \"content/read\" provided. \nValid actions are {'config/read', 'config/write', 'message/read', 'message/write'}.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseActions(tt.repos, tt.gateways)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUpdateActions(t *testing.T) {
	cur := []string{"repositories/a/content/read", "repositories/b/content/read"}
	tests := []struct {
		name        string
		add, remove []string
		want        []string
		wantErr     string
	}{
		{
			name:   "adds are appended and removes dropped, order kept",
			add:    []string{"repositories/c/content/write", "repositories/a/content/read"},
			remove: []string{"repositories/b/content/read"},
			want:   []string{"repositories/a/content/read", "repositories/c/content/write"},
		},
		{
			name:   "removing an absent action is not an error",
			remove: []string{"repositories/z/content/read"},
			want:   cur,
		},
		{
			name:    "an action both added and removed is ambiguous",
			add:     []string{"repositories/b/content/read", "repositories/a/content/read"},
			remove:  []string{"repositories/a/content/read", "repositories/b/content/read"},
			wantErr: "Update ambiguity. Duplicate actions were provided with --add and --remove arguments.\n['a/content/read', 'b/content/read']",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := updateActions(cur, tt.add, tt.remove)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
