package cli

import "github.com/spf13/cobra"

// newServeCommand returns `openacr serve`. (Owned by the server work; the
// rest of the CLI only adds it to the root.)
func newServeCommand(env *Env) *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Run the openacr server"}
}
