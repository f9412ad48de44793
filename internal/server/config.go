package server

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openacr/openacr/internal/access"
)

// Config is everything `openacr serve` can be told, by flag or by the YAML
// file given with --config (flags win over the file).
type Config struct {
	// Addr is the listen address of the HTTP server.
	Addr string `yaml:"addr"`
	// Data is the directory that holds everything: database, keys, blobs.
	Data string `yaml:"data"`
	// AdminKeyFile, when set, holds the admin key (instead of
	// OPENACR_ADMIN_KEY or the generated <data>/admin.key).
	AdminKeyFile string `yaml:"adminKeyFile"`
	// PasswordKeyFile, when set, holds the HMAC key of the password hashes;
	// every node of one deployment needs the same one.
	PasswordKeyFile string `yaml:"passwordKeyFile"`
	// Registry, Group, SKU and Location describe the registry created on an
	// empty data directory.
	Registry string `yaml:"registry"`
	Group    string `yaml:"resourceGroup"`
	SKU      string `yaml:"sku"`
	Location string `yaml:"location"`
	// DefaultRegistry answers hosts that match no registry (SPEC §5); empty
	// means the first registry created.
	DefaultRegistry string `yaml:"defaultRegistry"`
	// LoginServer is the host[:port] clients use for the default registry;
	// empty means localhost and the port of Addr.
	LoginServer string `yaml:"loginServer"`
	// Domain, when set, gives every registry the login server <name>.<domain>.
	Domain string `yaml:"domain"`
	// SubscriptionID is the one subscription the management API serves.
	SubscriptionID string `yaml:"subscriptionId"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"logLevel"`
	// Storage is where registries keep their content (default: the
	// filesystem under Data).
	Storage StorageConfig `yaml:"storage"`
	// FollowInterval (--change-poll-interval) is how often the server reads
	// the changes other nodes made to the shared database (follow.go).
	FollowInterval time.Duration `yaml:"changePollInterval"`
	// Trust holds the limits of failed authentications, the metrics and
	// the recording of last use (trustconfig.go).
	Trust TrustConfig `yaml:",inline"`
	// Diagnostics are for benchmarks and profiling only (diagnostics.go).
	Diagnostics Diagnostics `yaml:"-"`
	// AuditRetention is how long audit log entries are kept ("90d");
	// 0 keeps them for ever.
	AuditRetention Duration `yaml:"auditRetention"`
}

// Defaults returns the embedded defaults.
func Defaults() Config {
	return Config{
		Addr:           ":5000",
		Data:           DefaultDataDir(),
		Registry:       "myregistry",
		Group:          "myresourcegroup",
		SKU:            string(access.Premium),
		Location:       "local",
		SubscriptionID: "00000000-0000-0000-0000-000000000000",
		LogLevel:       "info",
		FollowInterval: access.DefaultFollowInterval,
		Trust:          DefaultTrust(),
		AuditRetention: Duration(DefaultAuditRetention),
	}
}

// LoadFile overlays the settings of a YAML file on c. Unknown keys are an
// error, so that a misspelt setting is not silently ignored.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("parse config file %s: %w", path, err)
	}
	return nil
}

// Validate checks the settings and says what is allowed.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port or :port: %w", c.Addr, err)
	}
	if c.Data == "" {
		return fmt.Errorf("--data: a data directory is required")
	}
	if err := access.ValidateRegistryName(c.Registry); err != nil {
		return fmt.Errorf("--registry: %w", err)
	}
	if err := access.ValidateGroupName(c.Group); err != nil {
		return fmt.Errorf("--resource-group: %w", err)
	}
	if _, ok := access.ParseSKU(c.SKU); !ok {
		return fmt.Errorf("--sku %q: allowed values are Basic, Standard, Premium", c.SKU)
	}
	if c.DefaultRegistry != "" {
		if err := access.ValidateRegistryName(c.DefaultRegistry); err != nil {
			return fmt.Errorf("--default-registry: %w", err)
		}
	}
	if strings.ContainsAny(c.Domain, "/: ") {
		return fmt.Errorf("--domain %q: want a DNS name such as registry.example.com", c.Domain)
	}
	if c.SubscriptionID == "" {
		return fmt.Errorf("--subscription: a subscription id is required")
	}
	if _, err := c.level(); err != nil {
		return err
	}
	if c.FollowInterval < 10*time.Millisecond || c.FollowInterval >= time.Second {
		return fmt.Errorf("--change-poll-interval %v: want at least 10ms and under 1s, so that other nodes' changes take effect within a second", c.FollowInterval)
	}
	if c.AuditRetention < 0 {
		return fmt.Errorf("--audit-retention %v: want 0 (keep for ever) or more", c.AuditRetention)
	}
	if err := c.Diagnostics.validate(c.Addr); err != nil {
		return err
	}
	return c.Trust.validate()
}

func (c Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level %q: allowed values are debug, info, warn, error", c.LogLevel)
	}
	return l, nil
}

// Logger returns the server's logger, writing text to w at the configured level.
func (c Config) Logger(w io.Writer) *slog.Logger {
	l, _ := c.level()
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
