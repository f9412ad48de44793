package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Defaults of an AuditLog.
const (
	// DefaultAuditBuffer is how many entries may wait to be written.
	DefaultAuditBuffer = 8192
	// maxAuditBatch is the most entries written in one transaction.
	maxAuditBatch = 512
	// DefaultAuditLinger is how long a batch waits for more entries after
	// its first (AuditLog.Linger).
	DefaultAuditLinger = 10 * time.Millisecond
	// DefaultAuditTallyWindow is how long repeats of a tallied entry add to
	// its count (AuditLog.TallyWindow).
	DefaultAuditTallyWindow = time.Second
	// DefaultAuditPruneEvery is how often entries past the retention are
	// deleted.
	DefaultAuditPruneEvery = time.Hour
)

// AuditLog is the Auditor of a server: Record queues an entry and returns
// at once, and Run writes what is queued in batches, so that a data-plane
// request never waits for the database. A batch is one transaction: its
// first entry, whatever else is recorded within the Linger after it, and
// whatever is queued by then. Flush waits until what was recorded before it
// is durable, and has the batch written at once: the management API calls
// it before it answers, so a change that was acknowledged is in the log
// without waiting for the linger.
//
// Tally is Record for decisions a busy client repeats many times a second
// (a successful login): an entry identical to one tallied less than the
// TallyWindow before adds to that entry's Count instead of making a row,
// so the log grows with the credentials in use, not with the requests. The
// first of them is written like any entry; the repeats are added once its
// window closes, or at a Flush.
//
// It is safe for concurrent use. Run must be running for entries to be
// written; when it returns it has written everything queued.
type AuditLog struct {
	st        AuditStore
	log       *slog.Logger
	retention time.Duration
	items     chan auditItem
	done      chan struct{} // closed when Run returns
	running   atomic.Bool
	dropped   atomic.Int64

	// Now is the clock that stamps entries, ages them for pruning and
	// closes tally windows.
	Now func() time.Time
	// PruneEvery is how often expired entries are deleted.
	PruneEvery time.Duration
	// Linger is how long a batch gathers entries after its first before it
	// is written, unless a Flush or a full batch cuts it short: fewer,
	// larger transactions. An entry nobody flushes is durable within about
	// that long. 0 writes whatever is queued at once.
	Linger time.Duration
	// TallyWindow is how long after a tallied entry identical ones add to
	// its Count; the count is written when the window closes (within about
	// two windows) or at a Flush. 0: only within one batch.
	TallyWindow time.Duration

	open tallies // tallied entries still counting; Run's alone
}

// auditItem is a queued entry, or (flushed not nil) a flush marker.
type auditItem struct {
	entry   AuditEntry
	tally   bool // may merge with identical tallied entries
	flushed chan error
}

