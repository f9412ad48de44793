package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Main runs the openacr command line with args (without the program name)
// and returns the exit status: 0 on success, 2 for a usage error, 1 for any
// other error. Errors are printed to env.Stderr as `ERROR: <message>`.
func Main(ctx context.Context, args []string, env *Env) int {
	a := &app{env: env}
	if err := a.run(ctx, args); err != nil {
		fmt.Fprintf(env.Stderr, "ERROR: %s\n", errorMessage(err))
		return exitCode(err)
	}
	return exitOK
}

// app is one invocation of the command line: the environment, the global
// options of the command that runs, and what was loaded for it.
type app struct {
	env *Env
	g   globals
	cfg *config // loaded on first use
	cl  *clients
}

// globals are the options every client command takes.
type globals struct {
	output         string
	query          string
	onlyShowErrors bool
	verbose        bool
	debug          bool
	server         string
	adminKeyFile   string
	dataDir        string
	subscription   string
	// Global Policy arguments, on commands that change something.
	acquirePolicyToken bool
	changeReference    string
}

func (a *app) run(ctx context.Context, args []string) error {
	root := a.newRootCommand()
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// Shell completion parses the partial command line itself.
		root.SetArgs(args)
		return root.ExecuteContext(ctx)
	}
	rest, uses := preParse(args)
	if len(uses) > 0 {
		cmd, _, err := root.Find(rest)
		if err != nil {
			return usageErrorf("%s", err.Error())
		}
		if err := assignMulti(cmd, uses); err != nil {
			return err
		}
	}
	root.SetArgs(rest)
	_, err := root.ExecuteContextC(ctx)
	return err
}

func (a *app) newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "openacr",
		Short: "Self-hosted OCI registry with Azure Container Registry-style repository-scoped tokens",
		Long: `openacr is a self-hosted OCI container registry whose access control is Azure Container
Registry's repository-scoped tokens: scope maps, tokens with two independently rotatable
passwords, per-password expiry, enable/disable.

"openacr serve" runs the server. Every other command is a client of its management API and
mirrors "az acr": registries (create, list, show, update, delete), "scope-map", "token" and
"token credential". The client finds the server through --server or OPENACR_SERVER, else the
"endpoint" file a local "openacr serve" writes into its data directory, and authenticates
with the admin key from OPENACR_ADMIN_KEY, --admin-key-file or the data directory's
"admin.key".`,
		Example: `  Run a server, then create a token that can pull and push "app":
    openacr serve &
    openacr token create -n ci-token -r myregistry --repository app content/read content/write`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		RunE:          runGroup,
	}
	root.SetOut(a.env.Stdout)
	root.SetErr(a.env.Stderr)
	root.SetIn(a.env.Stdin)
	root.SetUsageFunc(usage)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageErrorf("%s", err.Error())
	})
	root.AddCommand(a.registryCommands()...)
	root.AddCommand(
		a.newScopeMapCommand(),
		a.newTokenCommand(),
		a.newPolicyCommand(),
		a.newAuditCommand(),
		a.newConfigureCommand(),
		newServeCommand(a.env),
		a.newDocsCommand(),
	)
	return root
}

// noArgs refuses positional arguments with argparse's wording.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unrecognized arguments: %s", strings.Join(args, " "))
	}
	return nil
}

// groupCommand returns a command that only holds subcommands and prints
// its help when run alone.
func groupCommand(use, short, long string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE:  runGroup,
	}
}

// runGroup prints a command group's help, or refuses an unknown subcommand.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("'%s' is misspelled or not recognized by the system.", args[0])
	}
	return cmd.Help()
}

// result is what a client command prints: an already shaped value and its
// table layout (nil for knack's automatic table).
type result struct {
	value any
	table tableFunc
}

// clientCommand wraps the body of a client command: it checks the global
// options, runs fn and prints its result in the chosen format.
func (a *app) clientCommand(fn func(ctx context.Context, cmd *cobra.Command) (*result, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := noArgs(cmd, args); err != nil {
			return err
		}
		if !slices.Contains(outputFormats, a.g.output) {
			return usageErrorf("argument --output/-o: invalid choice: '%s' (choose from %s)", a.g.output, quotedList(outputFormats))
		}
		start := time.Now()
		res, err := fn(cmd.Context(), cmd)
		if err != nil {
			return err
		}
		if res != nil && res.value != nil {
			if err := render(a.env.Stdout, res.value, a.g.output, a.g.query, res.table); err != nil {
				return err
			}
		}
		a.infof("Command ran in %.3f seconds", time.Since(start).Seconds())
		return nil
	}
}

