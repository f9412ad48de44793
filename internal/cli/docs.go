package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/openacr/openacr/internal/server"
)

// newDocsCommand returns the hidden `openacr docs DIR`, which writes the
// CLI reference as Markdown (docs/cli in the repository: `go generate
// ./...` runs it).
func (a *app) newDocsCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "docs DIR",
		Short:  "Write the command line reference as Markdown into DIR.",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeDocs(cmd.Root(), args[0])
		},
	}
}

// writeDocs replaces the Markdown files in dir with the reference of root
// and its subcommands. The output is stable: no generation date.
func writeDocs(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write docs: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return fmt.Errorf("write docs: %w", err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("write docs: %w", err)
		}
	}
	// Commands cobra adds itself when it executes, so that the reference
	// is the same whether or not root has run.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	dataDir := server.DefaultDataDir()
	var prepare func(*cobra.Command)
	prepare = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		// A default computed from this machine's environment would make
		// the reference differ between machines.
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.DefValue == dataDir {
				f.DefValue = "~/.local/share/openacr"
			}
		})
		for _, sub := range c.Commands() {
			prepare(sub)
		}
	}
	prepare(root)
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return fmt.Errorf("write docs: %w", err)
	}
	return nil
}
