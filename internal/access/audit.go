package access

import (
	"context"
	"time"
	"unicode/utf8"
)

// AuditEntry is one record of the audit log: a management change, or an
// authentication decision of the data plane. It never holds a secret: no
// password, admin key or JWT, only names and reasons.
type AuditEntry struct {
	ID   int64 // set by the store; later entries have larger ones
	Time time.Time
	// Registry is the registry concerned, lower case; "" when the request
	// named none.
	Registry string
	// Actor is who acted: AuditAdmin for the management API, the token
	// name (as the client gave it) for the data plane.
	Actor string
	// Operation is what was done: an ARM operation name such as
	// "Microsoft.ContainerRegistry/registries/tokens/write", or a data-plane
	// decision such as "token/login".
	Operation string
	// Target is what it was done to: a resource id, or the request.
	Target string
	// Token and Password are the token concerned and the password slot
	// that proved the caller, when known.
	Token, Password string
	// Repository and Action are what a data-plane request asked for.
	Repository, Action string
	ChangeReference    string
	Result             string // AuditSuccess or AuditFailure
	// Reason is why, precisely: the real cause of a refusal.
	Reason        string
	ClientAddress string
	// Count is how many identical decisions the entry stands for: more
	// than 1 when AuditLog.Tally merged repeats of it, all within its
	// TallyWindow from Time on. 0 is read as 1.
	Count int
}

// Results of an audit entry.
const (
	AuditSuccess = "success"
	AuditFailure = "failure"
)

// AuditAdmin is the actor of management changes: the holder of the admin
// key, the management API's one principal.
const AuditAdmin = "admin"

// maxAuditField bounds every text field of an entry, in bytes: a client
// may name a token of any length, and the log must not grow with it.
const maxAuditField = 1024

// bounded returns e with every text field cut to maxAuditField bytes.
func (e AuditEntry) bounded() AuditEntry {
	for _, f := range []*string{&e.Registry, &e.Actor, &e.Operation, &e.Target, &e.Token, &e.Password,
		&e.Repository, &e.Action, &e.ChangeReference, &e.Result, &e.Reason, &e.ClientAddress} {
		*f = truncate(*f, maxAuditField)
	}
	return e
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Auditor records audit entries. Record must return quickly: the data
// plane calls it on its request path.
type Auditor interface {
	Record(ctx context.Context, e AuditEntry)
}

// AuditQuery selects entries of one registry, newest first.
type AuditQuery struct {
	Registry string
	Token    string    // "" for any; matched case-insensitively
	Since    time.Time // zero for any
	Result   string    // "" for any
	// BeforeID, when not 0, selects entries older than the one with this
	// ID: the position of the next page.
	BeforeID int64
	Limit    int // 0 for no limit
}

// AuditStore keeps the audit log durably.
type AuditStore interface {
	// AppendAudit adds entries in one transaction, in order, and sets their
	// IDs. In the same transaction it adds repeats[id] to the Count of the
	// entry with that ID, written before (one pruned since is skipped).
	AppendAudit(ctx context.Context, entries []AuditEntry, repeats map[int64]int) error
	// ListAudit returns the entries q selects, newest (highest ID) first.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// PruneAudit deletes the entries older than before and says how many.
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
}
