package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flag sections of the help, as az prints them. A flag's section is kept
// in its annotations; flags without one are the command's own Arguments.
const (
	sectionAnnotation = "openacr_section"
	sectionPolicy     = "Global Policy Arguments"
	sectionGlobal     = "Global Arguments"
)

// setSection files the named flags of fs under section in the help.
func setSection(fs *pflag.FlagSet, section string, names ...string) {
	for _, n := range names {
		if err := fs.SetAnnotation(n, sectionAnnotation, []string{section}); err != nil {
			panic(err)
		}
	}
}

// usage writes a command's usage: synopsis, examples, subcommands and its
// flags in az's three sections.
func usage(c *cobra.Command) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, "Usage:")
	if c.Runnable() && !c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprint(w, "\n\nAvailable Commands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	sections := map[string]*pflag.FlagSet{}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		s := "Arguments"
		if v := f.Annotations[sectionAnnotation]; len(v) > 0 {
			s = v[0]
		}
		if sections[s] == nil {
			sections[s] = pflag.NewFlagSet(s, pflag.ContinueOnError)
			sections[s].SortFlags = c.Flags().SortFlags
		}
		sections[s].AddFlag(f)
	})
	for _, s := range []string{"Arguments", sectionPolicy, sectionGlobal} {
		if fs := sections[s]; fs != nil {
			writeSection(w, s, fs)
		}
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
	return nil
}

func writeSection(w io.Writer, title string, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "\n\n%s:\n%s", title, strings.TrimRight(fs.FlagUsages(), " \n"))
}
