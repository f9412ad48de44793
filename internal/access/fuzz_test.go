package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// grammar is a name rule of SPEC §1 written without regular expressions:
// a length range in characters and the characters allowed, so that the
// fuzzer compares two independent readings of the same rule.
type grammar struct {
	min, max int
	allowed  string // besides ASCII letters and digits
	validate func(string) error
	// noFinal is a character the name may not end in.
	noFinal byte
}

func (g grammar) accepts(s string) bool {
	if len(s) < g.min || len(s) > g.max || (g.noFinal != 0 && s[len(s)-1] == g.noFinal) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && !strings.ContainsRune(g.allowed, rune(c)) {
			return false
		}
	}
	return true
}

var grammars = map[string]grammar{
	"registry":       {min: 5, max: 50, validate: access.ValidateRegistryName},
	"token":          {min: 5, max: 50, allowed: "-", validate: access.ValidateTokenName},
	"scope map":      {min: 5, max: 50, allowed: "-_", validate: access.ValidateScopeMapName},
	"resource group": {min: 1, max: 90, allowed: "-_.()", validate: access.ValidateGroupName, noFinal: '.'},
}

// FuzzNames checks that each name validator accepts exactly the names of
// its documented grammar, and refuses the others with ErrInvalidName and a
// message that quotes the name.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"myregistry", "MyToken-1", "my_scope-map", "rg.(test)", "abcd", "abcde",
		strings.Repeat("a", 50), strings.Repeat("a", 51), strings.Repeat("g", 90), "group.", "..", "a b c d e",
		"tökenname", "token\x00name", "../../etc", "name\n", "ＡＢＣＤＥ", "_repositories_pull"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for what, g := range grammars {
			err := g.validate(s)
			if want := g.accepts(s); (err == nil) != want {
				t.Fatalf("%s name %q: validator says %v, the grammar says accepted=%v", what, s, err, want)
			}
			if err != nil && (!errors.Is(err, access.ErrInvalidName) || !strings.Contains(err.Error(), "'"+s+"'")) {
				t.Fatalf("%s name %q: refusal %v is not ErrInvalidName quoting the name", what, s, err)
			}
		}
	})
}
