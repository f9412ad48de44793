package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// The SDK's model of a token drops fields it does not know, among them
// openacr's lastUsedTime and lastUsedAddress on each password. token show
// and list capture the raw responses (runtime.WithCaptureResponse) and copy
// those fields into az's shape with addLastUsed. Table output keeps az's
// columns.

// lastUsedKeys are the extension fields, present (null when never used) on
// every password of a token shown by show and list.
var lastUsedKeys = []string{"lastUsedTime", "lastUsedAddress"}

// rawToken is the part of a token response addLastUsed reads.
type rawToken struct {
	ID         string `json:"id"`
	Properties struct {
		Credentials struct {
			Passwords []struct {
				Name            string `json:"name"`
				LastUsedTime    string `json:"lastUsedTime"`
				LastUsedAddress string `json:"lastUsedAddress"`
			} `json:"passwords"`
		} `json:"credentials"`
	} `json:"properties"`
}

// addLastUsed copies the last use of each password from the raw responses
// (one token, or pages of {"value": [...]}) into shaped, a token or a list
// of tokens in az's form, matching tokens by id.
func addLastUsed(shaped any, raws ...*http.Response) error {
	found := map[string]rawToken{}
	for _, raw := range raws {
		if raw == nil {
			continue
		}
		b, err := runtime.Payload(raw)
		if err != nil {
			return fmt.Errorf("read response: %w", err)
		}
		var page struct{ Value []rawToken }
		var one rawToken
		if err := json.Unmarshal(b, &page); err == nil && page.Value != nil {
			for _, t := range page.Value {
				found[strings.ToLower(t.ID)] = t
			}
		} else if err := json.Unmarshal(b, &one); err == nil {
			found[strings.ToLower(one.ID)] = one
		}
	}
	for _, m := range objects(shaped) {
		t := found[strings.ToLower(str(m, "id"))]
		for _, p := range list(m, "credentials", "passwords") {
			for _, k := range lastUsedKeys {
				p[k] = nil
			}
			for _, rp := range t.Properties.Credentials.Passwords {
				if rp.Name == str(p, "name") && rp.LastUsedTime != "" {
					p["lastUsedTime"], p["lastUsedAddress"] = pythonTime(rp.LastUsedTime), rp.LastUsedAddress
				}
			}
		}
	}
	return nil
}

// parseWithin reads the value of --expiring-within: a Go duration ("36h",
// "90m") or a number of days ("7d").
func parseWithin(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err == nil && days >= 0 && days <= 36500 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, usageErrorf("argument --expiring-within: invalid value: '%s' (want a number of days such as 7d, or a duration such as 36h)", s)
}

// expiringBefore keeps the tokens (az's form) with a password that expires
// before deadline, including those that already have. Passwords that never
// expire never match.
func expiringBefore(tokens any, deadline time.Time) []any {
	out := []any{}
	for _, m := range objects(tokens) {
		for _, p := range list(m, "credentials", "passwords") {
			exp, err := time.Parse(time.RFC3339Nano, str(p, "expiry"))
			if err == nil && exp.Before(deadline) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