// NewAuditLog returns an AuditLog over st that keeps entries for retention
// (0: for ever). buffer bounds the queue (0: DefaultAuditBuffer).
func NewAuditLog(st AuditStore, retention time.Duration, buffer int, log *slog.Logger) *AuditLog {
	if buffer <= 0 {
		buffer = DefaultAuditBuffer
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AuditLog{st: st, log: log, retention: retention, items: make(chan auditItem, buffer),
		done: make(chan struct{}), Now: time.Now, PruneEvery: DefaultAuditPruneEvery, Linger: DefaultAuditLinger,
		TallyWindow: DefaultAuditTallyWindow}
}

var _ Auditor = (*AuditLog)(nil)

// Record queues e, stamped with the time if it has none. When the queue is
// full it waits for room rather than lose the entry, until ctx ends or the
// log stops; an entry that finds no room then is counted and logged.
func (l *AuditLog) Record(ctx context.Context, e AuditEntry) { l.queue(ctx, e, false) }

// Tally queues e as Record does, but lets it merge with identical entries
// (all fields but Time and Count): within the TallyWindow after one is
// tallied, the next ones add their Count to it rather than make entries of
// their own. It is for successes a client repeats; a refusal should be
// recorded one by one.
func (l *AuditLog) Tally(ctx context.Context, e AuditEntry) { l.queue(ctx, e, true) }

func (l *AuditLog) queue(ctx context.Context, e AuditEntry, tally bool) {
	if e.Time.IsZero() {
		e.Time = l.Now()
	}
	e.Count = max(e.Count, 1)
	it := auditItem{entry: e.bounded(), tally: tally}
	select {
	case l.items <- it:
		return
	default:
	}
	select {
	case l.items <- it:
	case <-ctx.Done():
		l.lost(ctx, e, ctx.Err())
	case <-l.done:
		l.lost(ctx, e, errors.New("the audit log is closed"))
	}
}

func (l *AuditLog) lost(ctx context.Context, e AuditEntry, why error) {
	n := l.dropped.Add(1)
	l.log.ErrorContext(ctx, "audit entry lost", "operation", e.Operation, "registry", e.Registry, "token", e.Token,
		"result", e.Result, "err", why, "lost_total", n)
}

// Flush returns once every entry recorded before it was called is written,
// or with the error that kept it from being written.
func (l *AuditLog) Flush(ctx context.Context) error {
	if !l.running.Load() {
		return errors.New("flush audit log: the audit log is not running")
	}
	it := auditItem{flushed: make(chan error, 1)}
	select {
	case l.items <- it:
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	case <-l.done:
		return errors.New("flush audit log: the audit log is closed")
	}
	select {
	case err := <-it.flushed:
		return err
	case <-l.done:
		select {
		case err := <-it.flushed:
			return err
		default:
			return errors.New("flush audit log: the audit log is closed")
		}
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	}
}

// List returns the entries q selects, newest first, after writing what was
// recorded before the call: a reader sees its own changes.
func (l *AuditLog) List(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	if l.live() {
		if err := l.Flush(ctx); err != nil {
			return nil, err
		}
	}
	es, err := l.st.ListAudit(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list audit log of registry %q: %w", q.Registry, err)
	}
	return es, nil
}

// Run writes queued entries and prunes old ones until ctx ends, then
// writes what is still queued and returns. It runs once.
func (l *AuditLog) Run(ctx context.Context) error {
	if !l.running.CompareAndSwap(false, true) {
		return errors.New("run audit log: already running")
	}
	defer close(l.done)
	every := l.PruneEvery
	if every <= 0 {
		every = DefaultAuditPruneEvery
	}
	prune := time.NewTicker(every)
	defer prune.Stop()
	var windows <-chan time.Time // closes tally windows while nothing is recorded
	if l.TallyWindow > 0 {
		t := time.NewTicker(l.TallyWindow)
		defer t.Stop()
		windows = t.C
	}
	l.prune(ctx)
	// Writes outlive ctx: an entry accepted before shutdown is written.
	wctx := context.WithoutCancel(ctx)
	for {
		select {
		case it := <-l.items:
			l.write(wctx, l.gather(ctx, it), false)
		case <-windows:
			if l.open.due(l.Now()) {
				l.write(wctx, &auditBatch{}, false)
			}
		case <-prune.C:
			l.prune(ctx)
		case <-ctx.Done():
			for {
				select {
				case it := <-l.items:
					l.write(wctx, l.gather(ctx, it), false)
				default:
					l.write(wctx, &auditBatch{}, true)
					return nil
				}
			}
		}
	}
}

// gather makes the batch that starts with first: what else is recorded
// within the linger, unless a flush asks for the batch, it fills up or ctx
// ends, and then what is already queued, up to a full batch.
func (l *AuditLog) gather(ctx context.Context, first auditItem) *auditBatch {
	b := &auditBatch{open: &l.open, entries: make([]AuditEntry, 0, 16)}
	b.add(first)
	if l.Linger > 0 && len(b.flushes) == 0 {
		linger := time.NewTimer(l.Linger)
	wait:
		for len(b.flushes) == 0 && !b.full() {
			select {
			case it := <-l.items:
				b.add(it)
			case <-linger.C:
				break wait
			case <-ctx.Done():
				break wait
			}
		}
		linger.Stop()
	}
	// Only what is queued now: under a steady stream of tallied entries,
	// which never fill a batch, the drain must end.
	for n := len(l.items); n > 0 && !b.full(); n-- {
		b.add(<-l.items)
	}
	return b
}

// write writes a batch in one transaction with the repeats of tallied
// entries whose window closed (all of them for a flush, or when all is
// set), then releases the batch's flushes.
func (l *AuditLog) write(ctx context.Context, b *auditBatch, all bool) {
	repeats := l.open.close(l.Now(), all || len(b.flushes) > 0)
	var err error
	if len(b.entries) > 0 || len(repeats) > 0 {
		if err = l.st.AppendAudit(ctx, b.entries, repeats); err != nil {
			time.Sleep(100 * time.Millisecond) // one retry: a busy database clears
			err = l.st.AppendAudit(ctx, b.entries, repeats)
		}
		if err != nil {
			n := 0
			for _, e := range b.entries {
				n += e.Count
			}
			for _, more := range repeats {
				n += more
			}
			l.dropped.Add(int64(n))
			l.log.ErrorContext(ctx, "audit entries lost", "count", n, "err", err)
			err = fmt.Errorf("write audit log: %w", err)
		} else {
			l.open.opened(b, l.TallyWindow)
		}
	}
	for _, f := range b.flushes {
		f <- err
	}
}

// prune deletes the entries older than the retention.
func (l *AuditLog) prune(ctx context.Context) {
	if l.retention <= 0 {
		return
	}
	n, err := l.st.PruneAudit(ctx, l.Now().Add(-l.retention))
	switch {
	case err != nil && ctx.Err() == nil:
		l.log.ErrorContext(ctx, "prune audit log", "err", err)
	case n > 0:
		l.log.InfoContext(ctx, "audit log pruned", "deleted", n, "retention", l.retention.String())
	}
}

// live reports whether Run is running.
func (l *AuditLog) live() bool {
	if !l.running.Load() {
		return false
	}
	select {
	case <-l.done:
		return false
	default:
		return true
	}
}

// Lost is how many entries could not be written.
func (l *AuditLog) Lost() int64 { return l.dropped.Load() }
