package cli

import (
	"io"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

var fuzzNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// FuzzExpiry drives the --expiration / --expiration-in-days / --days
// parser with any values. The two kinds are never accepted together; days
// it accepts give an expiry at least a day ahead and at most the
// never-expiring maximum; an --expiration it accepts (the server refuses
// one in the past) has a canonical form that reads back as the same UTC
// instant.
func FuzzExpiry(f *testing.F) {
	for _, s := range []struct {
		expiration, days string
		useExp, useDays  bool
		alias            bool
	}{
		{"2025-12-31T12:59:59Z", "", true, false, false},
		{"", "30", false, true, false},
		{"", "30", false, true, true},
		{"2025-12-31T12:59:59Z", "30", true, true, false},
		{"2025-12-31", "", true, false, false},
		{"2025-12-31T1:2:3Z", "", true, false, false},
		{"", "0", false, true, false},
		{"", "-5", false, true, false},
		{"", "99999999999", false, true, false},
		{"", "2999999", false, true, false},
		{"", "3000000", false, true, false},
		{"9999-12-31T23:59:59Z", "", true, false, false},
		{"", "+7", false, true, false},
	} {
		f.Add(s.expiration, s.days, s.useExp, s.useDays, s.alias)
	}
	f.Fuzz(func(t *testing.T, expiration, days string, useExp, useDays, alias bool) {
		a := &app{env: &Env{Now: func() time.Time { return fuzzNow }, Stderr: io.Discard}}
		cmd := &cobra.Command{Use: "generate"}
		var e expiryFlags
		e.add(cmd, true)
		if useExp {
			cmd.Flags().Set("expiration", expiration)
		}
		if useDays {
			name := "expiration-in-days"
			if alias {
				name = "days"
			}
			cmd.Flags().Set(name, days)
		}
		at, err := a.expiry(cmd, &e)
		switch {
		case err != nil:
			return
		case !useExp && !useDays:
			if at != nil {
				t.Fatalf("no option gave expiry %v", at)
			}
			return
		case at == nil:
			t.Fatalf("expiration %q, days %q accepted without an expiry", expiration, days)
		case useExp && useDays:
			t.Fatalf("both --expiration %q and days %q accepted", expiration, days)
		}
		if useDays {
			if !at.After(fuzzNow.Add(23*time.Hour)) || at.After(maxExpiry) {
				t.Fatalf("days %q gave %v: not at least a day ahead, or past the maximum", days, at)
			}
			return
		}
		canon := at.UTC().Format(expirationLayout)
		back, err := time.ParseInLocation(expirationLayout, canon, time.UTC)
		if err != nil || !back.Equal(*at) || at.Location() != time.UTC {
			t.Fatalf("expiration %q read as %v, whose canonical form %q reads back as %v, %v", expiration, at, canon, back, err)
		}
	})
}

// FuzzParseSince checks audit list --since: an age is in the past, never
// before the bound on ages; a time is read as itself.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"90m", "24h", "7d", "0d", "2025-12-31T12:59:59Z", "2025-12-31T12:59:59.5+02:00", "yesterday",
		"d", "1", "-1d", "99999999999d", "36500d", "36501d", "1w", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := parseSince(fuzzNow, s)
		if err != nil {
			return
		}
		if parsed, perr := time.Parse(time.RFC3339Nano, s); perr == nil {
			if !at.Equal(parsed) {
				t.Fatalf("since %q: got %v, want %v", s, at, parsed)
			}
			return
		}
		if at.After(fuzzNow) || at.Before(fuzzNow.Add(-100*365*24*time.Hour)) {
			t.Fatalf("since %q: %v is not an age of at most a century", s, at)
		}
	})
}
