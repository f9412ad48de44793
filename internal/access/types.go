package access

import (
	"strings"
	"time"
)

// SKU is a registry's service tier; it sets the limits of SPEC §6.
type SKU string

// The SKUs openacr serves.
const (
	Basic    SKU = "Basic"
	Standard SKU = "Standard"
	Premium  SKU = "Premium"
)

// Limits are the per-registry quotas of one SKU.
type Limits struct {
	Tokens, ScopeMaps, ActionsPerScopeMap int
}

// Limits returns the quotas of s (ACR's published numbers).
func (s SKU) Limits() Limits {
	switch s {
	case Premium:
		return Limits{Tokens: 50000, ScopeMaps: 50000, ActionsPerScopeMap: 500}
	case Standard:
		return Limits{Tokens: 500, ScopeMaps: 500, ActionsPerScopeMap: 500}
	default:
		return Limits{Tokens: 100, ScopeMaps: 100, ActionsPerScopeMap: 500}
	}
}

// ParseSKU accepts a SKU name case-insensitively.
func ParseSKU(s string) (SKU, bool) {
	for _, k := range []SKU{Basic, Standard, Premium} {
		if strings.EqualFold(s, string(k)) {
			return k, true
		}
	}
	return "", false
}

// Registry is one OCI registry hosted by the server.
type Registry struct {
	Name          string // lower case
	ResourceGroup string
	Location      string // free text, as given on create (ARM requires one)
	SKU           SKU
	Created       time.Time
	Modified      time.Time
}

// ScopeMap is a named set of action strings of one registry.
type ScopeMap struct {
	Registry    string
	Name        string
	Description string
	Actions     []string // canonical (scope.Canonical)
	System      bool     // SystemDefined: cannot be changed or deleted
	Created     time.Time
	Modified    time.Time
}

// Status is a token's status.
type Status string

// Token statuses.
const (
	Enabled  Status = "enabled"
	Disabled Status = "disabled"
)

// Token is the named credential a client logs in with.
type Token struct {
	Registry  string
	Name      string
	ScopeMap  string // name of a scope map of the same registry
	Status    Status
	Passwords []Password // at most one per slot, ordered by slot
	Created   time.Time
	Modified  time.Time
	// Generation is bumped by every change to what the token's credentials
	// may do; access tokens minted at an older generation are refused.
	Generation int64
}

// Password returns the password in slot, if the token has one.
func (t Token) Password(slot string) (Password, bool) {
	for _, p := range t.Passwords {
		if p.Name == slot {
			return p, true
		}
	}
	return Password{}, false
}

// The two password slots of a token.
const (
	Password1 = "password1"
	Password2 = "password2"
)

// NeverExpires is the expiry of a password generated without one; it is the
// value the ACR CLI documents ("9999-12-31T23:59:59.999999+00:00").
var NeverExpires = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// Password is one of a token's two secrets. Only its keyed hash is kept.
type Password struct {
	Name    string // Password1 or Password2
	Hash    []byte // HMAC-SHA-256 of the secret under the server's hash key
	Created time.Time
	Expiry  time.Time // NeverExpires when generated without one
	// LastUsed and LastUsedAddress are when and from where this password
	// last authenticated; zero when it never has. Only GetToken and
	// ListTokens fill them in (from Usage); stores ignore them.
	LastUsed        time.Time
	LastUsedAddress string
}

// Page selects one page of a list ordered by lower-cased name.
type Page struct {
	After string // exclusive; "" for the first page
	Limit int    // at most this many; 0 means no limit
}
