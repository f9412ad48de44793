package scope

import (
	"fmt"
	"slices"
	"strings"
)

// Request is one scope of the Docker token protocol, as a client asks for it
// ("repository:team/app:pull,push", "registry:catalog:*") and as an access
// token grants it.
type Request struct {
	Type    string // "repository", "registry", ...
	Class   string // the optional "(class)" after the type, e.g. "plugin"
	Name    string // may contain ':' (a host:port prefix); the actions follow the last one
	Actions []string
}

// String returns r in the grammar ParseRequest reads.
func (r Request) String() string {
	t := r.Type
	if r.Class != "" {
		t += "(" + r.Class + ")"
	}
	return t + ":" + r.Name + ":" + strings.Join(r.Actions, ",")
}

// ParseRequest reads one scope of the Docker token protocol:
// type[(class)]:name:action[,action...]. The name runs from the first ':' to
// the last, so it may itself contain colons.
func ParseRequest(s string) (Request, error) {
	i, j := strings.IndexByte(s, ':'), strings.LastIndexByte(s, ':')
	if i <= 0 || j == i {
		return Request{}, fmt.Errorf("scope %q: want type:name:actions", s)
	}
	r := Request{Type: s[:i], Name: s[i+1 : j]}
	if open := strings.IndexByte(r.Type, '('); open >= 0 {
		if !strings.HasSuffix(r.Type, ")") {
			return Request{}, fmt.Errorf("scope %q: unterminated resource class", s)
		}
		r.Type, r.Class = r.Type[:open], r.Type[open+1:len(r.Type)-1]
	}
	if r.Type == "" { // "(class):name:actions" (found by FuzzParseRequest)
		return Request{}, fmt.Errorf("scope %q: the resource type is empty", s)
	}
	if r.Name == "" {
		return Request{}, fmt.Errorf("scope %q: the resource name is empty", s)
	}
	for a := range strings.SplitSeq(s[j+1:], ",") {
		if a != "" && !slices.Contains(r.Actions, a) {
			r.Actions = append(r.Actions, a)
		}
	}
	return r, nil
}

// Grant returns the part of req that set allows, or false when nothing of it
// is. Repository actions are granted from the scope map's rules (a "*"
// request means every action the map allows on that repository). The catalog
// ("registry:catalog:*") is granted to every token because the data plane
// answers it with only the repositories the token holds an action on (SPEC
// §2). Anything else is granted nothing.
func (s *Set) Grant(req Request) (Request, bool) {
	switch {
	case req.Type == "repository" && req.Class == "":
		allowed := s.Allowed(req.Name)
		var want Action
		for _, a := range req.Actions {
			if act, ok := FromDocker(a); ok {
				want |= act
			}
		}
		got := allowed & want
		if got == 0 {
			return Request{}, false
		}
		return Request{Type: req.Type, Name: req.Name, Actions: got.Docker()}, true
	case req.Type == "registry" && req.Name == "catalog" && slices.Contains(req.Actions, "*"):
		return Request{Type: "registry", Name: "catalog", Actions: []string{"*"}}, true
	}
	return Request{}, false
}
