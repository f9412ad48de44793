// Package scope owns the grammar of scope-map actions (SPEC §2): parsing and
// validating action strings such as "repositories/team/*/content/read",
// compiling a scope map into a Set that answers "what may be done to this
// repository" in time proportional to the repository's depth, and the mapping
// between scope-map actions and Docker token actions.
//
// It is pure: no I/O, no clock, and it imports nothing of openacr.
package scope

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Action is one of the five repository permissions of a scope map, as a bit
// so that a Set can union the rules that match a repository cheaply.
type Action uint8

// The five repository actions of SPEC §2.
const (
	ContentRead Action = 1 << iota
	ContentWrite
	ContentDelete
	MetadataRead
	MetadataWrite

	// All is every repository action.
	All = ContentRead | ContentWrite | ContentDelete | MetadataRead | MetadataWrite
)

var actionNames = []struct {
	a      Action
	name   string // scope-map spelling
	docker string // Docker token protocol spelling
}{
	{ContentRead, "content/read", "pull"},
	{ContentWrite, "content/write", "push"},
	{ContentDelete, "content/delete", "delete"},
	{MetadataRead, "metadata/read", "metadata_read"},
	{MetadataWrite, "metadata/write", "metadata_write"},
}

// RepositoryActions lists the valid repository action names, for messages.
const RepositoryActions = "content/read, content/write, content/delete, metadata/read, metadata/write"

// GatewayActions lists the valid gateway action names, for messages.
const GatewayActions = "config/read, config/write, message/read, message/write"

// String returns the scope-map spellings of the actions in a, joined by ",".
func (a Action) String() string {
	var names []string
	for _, n := range actionNames {
		if a&n.a != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// Docker returns the Docker token action names granted by a, in a stable order.
func (a Action) Docker() []string {
	var names []string
	for _, n := range actionNames {
		if a&n.a != 0 {
			names = append(names, n.docker)
		}
	}
	return names
}

// FromDocker maps a Docker token action ("pull", "push", ...) to the scope-map
// action it needs. "*" means every action. ok is false for an unknown name.
func FromDocker(name string) (a Action, ok bool) {
	if name == "*" {
		return All, true
	}
	for _, n := range actionNames {
		if n.docker == name {
			return n.a, true
		}
	}
	return 0, false
}

// Rule is one parsed action string of a scope map.
type Rule struct {
	// Kind is "repositories" or "gateway".
	Kind string
	// Target is the repository (possibly "*" or ending in "/*") or the gateway name.
	Target string
	// Action is set for repository rules.
	Action Action
	// GatewayAction is set for gateway rules ("config/read", ...).
	GatewayAction string
}

// String returns the canonical action string of r.
func (r Rule) String() string {
	if r.Kind == "gateway" {
		return "gateway/" + r.Target + "/" + r.GatewayAction
	}
	return "repositories/" + r.Target + "/" + r.Action.String()
}

// Error is a refused action string; its message says what is allowed.
type Error struct {
	Action string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid action %q: %s", e.Action, e.Reason)
}

// repoComponent is the OCI distribution-spec path component grammar.
var repoPath = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)

var gatewayName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)

// maxRepositoryLen bounds a repository name as distribution does.
const maxRepositoryLen = 255

// Parse validates one action string and returns its canonical form.
// Repository names and actions are lower-cased (as az does before sending).
func Parse(s string) (Rule, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	fail := func(reason string) (Rule, error) { return Rule{}, &Error{Action: orig, Reason: reason} }
	switch {
	case strings.HasPrefix(s, "repositories/"):
		rest := strings.TrimPrefix(s, "repositories/")
		i := strings.LastIndex(rest, "/")
		if i < 0 {
			return fail("want repositories/<repository>/<action>")
		}
		j := strings.LastIndex(rest[:i], "/")
		if j < 0 {
			return fail("want repositories/<repository>/<action>")
		}
		repo, name := rest[:j], rest[j+1:]
		var act Action
		for _, n := range actionNames {
			if n.name == name {
				act = n.a
			}
		}
		if act == 0 {
			return fail(fmt.Sprintf("unknown action %q; valid actions are %s", name, RepositoryActions))
		}
		if err := ValidateRepositoryPattern(repo); err != nil {
			return fail(err.Error())
		}
		return Rule{Kind: "repositories", Target: repo, Action: act}, nil
	case strings.HasPrefix(s, "gateway/"):
		parts := strings.Split(strings.TrimPrefix(s, "gateway/"), "/")
		if len(parts) != 3 {
			return fail("want gateway/<connected registry>/<action>")
		}
		ga := parts[1] + "/" + parts[2]
		if !slices.Contains([]string{"config/read", "config/write", "message/read", "message/write"}, ga) {
			return fail(fmt.Sprintf("unknown gateway action %q; valid actions are %s", ga, GatewayActions))
		}
		if !gatewayName.MatchString(parts[0]) {
			return fail("a connected registry name is 1-50 lower-case letters, digits and hyphens")
		}
		return Rule{Kind: "gateway", Target: parts[0], GatewayAction: ga}, nil
	default:
		return fail("an action starts with repositories/ or gateway/")
	}
}

// ValidateRepositoryPattern checks a repository as it may appear in a rule:
// a repository name, "*", or a repository name followed by "/*".
func ValidateRepositoryPattern(repo string) error {
	if repo == "*" {
		return nil
	}
	name := strings.TrimSuffix(repo, "/*")
	if strings.Contains(name, "*") {
		return fmt.Errorf("a wildcard must be the last path component (\"*\" or \"<prefix>/*\"), and there may be only one")
	}
	return ValidateRepository(name)
}

// ValidateRepository checks a repository name against the OCI grammar.
func ValidateRepository(name string) error {
	if name == "" {
		return fmt.Errorf("the repository name is empty")
	}
	if len(name) > maxRepositoryLen {
		return fmt.Errorf("a repository name is at most %d characters", maxRepositoryLen)
	}
	if !repoPath.MatchString(name) {
		return fmt.Errorf("repository %q is not a valid name: lower-case letters and digits, separated by '.', '_', '__', '-' or '/'", name)
	}
	return nil
}

// Canonical parses every action string and returns their canonical forms,
// de-duplicated and sorted, or the first error.
func Canonical(actions []string) ([]string, error) {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		r, err := Parse(a)
		if err != nil {
			return nil, err
		}
		out = append(out, r.String())
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
