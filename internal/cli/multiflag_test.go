package cli

import (
	"reflect"
	"testing"
)

func TestPreParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantRest []string
		wantUses []multiUse
	}{
		{
			name:     "one repository with two actions",
			args:     []string{"token", "create", "-n", "tok", "--repository", "app", "content/read", "content/write"},
			wantRest: []string{"token", "create", "-n", "tok"},
			wantUses: []multiUse{{Flag: "--repository", Values: []string{"app", "content/read", "content/write"}}},
		},
		{
			name:     "repeated flag keeps each group",
			args:     []string{"--repository", "app", "content/read", "content/write", "--repository", "team/*", "content/read"},
			wantRest: []string{},
			wantUses: []multiUse{
				{Flag: "--repository", Values: []string{"app", "content/read", "content/write"}},
				{Flag: "--repository", Values: []string{"team/*", "content/read"}},
			},
		},
		{
			name:     "values stop at the next option",
			args:     []string{"--repository", "app", "content/read", "-r", "reg", "--status", "disabled"},
			wantRest: []string{"-r", "reg", "--status", "disabled"},
			wantUses: []multiUse{{Flag: "--repository", Values: []string{"app", "content/read"}}},
		},
		{
			name:     "flags before and after",
			args:     []string{"-n", "tok", "--gateway", "gw1", "config/read", "--scope-map", "x"},
			wantRest: []string{"-n", "tok", "--scope-map", "x"},
			wantUses: []multiUse{{Flag: "--gateway", Values: []string{"gw1", "config/read"}}},
		},
		{
			name:     "equals form takes the following values too",
			args:     []string{"--repository=app", "content/read", "-n", "tok"},
			wantRest: []string{"-n", "tok"},
			wantUses: []multiUse{{Flag: "--repository", Values: []string{"app", "content/read"}}},
		},
		{
			name:     "equals form alone",
			args:     []string{"--repository=app"},
			wantRest: []string{},
			wantUses: []multiUse{{Flag: "--repository", Values: []string{"app"}}},
		},
		{
			name:     "flag without values",
			args:     []string{"--repository", "--name", "tok"},
			wantRest: []string{"--name", "tok"},
			wantUses: []multiUse{{Flag: "--repository"}},
		},
		{
			name:     "flag at the end",
			args:     []string{"-n", "tok", "--repository"},
			wantRest: []string{"-n", "tok"},
			wantUses: []multiUse{{Flag: "--repository"}},
		},
		{
			name:     "a lone dash is a value",
			args:     []string{"--defaults", "acr=x", "-"},
			wantRest: []string{},
			wantUses: []multiUse{{Flag: "--defaults", Values: []string{"acr=x", "-"}}},
		},
		{
			name:     "update flags and deprecated aliases",
			args:     []string{"--add-repository", "a", "content/read", "--remove", "b", "content/write", "--add-gateway", "g", "config/read"},
			wantRest: []string{},
			wantUses: []multiUse{
				{Flag: "--add-repository", Values: []string{"a", "content/read"}},
				{Flag: "--remove", Values: []string{"b", "content/write"}},
				{Flag: "--add-gateway", Values: []string{"g", "config/read"}},
			},
		},
		{
			name:     "configure short flag",
			args:     []string{"configure", "-d", "acr=myreg", "group=rg"},
			wantRest: []string{"configure"},
			wantUses: []multiUse{{Flag: "-d", Values: []string{"acr=myreg", "group=rg"}}},
		},
		{
			name:     "arguments after -- are left alone",
			args:     []string{"-n", "x", "--", "--repository", "app"},
			wantRest: []string{"-n", "x", "--", "--repository", "app"},
		},
		{
			name:     "other flags are untouched",
			args:     []string{"--description", "d", "--repository-x", "y"},
			wantRest: []string{"--description", "d", "--repository-x", "y"},
		},
		{
			name:     "three-state flag takes true or false",
			args:     []string{"--no-passwords", "False", "-n", "tok"},
			wantRest: []string{"--no-passwords=false", "-n", "tok"},
		},
		{
			name:     "three-state flag alone",
			args:     []string{"--no-passwords", "-n", "tok"},
			wantRest: []string{"--no-passwords", "-n", "tok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, uses := preParse(tt.args)
			if !reflect.DeepEqual(rest, tt.wantRest) {
				t.Errorf("rest: got %q, want %q", rest, tt.wantRest)
			}
			if !reflect.DeepEqual(uses, tt.wantUses) {
				t.Errorf("uses: got %+v, want %+v", uses, tt.wantUses)
			}
		})
	}
}
