package server

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/guard"
)

// TrustConfig is the part of Config about abuse resistance and
// observability: the budgets of failed authentications, the proxies trusted
// to name the client, the metrics endpoint and the recording of each
// password's last use. Its YAML keys sit at the top level of the
// configuration file, like every other setting.
type TrustConfig struct {
	// AuthFailuresPerAddress is how many failed authentications one client
	// address (an IPv6 /64) may make per AuthFailureWindow; past it the
	// address gets 429 before its credentials are checked. 0: no limit.
	AuthFailuresPerAddress int `yaml:"authFailuresPerAddress"`
	// AuthFailuresPerToken is how many failed authentications one token
	// name may see per AuthFailureWindow; past it failures get 429 instead
	// of 401 (the right password still works). 0: no limit.
	AuthFailuresPerToken int           `yaml:"authFailuresPerToken"`
	AuthFailureWindow    time.Duration `yaml:"authFailureWindow"`
	// TrustedProxies are addresses or CIDR prefixes of reverse proxies
	// whose X-Forwarded-For names the client (for the limits and the last
	// use of passwords). Empty: the peer is the client.
	TrustedProxies []string `yaml:"trustedProxies"`
	// MetricsAddr, when set, serves /metrics without authentication on a
	// listener of its own (bind it to a private interface). /metrics on the
	// main listener always needs the admin key.
	MetricsAddr string `yaml:"metricsAddr"`
	// MetricsMaxPasswordSeries bounds openacr_password_expiry_seconds to
	// the passwords closest to expiry.
	MetricsMaxPasswordSeries int `yaml:"metricsMaxPasswordSeries"`
	// LastUsedFlushInterval is how often the last use of passwords is
	// written to the database (also on shutdown).
	LastUsedFlushInterval time.Duration `yaml:"lastUsedFlushInterval"`
}

// DefaultTrust returns the defaults: 30 failures a minute per address, 10
// per token name, a flush every five seconds, metrics on the main listener
// only.
func DefaultTrust() TrustConfig {
	return TrustConfig{
		AuthFailuresPerAddress:   30,
		AuthFailuresPerToken:     10,
		AuthFailureWindow:        time.Minute,
		MetricsMaxPasswordSeries: 10000,
		LastUsedFlushInterval:    5 * time.Second,
	}
}

func (c TrustConfig) validate() error {
	if c.AuthFailuresPerAddress < 0 || c.AuthFailuresPerToken < 0 {
		return fmt.Errorf("--auth-failures-per-address and --auth-failures-per-token: want 0 (no limit) or more")
	}
	if (c.AuthFailuresPerAddress > 0 || c.AuthFailuresPerToken > 0) && c.AuthFailureWindow < time.Second {
		return fmt.Errorf("--auth-failure-window %v: want at least 1s", c.AuthFailureWindow)
	}
	if _, err := c.proxies(); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %q: want host:port or :port: %w", c.MetricsAddr, err)
		}
	}
	if c.MetricsMaxPasswordSeries < 1 {
		return fmt.Errorf("--metrics-max-password-series %d: want at least 1", c.MetricsMaxPasswordSeries)
	}
	if c.LastUsedFlushInterval < 100*time.Millisecond {
		return fmt.Errorf("--last-used-flush-interval %v: want at least 100ms", c.LastUsedFlushInterval)
	}
	return nil
}

// proxies parses TrustedProxies: each an address or a CIDR prefix.
func (c TrustConfig) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies %q: want an IP address or CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (c TrustConfig) guard() guard.Config {
	proxies, _ := c.proxies() // validated
	return guard.Config{PerAddress: c.AuthFailuresPerAddress, PerToken: c.AuthFailuresPerToken,
		Window: c.AuthFailureWindow, TrustedProxies: proxies}
}
