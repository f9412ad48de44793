package access

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// PasswordUse is a successful authentication with one password.
type PasswordUse struct {
	Registry, Token string
	Password        string // the slot
	// PasswordCreated tells the password apart from a later one generated
	// in the same slot: a use belongs to the password created then.
	PasswordCreated time.Time
	Time            time.Time
	Address         string
}

// UsageStore keeps the last use of each password. It is an optional extra
// of a Store.
type UsageStore interface {
	// RecordUses stores uses in one transaction, each only if it is later
	// than the use recorded for its password. Uses of passwords that no
	// longer exist (token deleted, slot regenerated) are dropped.
	RecordUses(ctx context.Context, uses []PasswordUse) error
	// LastUses returns the recorded last use of the passwords of the named
	// tokens of registry, whatever password they belonged to: callers
	// compare PasswordCreated with the password they hold.
	LastUses(ctx context.Context, registry string, tokens []string) ([]PasswordUse, error)
}

// Usage records when and from where each password last authenticated
// without a database write per authentication: Record keeps the latest use
// per password in memory, and Flush writes them all in one transaction (Run
// flushes every few seconds, and once more when it stops). Reads through
// the Service see recorded uses at once, flushed or not. It is safe for
// concurrent use; a nil *Usage records nothing.
type Usage struct {
	store UsageStore
	log   *slog.Logger

	mu      sync.Mutex
	pending map[useKey]PasswordUse
	kick    chan struct{}
}

type useKey struct{ registry, token, slot string }

func keyOfUse(u PasswordUse) useKey {
	return useKey{strings.ToLower(u.Registry), strings.ToLower(u.Token), u.Password}
}

// Memory bounds of the pending uses: at flushAt Run flushes early; at
// maxPending further new passwords are not recorded until a flush.
const (
	flushAt    = 1 << 14
	maxPending = 1 << 20
)

// maxAddressLen bounds a stored address (an IPv6 address with a zone fits).
const maxAddressLen = 64

// NewUsage returns a Usage over st.
func NewUsage(st UsageStore, log *slog.Logger) *Usage {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Usage{store: st, log: log, pending: map[useKey]PasswordUse{}, kick: make(chan struct{}, 1)}
}

// Record notes a use. It only touches memory.
func (u *Usage) Record(use PasswordUse) {
	if u == nil {
		return
	}
	use.Time = use.Time.UTC().Truncate(time.Microsecond) // what stores keep
	if len(use.Address) > maxAddressLen {
		use.Address = use.Address[:maxAddressLen]
	}
	k := keyOfUse(use)
	u.mu.Lock()
	defer u.mu.Unlock()
	old, ok := u.pending[k]
	switch {
	case ok && old.PasswordCreated.Equal(use.PasswordCreated) && !use.Time.After(old.Time):
		return
	case !ok && len(u.pending) >= maxPending:
		return
	}
	u.pending[k] = use
	if len(u.pending) == flushAt {
		select {
		case u.kick <- struct{}{}:
		default:
		}
	}
}

// Flush writes the pending uses in one transaction. On failure they are
// kept for the next flush (unless newer ones arrived meanwhile).
func (u *Usage) Flush(ctx context.Context) error {
	if u == nil {
		return nil
	}
	u.mu.Lock()
	batch := u.pending
	u.pending = map[useKey]PasswordUse{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	uses := make([]PasswordUse, 0, len(batch))
	for _, use := range batch {
		uses = append(uses, use)
	}
	if err := u.store.RecordUses(ctx, uses); err != nil {
		u.mu.Lock()
		for k, use := range batch {
			if _, newer := u.pending[k]; !newer {
				u.pending[k] = use
			}
		}
		u.mu.Unlock()
		return fmt.Errorf("record %d password uses: %w", len(uses), err)
	}
	return nil
}

// Run flushes every interval, and early when many uses are pending, until
// ctx ends; then it flushes once more (with a few seconds of its own, since
// ctx is done) and returns.
func (u *Usage) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := u.Flush(fctx); err != nil {
				u.log.ErrorContext(ctx, "last flush of password uses", "err", err)
			}
			return
		case <-t.C:
		case <-u.kick:
		}
		if err := u.Flush(ctx); err != nil {
			u.log.ErrorContext(ctx, "flush password uses", "err", err)
		}
	}
}

// fill sets the last use of the passwords of ts, all of registry: the
// stored one or, if later, the pending one. A failure to read leaves them
// unset and is logged: the last use is information, not a reason to fail.
func (u *Usage) fill(ctx context.Context, registry string, ts []Token) {
	if u == nil || len(ts) == 0 {
		return
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	stored, err := u.store.LastUses(ctx, registry, names)
	if err != nil {
		u.log.ErrorContext(ctx, "read password uses", "registry", registry, "err", err)
	}
	last := make(map[useKey]PasswordUse, len(stored))
	for _, use := range stored {
		last[keyOfUse(use)] = use
	}
	u.mu.Lock()
	for i := range ts {
		for j := range ts[i].Passwords {
			p := &ts[i].Passwords[j]
			k := useKey{strings.ToLower(registry), strings.ToLower(ts[i].Name), p.Name}
			for _, use := range []PasswordUse{last[k], u.pending[k]} {
				if use.PasswordCreated.Equal(p.Created) && use.Time.After(p.LastUsed) {
					p.LastUsed, p.LastUsedAddress = use.Time.UTC(), use.Address
				}
			}
		}
	}
	u.mu.Unlock()
}
