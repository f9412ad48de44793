package cli

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/openacr/openacr/internal/server"
)

// addTrustFlags adds the settings of abuse resistance and observability
// to `openacr serve`.
func addTrustFlags(f *pflag.FlagSet, c *server.TrustConfig) {
	f.IntVar(&c.AuthFailuresPerAddress, "auth-failures-per-address", c.AuthFailuresPerAddress,
		"failed authentications one client address (IPv6: one /64) may make per --auth-failure-window; past it the address gets 429 before its credentials are checked, except credentials that worked before (0: no limit)")
	f.IntVar(&c.AuthFailuresPerToken, "auth-failures-per-token", c.AuthFailuresPerToken,
		"failed authentications one token name may see per --auth-failure-window; past it failures get 429 instead of 401, while the right password still works (0: no limit)")
	f.DurationVar(&c.AuthFailureWindow, "auth-failure-window", c.AuthFailureWindow,
		"the window of the failure limits; budgets refill evenly over it")
	f.Var((*csvList)(&c.TrustedProxies), "trusted-proxies",
		"comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client (for the limits and the last use of passwords)")
	f.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr,
		"serve Prometheus /metrics without authentication on this host:port (bind it to a private interface); /metrics on --addr always needs the admin key")
	f.IntVar(&c.MetricsMaxPasswordSeries, "metrics-max-password-series", c.MetricsMaxPasswordSeries,
		"report openacr_password_expiry_seconds for at most this many passwords, the closest to expiry")
	f.DurationVar(&c.LastUsedFlushInterval, "last-used-flush-interval", c.LastUsedFlushInterval,
		"how often the last use of each password is written to the database (also on shutdown)")
}

// csvList is a flag holding a comma-separated list. Unlike pflag's string
// slice, setting it replaces the list and String gives back what Set
// takes, so that re-applying a flag over a config file (applyConfigFile)
// yields the same list.
type csvList []string

func (l *csvList) String() string { return strings.Join(*l, ",") }
func (l *csvList) Type() string   { return "list" }
func (l *csvList) Set(s string) error {
	*l = nil
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}
