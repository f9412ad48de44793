package server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/guard"
	"github.com/openacr/openacr/internal/scope"
)

// DefaultAuditRetention is how long audit entries are kept by default.
const DefaultAuditRetention = 90 * 24 * time.Hour

// Duration is a time.Duration that also reads whole days ("90d"), for
// settings counted in days. It is a flag value and a YAML scalar.
type Duration time.Duration

// String renders d in days when it is a whole number of them.
func (d Duration) String() string {
	day := 24 * time.Hour
	if td := time.Duration(d); td > 0 && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	return time.Duration(d).String()
}

// Set reads "90d", or anything time.ParseDuration reads ("36h", "0").
func (d *Duration) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*365 {
			return fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", s)
		}
		*d = Duration(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", s)
	}
	*d = Duration(v)
	return nil
}

// Type names the flag's value in help.
func (d *Duration) Type() string { return "duration" }

// UnmarshalText reads the YAML form, the same as Set.
func (d *Duration) UnmarshalText(b []byte) error { return d.Set(string(b)) }

// MarshalText writes the form String gives.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// openAudit starts the audit log over the store. It runs from Open to
// Close, so that every change made through the server is recorded whether
// or not Serve runs; Close writes what is queued.
func (s *Server) openAudit() {
	s.audit = access.NewAuditLog(s.store, time.Duration(s.cfg.AuditRetention), 0, s.log)
	s.audit.Now = func() time.Time { return s.Access.Now() }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.audit.Run(ctx); err != nil {
			s.log.Error("audit log", "err", err)
		}
	}()
	s.closeAudit = func() { cancel(); <-done }
}

// Operations of the data plane in the audit log.
const (
	auditLogin    = "token/login"     // /oauth2/token
	auditRegistry = "registry/login"  // the credential of a /v2/ request
	auditAccess   = "registry/access" // a /v2/ request its good credential does not allow
)

// auditDecision records an authentication decision of the data plane.
// Requests that carry an access token this server minted and that checks
// out are not recorded one by one: the login that minted it was, with what
// it asked for, and a row per pull and blob read would put the database on
// the hot path and drown the log.
// Everything else is: logins, HTTP Basic on /v2/, every refusal of a
// credential, and every request refused for want of scope (with whichever
// credential: the refusal names the repository and action). Successes are
// tallied, refusals recorded one by one.
func (tr *trust) auditDecision(ctx context.Context, d guard.Decision) {
	if tr.audit == nil || (d.Result == guard.Success && d.Class == guard.ClassAccessToken) {
		return
	}
	e := access.AuditEntry{Time: d.Time, Registry: d.Registry, Actor: d.Token, Operation: auditRegistry,
		Target: d.Scope, Token: d.Token, Password: d.Password, Result: access.AuditSuccess, Reason: d.Reason,
		ClientAddress: d.Address}
	switch {
	case d.Class == guard.ClassInsufficientScope:
		e.Operation = auditAccess
	case d.API == guard.APIToken:
		e.Operation = auditLogin
	}
	e.Repository, e.Action = scopeParts(d.Scope)
	if d.Result != guard.Success {
		e.Result = access.AuditFailure
		e.Reason = d.Class + ": " + d.Reason
		tr.audit.Record(ctx, e)
		return
	}
	// A client that logs in many times a second with one credential, from
	// one address, for one scope, gets an entry a second with a count.
	e.Reason = "authenticated with a " + strings.ReplaceAll(d.Class, "_", " ")
	tr.audit.Tally(ctx, e)
}

// scopeParts splits requested scopes ("repository:app:pull,push
// repository:lib:pull") into the repositories and the actions they name,
// each comma-separated and in order of first appearance.
func scopeParts(scopes string) (repositories, actions string) {
	var repos, acts []string
	for s := range strings.FieldsSeq(scopes) {
		r, err := scope.ParseRequest(s)
		if err != nil || r.Type != "repository" {
			continue
		}
		if !slices.Contains(repos, r.Name) {
			repos = append(repos, r.Name)
		}
		for _, a := range r.Actions {
			if !slices.Contains(acts, a) {
				acts = append(acts, a)
			}
		}
	}
	return strings.Join(repos, ","), strings.Join(acts, ",")
}
