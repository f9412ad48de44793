package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// az declares --repository, --gateway, --add-repository, ... and
// configure's --defaults with argparse's nargs='+': one flag takes every
// following argument up to the next option, and may be repeated:
//
//	--repository app content/read content/write --repository 'team/*' content/read
//
// pflag cannot parse that, so Main pulls these flags out of the arguments
// before cobra sees them (preParse) and hands the groups to the command's
// flag afterwards (assignMulti).

// multiFlags are the flag spellings preParse recognises. Which command
// accepts which is decided by the flags the command registers.
var multiFlags = map[string]bool{
	"--repository":        true,
	"--gateway":           true,
	"--add-repository":    true,
	"--remove-repository": true,
	"--add-repo":          true, // az's own help example relies on argparse abbreviations
	"--remove-repo":       true,
	"--add":               true, // deprecated aliases of --add-repository / --remove-repository
	"--remove":            true,
	"--add-gateway":       true,
	"--remove-gateway":    true,
	"--defaults":          true,
	"-d":                  true,
}

// threeStateFlags are booleans that, as in az, also take an explicit
// true/false as a separate argument (`--no-passwords false`).
var threeStateFlags = map[string]bool{"--no-passwords": true}

// multiUse is one occurrence of a multi-value flag.
type multiUse struct {
	Flag   string   // as spelled: "--repository" or "-d"
	Values []string // the arguments it took; may be empty
}

// preParse removes the multi-value flags and their arguments from args and
// returns the rest for cobra, with the occurrences in order. Arguments
// after "--" are left alone. `--repository=app content/read` is accepted
// too (argparse would take only "app").
func preParse(args []string) (rest []string, uses []multiUse) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(arg, "=")
		if threeStateFlags[name] && !hasValue && i+1 < len(args) && isBoolWord(args[i+1]) {
			rest = append(rest, name+"="+strings.ToLower(args[i+1]))
			i++
			continue
		}
		if !multiFlags[name] {
			rest = append(rest, arg)
			continue
		}
		u := multiUse{Flag: name}
		if hasValue {
			u.Values = append(u.Values, value)
		}
		for i+1 < len(args) && !looksLikeOption(args[i+1]) {
			i++
			u.Values = append(u.Values, args[i])
		}
		uses = append(uses, u)
	}
	return rest, uses
}

func isBoolWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false":
		return true
	}
	return false
}

// looksLikeOption is argparse's test: a string starting with "-" that is
// more than just "-" ends a multi-value flag's arguments.
func looksLikeOption(s string) bool {
	return len(s) > 1 && s[0] == '-'
}

// multiValue is the pflag.Value behind a multi-value flag; the groups come
// from preParse. Several flag names (aliases) may share one multiValue.
type multiValue struct {
	groups [][]string
}

func (m *multiValue) String() string {
	parts := make([]string, len(m.groups))
	for i, g := range m.groups {
		parts[i] = strings.Join(g, " ")
	}
	return strings.Join(parts, "; ")
}

// Set is only reached if cobra parses the flag itself, which preParse
// prevents; it keeps the value as a one-element group.
func (m *multiValue) Set(s string) error {
	m.groups = append(m.groups, []string{s})
	return nil
}

func (m *multiValue) Type() string { return "multi" }

// addMultiFlag registers a multi-value flag (and hidden aliases sharing its
// value). usage should start with a backquoted argument synopsis, which
// pflag shows as the flag's argument name.
func addMultiFlag(fs *pflag.FlagSet, v *multiValue, name, usage string, hiddenAliases ...string) {
	fs.Var(v, name, usage)
	for _, a := range hiddenAliases {
		fs.Var(v, a, usage)
		_ = fs.MarkHidden(a)
	}
}

// assignMulti gives the pre-parsed occurrences to the flags of cmd. A flag
// cmd does not have is a usage error, worded as argparse's.
func assignMulti(cmd *cobra.Command, uses []multiUse) error {
	for _, u := range uses {
		var f *pflag.Flag
		if strings.HasPrefix(u.Flag, "--") {
			f = cmd.Flags().Lookup(u.Flag[2:])
		} else {
			f = cmd.Flags().ShorthandLookup(u.Flag[1:])
		}
		mv, ok := flagMulti(f)
		if !ok {
			return usageErrorf("unrecognized arguments: %s", strings.Join(append([]string{u.Flag}, u.Values...), " "))
		}
		if len(u.Values) == 0 {
			return usageErrorf("argument %s: expected at least one argument", flagSpelling(f))
		}
		mv.groups = append(mv.groups, u.Values)
		f.Changed = true
	}
	return nil
}

func flagMulti(f *pflag.Flag) (*multiValue, bool) {
	if f == nil {
		return nil, false
	}
	mv, ok := f.Value.(*multiValue)
	return mv, ok
}

// flagSpelling is "--name/-n" or "--name", as argparse names arguments.
func flagSpelling(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return fmt.Sprintf("--%s/-%s", f.Name, f.Shorthand)
	}
	return "--" + f.Name
}
