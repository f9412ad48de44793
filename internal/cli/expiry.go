package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// expirationLayout is az's `%Y-%m-%dT%H:%M:%SZ`, read as UTC.
const expirationLayout = "2006-01-02T15:04:05Z"

// maxExpiry is Python's datetime.max, what az uses when now + days overflows.
var maxExpiry = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// expiryFlags are --expiration and --expiration-in-days (with, on
// `token credential generate`, the deprecated alias --days).
type expiryFlags struct {
	expiration string
	days       string
	daysAlias  string
}

func (e *expiryFlags) add(cmd *cobra.Command, withAlias bool) {
	fs := cmd.Flags()
	fs.StringVar(&e.expiration, "expiration", "", "UTC `DATETIME` until which the credentials will be valid, in the format %Y-%m-%dT%H:%M:%SZ, e.g. 2025-12-31T12:59:59Z. If not specified, the credentials never expire.")
	fs.StringVar(&e.days, "expiration-in-days", "", "Number of days (`N`, at least 1) for which the credentials will be valid. If not specified, the expiration will default to the max value \"9999-12-31T23:59:59.999999+00:00\".")
	if withAlias {
		fs.StringVar(&e.daysAlias, "days", "", "Deprecated alias of --expiration-in-days (`N`).")
		hideFlag(fs, "days")
	}
}

// given reports whether either expiry option was used.
func (e *expiryFlags) given(cmd *cobra.Command) bool {
	return changed(cmd, "expiration") || changed(cmd, "expiration-in-days") || changed(cmd, "days")
}

// expiry validates the options as az does and returns the expiry to send,
// nil for none.
func (a *app) expiry(cmd *cobra.Command, e *expiryFlags) (*time.Time, error) {
	a.deprecatedAlias(cmd, "days", "expiration-in-days")
	var at *time.Time
	if changed(cmd, "expiration") {
		t, err := time.ParseInLocation(expirationLayout, e.expiration, time.UTC)
		if err != nil {
			return nil, fmt.Errorf("Input '%s' is not valid datetime. Valid example: 2025-12-31T12:59:59Z", e.expiration)
		}
		at = &t
	}
	daysFlag, daysValue := "", ""
	switch {
	case changed(cmd, "expiration-in-days"):
		daysFlag, daysValue = "--expiration-in-days", e.days
	case changed(cmd, "days"):
		daysFlag, daysValue = "--expiration-in-days", e.daysAlias
	}
	if daysFlag == "" {
		return at, nil
	}
	days, err := strconv.Atoi(daysValue)
	if err != nil {
		return nil, usageErrorf("argument %s: invalid int value: '%s'", daysFlag, daysValue)
	}
	if at != nil {
		return nil, usageErrorf("usage error: --expiration and --expiration-in-days are mutually exclusive.")
	}
	if days < 1 {
		return nil, fmt.Errorf("Days must be positive.")
	}
	t := maxExpiry
	if days < 3_000_000 { // beyond, the year exceeds 9999 anyway
		if d := a.env.now().UTC().AddDate(0, 0, days); d.Before(maxExpiry) {
			t = d
		}
	}
	return &t, nil
}
