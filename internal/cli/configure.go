package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// config is the CLI's configuration file: $OPENACR_CONFIG_DIR/config.yaml,
// by default ~/.config/openacr/config.yaml. Today it holds the defaults of
// `openacr configure --defaults`.
type config struct {
	path     string
	Defaults map[string]string `yaml:"defaults,omitempty"`
}

func (a *app) configDir() (string, error) {
	if d := a.env.getenv("OPENACR_CONFIG_DIR"); d != "" {
		return d, nil
	}
	if d := a.env.getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "openacr"), nil
	}
	home := a.env.getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("find the configuration directory: %w; set OPENACR_CONFIG_DIR", err)
		}
	}
	return filepath.Join(home, ".config", "openacr"), nil
}

// config loads the configuration file once; a missing file is empty.
func (a *app) config() (*config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	c := &config{path: filepath.Join(dir, "config.yaml")}
	b, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read configuration: %w", err)
	default:
		if err := yaml.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("read configuration %s: %w", c.path, err)
		}
	}
	if c.Defaults == nil {
		c.Defaults = map[string]string{}
	}
	a.cfg = c
	return c, nil
}

func (c *config) save() error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	return nil
}

// defaultValue returns the configured default name (acr, group), "" if none.
func (a *app) defaultValue(name string) (string, error) {
	c, err := a.config()
	if err != nil {
		return "", err
	}
	return c.Defaults[name], nil
}

func (a *app) newConfigureCommand() *cobra.Command {
	var defaults multiValue
	var listDefaults bool
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Manage openacr CLI configuration.",
		Long: `Manage openacr CLI configuration.

Defaults are stored in $OPENACR_CONFIG_DIR/config.yaml (by default
~/.config/openacr/config.yaml). "acr" is the registry used when -r/--registry (or -n on
registry commands) is omitted, "group" the resource group used when -g is omitted.
Without a group default, the CLI looks the registry's group up by name.`,
		Example: `  Set the default registry and resource group.
    openacr configure --defaults acr=myregistry group=MyResourceGroup

  Clear the default registry.
    openacr configure --defaults acr=''

  List the defaults.
    openacr configure --list-defaults`,
	}
	cmd.Flags().VarP(&defaults, "defaults", "d", "`NAME=VALUE [NAME=VALUE ...]`: space-separated defaults to set, e.g. acr=myregistry group=MyResourceGroup. An empty value clears a default.")
	cmd.Flags().BoolVarP(&listDefaults, "list-defaults", "l", false, "List the configured defaults.")
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		switch {
		case len(defaults.groups) > 0 && listDefaults:
			return nil, usageErrorf("usage error: --defaults and --list-defaults are mutually exclusive.")
		case len(defaults.groups) > 0:
			return nil, a.setDefaults(defaults.groups)
		case listDefaults:
			return a.listDefaults()
		}
		return nil, usageErrorf("usage error: --defaults NAME=VALUE [NAME=VALUE ...] | --list-defaults")
	})
	return cmd
}

func (a *app) setDefaults(groups [][]string) error {
	c, err := a.config()
	if err != nil {
		return err
	}
	for _, g := range groups {
		for _, pair := range g {
			name, value, ok := strings.Cut(pair, "=")
			name = strings.TrimSpace(name)
			if !ok || name == "" {
				return usageErrorf("usage error: --defaults expects space-separated NAME=VALUE pairs, got '%s'.", pair)
			}
			value = strings.Trim(strings.TrimSpace(value), `'"`)
			if value == "" {
				delete(c.Defaults, name)
			} else {
				c.Defaults[name] = value
			}
		}
	}
	return c.save()
}

func (a *app) listDefaults() (*result, error) {
	c, err := a.config()
	if err != nil {
		return nil, err
	}
	list := []any{}
	for _, name := range sortedKeys(anyMap(c.Defaults)) {
		list = append(list, map[string]any{"name": name, "source": c.path, "value": c.Defaults[name]})
	}
	return &result{value: list}, nil
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
