package cli

import (
	"fmt"
	"slices"
	"strings"
)

// The actions az accepts after a repository or a gateway name.
var (
	repositoryActions = []string{"content/delete", "content/read", "content/write", "metadata/read", "metadata/write"}
	gatewayActions    = []string{"config/read", "config/write", "message/read", "message/write"}
)

// parseActions turns --repository and --gateway groups (NAME ACTION
// [ACTION...]) into scope-map action strings, lower-cased, as az's
// parse_scope_map_actions does, with its messages.
func parseActions(repositories, gateways [][]string) ([]string, error) {
	out, err := parseActionGroups(repositories, repositoryActions, "repositories")
	if err != nil {
		return nil, err
	}
	gw, err := parseActionGroups(gateways, gatewayActions, "gateway")
	if err != nil {
		return nil, err
	}
	return append(out, gw...), nil
}

func parseActionGroups(groups [][]string, valid []string, prefix string) ([]string, error) {
	var out []string
	for _, g := range groups {
		resource := strings.ToLower(g[0])
		if len(g) < 2 {
			return nil, fmt.Errorf("At least one action must be specified with \"%s\".", resource)
		}
		for _, a := range g[1:] {
			a = strings.ToLower(a)
			if !slices.Contains(valid, a) {
				return nil, fmt.Errorf("Invalid action \"%s\" provided. \nValid actions are %s.", a, pythonSet(valid))
			}
			out = append(out, prefix+"/"+resource+"/"+a)
		}
	}
	return out, nil
}

// pythonSet renders names as az prints a Python set (sorted here, so that
// the message is stable).
func pythonSet(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "{" + strings.Join(q, ", ") + "}"
}

// pythonList renders names as az prints a Python list.
func pythonList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// sameActions reports whether a and b hold the same actions, ignoring
// order, duplicates and case.
func sameActions(a, b []string) bool {
	norm := func(s []string) []string {
		out := make([]string, len(s))
		for i, x := range s {
			out[i] = strings.ToLower(x)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}

// updateActions computes az's `(current ∪ add) − remove`, keeping the
// current order and appending new actions in the order given. An action
// both added and removed is az's "Update ambiguity" error.
func updateActions(current, add, remove []string) ([]string, error) {
	var dup []string
	for _, a := range add {
		if slices.Contains(remove, a) && !slices.Contains(dup, a) {
			dup = append(dup, a)
		}
	}
	if len(dup) > 0 {
		shown := make([]string, len(dup))
		for i, a := range dup {
			_, shown[i], _ = strings.Cut(a, "/")
		}
		slices.Sort(shown)
		return nil, fmt.Errorf("Update ambiguity. Duplicate actions were provided with --add and --remove arguments.\n%s", pythonList(shown))
	}
	var out []string
	for _, a := range append(slices.Clone(current), add...) {
		if !slices.Contains(remove, strings.ToLower(a)) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}
