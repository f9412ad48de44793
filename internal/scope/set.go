package scope

import "strings"

// Set is a compiled scope map. It is immutable and safe for concurrent use.
//
// Lookups cost one map probe per path component of the repository, however
// many rules the scope map has: the exact rule, then every "<prefix>/*" rule
// above it, then "*". Rules are additive (SPEC §2).
type Set struct {
	exact  map[string]Action
	prefix map[string]Action // key is the prefix without "/*"
	all    Action            // from "*"
}

// Compile builds a Set from action strings. Gateway actions are accepted and
// grant nothing on repositories.
func Compile(actions []string) (*Set, error) {
	s := &Set{exact: map[string]Action{}, prefix: map[string]Action{}}
	for _, a := range actions {
		r, err := Parse(a)
		if err != nil {
			return nil, err
		}
		if r.Kind != "repositories" {
			continue
		}
		switch {
		case r.Target == "*":
			s.all |= r.Action
		case strings.HasSuffix(r.Target, "/*"):
			s.prefix[strings.TrimSuffix(r.Target, "/*")] |= r.Action
		default:
			s.exact[r.Target] |= r.Action
		}
	}
	return s, nil
}

// Allowed returns the union of the actions that every matching rule grants on
// repo. A "<prefix>/*" rule matches repositories strictly below the prefix, at
// any depth.
func (s *Set) Allowed(repo string) Action {
	if s == nil {
		return 0
	}
	a := s.all | s.exact[repo]
	if len(s.prefix) == 0 {
		return a
	}
	for i := len(repo) - 1; i > 0; i-- {
		if repo[i] == '/' {
			a |= s.prefix[repo[:i]]
		}
	}
	return a
}

// Covers reports whether some repository could get any action from the set
// under the given repository, used to filter a catalog: true if repo itself
// is granted anything.
func (s *Set) Covers(repo string) bool { return s.Allowed(repo) != 0 }
