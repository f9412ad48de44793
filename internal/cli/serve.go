package cli

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/openacr/openacr/internal/server"
)

const serveLong = `Run the openacr server: the ARM-format management API (the one the Azure
SDKs and this CLI speak) on one HTTP listener.

Everything lives in one data directory: the SQLite database (WAL mode), the
admin key and the password hash key. On an empty data directory the server
creates the admin key (printed once, kept in <data>/admin.key with mode 0600)
unless OPENACR_ADMIN_KEY or --admin-key-file supplies one, and a first
registry (--registry, --resource-group, --sku), which is the default registry.

Settings come from flags, or from a YAML file given with --config whose keys
are the flag names in camelCase (addr, data, adminKeyFile, registry,
resourceGroup, sku, ...); a flag given on the command line wins over the file.

The server stops cleanly on SIGINT or SIGTERM.`

const serveExample = `  # Start on the embedded defaults (:5000, data in ~/.local/share/openacr)
  openacr serve

  # A chosen data directory and first registry
  openacr serve --data /var/lib/openacr --registry contoso --resource-group platform

  # Settings from a file
  openacr serve --config /etc/openacr/config.yaml`

func newServeCommand(env *Env) *cobra.Command {
	cfg := server.Defaults()
	var configFile string
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "Run the openacr server",
		Long:    serveLong,
		Example: serveExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile != "" {
				if err := applyConfigFile(cmd.Flags(), &cfg, configFile); err != nil {
					return err
				}
			}
			return runServe(cmd, env, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "YAML file with the same settings as these flags")
	f.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address, host:port or :port")
	f.StringVar(&cfg.Data, "data", cfg.Data, "data directory: database, keys and (later) blobs; $OPENACR_DATA sets the default")
	f.StringVar(&cfg.AdminKeyFile, "admin-key-file", "", "file holding the admin key (mode 0600); default: $OPENACR_ADMIN_KEY, else <data>/admin.key, created on first start")
	f.StringVar(&cfg.PasswordKeyFile, "password-key-file", "", "file holding the HMAC key of password hashes (mode 0600); default <data>/password.key. Every node of one deployment needs the same key")
	f.StringVar(&cfg.Registry, "registry", cfg.Registry, "name of the registry created on an empty data directory")
	f.StringVar(&cfg.Group, "resource-group", cfg.Group, "resource group of the registry created on an empty data directory")
	f.StringVar(&cfg.SKU, "sku", cfg.SKU, "SKU of the registry created on an empty data directory: Basic, Standard or Premium")
	f.StringVar(&cfg.Location, "location", cfg.Location, "location of the registry created on an empty data directory")
	f.StringVar(&cfg.DefaultRegistry, "default-registry", "", "registry that answers every host matching no registry (default: the first registry created)")
	f.StringVar(&cfg.LoginServer, "login-server", "", "host[:port] clients use for the default registry (default: localhost and the port of --addr)")
	f.StringVar(&cfg.Domain, "domain", "", "DNS domain: every registry gets the login server <name>.<domain>")
	f.StringVar(&cfg.SubscriptionID, "subscription", cfg.SubscriptionID, "the subscription id the management API serves")
	f.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log level: debug, info, warn or error")
	f.DurationVar(&cfg.FollowInterval, "change-poll-interval", cfg.FollowInterval, "how often to read the changes other nodes made to the shared database (under 1s)")
	addTrustFlags(f, &cfg.Trust)
	f.Var(&cfg.AuditRetention, "audit-retention", "how long audit log entries are kept: days (90d) or a duration (36h); 0 keeps them for ever")
	// Diagnostics: hidden, loopback only, never in the configuration file.
	f.BoolVar(&cfg.Diagnostics.InsecureNoAuth, "insecure-no-auth", false, "serve /v2/ without any authentication, for benchmarks against the same registry (loopback --addr only)")
	f.StringVar(&cfg.Diagnostics.PprofAddr, "pprof-addr", "", "serve net/http/pprof on this loopback host:port")
	f.MarkHidden("insecure-no-auth")
	f.MarkHidden("pprof-addr")
	return cmd
}

// applyConfigFile loads the YAML file into cfg, then re-applies the flags
// given on the command line so that they win over the file.
func applyConfigFile(fs *pflag.FlagSet, cfg *server.Config, path string) error {
	given := map[string]string{}
	fs.Visit(func(f *pflag.Flag) { given[f.Name] = f.Value.String() })
	if err := cfg.LoadFile(path); err != nil {
		return err
	}
	for name, v := range given {
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
	}
	return nil
}

func runServe(cmd *cobra.Command, env *Env, cfg server.Config) error {
	ctx := cmd.Context()
	log := cfg.Logger(env.Stderr)
	srv, err := server.Open(ctx, cfg, log, env.Stdout, env.Getenv)
	if err != nil {
		return err
	}
	defer srv.Close()
	if cfg.Diagnostics.PprofAddr != "" {
		go server.ServePprof(ctx, cfg.Diagnostics.PprofAddr, log)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return srv.Serve(ctx, l)
}