// addGlobalFlags adds az's global arguments and the server connection
// options to a client command.
func (a *app) addGlobalFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&a.g.output, "output", "o", "json", "Output `FORMAT`: json, jsonc, none, table, tsv, yaml, yamlc.")
	fs.StringVar(&a.g.query, "query", "", "JMESPath query `STRING`. See http://jmespath.org/ for more information and examples.")
	fs.BoolVar(&a.g.onlyShowErrors, "only-show-errors", false, "Only show errors, suppressing warnings.")
	fs.BoolVar(&a.g.verbose, "verbose", false, "Increase logging verbosity. Use --debug for full debug logs.")
	fs.BoolVar(&a.g.debug, "debug", false, "Increase logging verbosity to show all debug logs, including HTTP requests (without the Authorization header).")
	fs.StringVar(&a.g.server, "server", "", "Management `URL` of the openacr server. Default: $OPENACR_SERVER, else the \"endpoint\" file in the data directory.")
	fs.StringVar(&a.g.adminKeyFile, "admin-key-file", "", "`FILE` holding the admin key. Default: $OPENACR_ADMIN_KEY (the key itself), else the \"admin.key\" file in the data directory.")
	fs.StringVar(&a.g.dataDir, "data", "", "Data `DIRECTORY` of a local server. Default: $OPENACR_DATA, else $XDG_DATA_HOME/openacr or ~/.local/share/openacr.")
	fs.StringVar(&a.g.subscription, "subscription", "", "Subscription `ID` of the server. Default: $OPENACR_SUBSCRIPTION, else 00000000-0000-0000-0000-000000000000.")
	cmd.InitDefaultHelpFlag()
	completeValues(cmd, "output", outputFormats...)
	setSection(fs, sectionGlobal, "output", "query", "only-show-errors", "verbose", "debug", "server", "admin-key-file", "data", "subscription", "help")
}

// addPolicyFlags adds the Global Policy arguments of commands that change
// something.
func (a *app) addPolicyFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVar(&a.g.acquirePolicyToken, "acquire-policy-token", false, "Acquiring an Azure Policy token automatically for this resource operation.")
	fs.StringVar(&a.g.changeReference, "change-reference", "", "The related change reference `ID` for this resource operation.")
	setSection(fs, sectionPolicy, "acquire-policy-token", "change-reference")
}

// requireFlags is argparse's check for required arguments, worded as az.
func requireFlags(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f != nil && !f.Changed {
			missing = append(missing, flagSpelling(f))
		}
	}
	if len(missing) > 0 {
		return usageErrorf("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	return nil
}

// changed reports whether the flag name was given on the command line.
func changed(cmd *cobra.Command, name string) bool {
	f := cmd.Flags().Lookup(name)
	return f != nil && f.Changed
}

func (a *app) logf(w io.Writer, prefix, format string, args ...any) {
	fmt.Fprintf(w, prefix+format+"\n", args...)
}

// warnf prints az's WARNING lines, unless --only-show-errors.
func (a *app) warnf(format string, args ...any) {
	if !a.g.onlyShowErrors {
		a.logf(a.env.Stderr, "WARNING: ", format, args...)
	}
}

// infof prints with --verbose or --debug.
func (a *app) infof(format string, args ...any) {
	if a.g.verbose || a.g.debug {
		a.logf(a.env.Stderr, "INFO: ", format, args...)
	}
}

// debugf prints with --debug.
func (a *app) debugf(format string, args ...any) {
	if a.g.debug {
		a.logf(a.env.Stderr, "DEBUG: ", format, args...)
	}
}

// deprecatedAlias warns when the hidden, deprecated spelling old of the
// option replacement was used, as knack does.
func (a *app) deprecatedAlias(cmd *cobra.Command, old, replacement string) {
	if changed(cmd, old) {
		a.warnf("Option '--%s' has been deprecated and will be removed in a future release. Use '--%s' instead.", old, replacement)
	}
}

// completeValues offers values as the shell completions of flag name.
func completeValues(cmd *cobra.Command, name string, values ...string) {
	if err := cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)); err != nil {
		panic(err)
	}
}

// hideFlag marks flags hidden; they must exist.
func hideFlag(fs *pflag.FlagSet, names ...string) {
	for _, n := range names {
		if err := fs.MarkHidden(n); err != nil {
			panic(err)
		}
	}
}
