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
	// DefaultAuditPruneEvery is how often entries past the retention are
	// deleted.
	DefaultAuditPruneEvery = time.Hour
)

// AuditLog is the Auditor of a server: Record queues an entry and returns
// at once, and Run writes what is queued in batches, one transaction for
// whatever accumulated while the previous one was written, so that a
// data-plane request never waits for the database. Flush waits until what
// was recorded before it is durable: the management API calls it before it
// answers, so a change that was acknowledged is in the log.
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

	// Now is the clock that stamps entries and ages them for pruning.
	Now func() time.Time
	// PruneEvery is how often expired entries are deleted.
	PruneEvery time.Duration
}

// auditItem is a queued entry, or (flushed not nil) a flush marker.
type auditItem struct {
	entry   AuditEntry
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
		done: make(chan struct{}), Now: time.Now, PruneEvery: DefaultAuditPruneEvery}
}

var _ Auditor = (*AuditLog)(nil)

// Record queues e, stamped with the time if it has none. When the queue is
// full it waits for room rather than lose the entry, until ctx ends or the
// log stops; an entry that finds no room then is counted and logged.
func (l *AuditLog) Record(ctx context.Context, e AuditEntry) {
	if e.Time.IsZero() {
		e.Time = l.Now()
	}
	it := auditItem{entry: e.bounded()}
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
	l.prune(ctx)
	// Writes outlive ctx: an entry accepted before shutdown is written.
	wctx := context.WithoutCancel(ctx)
	for {
		select {
		case it := <-l.items:
			l.write(wctx, it)
		case <-prune.C:
			l.prune(ctx)
		case <-ctx.Done():
			for {
				select {
				case it := <-l.items:
					l.write(wctx, it)
				default:
					return nil
				}
			}
		}
	}
}

// write writes first and whatever else is queued, up to a batch, in one
// transaction, then releases the flushes among them.
func (l *AuditLog) write(ctx context.Context, first auditItem) {
	batch := make([]AuditEntry, 0, 16)
	var flushes []chan error
	add := func(it auditItem) {
		if it.flushed != nil {
			flushes = append(flushes, it.flushed)
		} else {
			batch = append(batch, it.entry)
		}
	}
	add(first)
drain:
	for len(batch) < maxAuditBatch {
		select {
		case it := <-l.items:
			add(it)
		default:
			break drain
		}
	}
	var err error
	if len(batch) > 0 {
		if err = l.st.AppendAudit(ctx, batch); err != nil {
			time.Sleep(100 * time.Millisecond) // one retry: a busy database clears
			err = l.st.AppendAudit(ctx, batch)
		}
		if err != nil {
			l.dropped.Add(int64(len(batch)))
			l.log.ErrorContext(ctx, "audit entries lost", "count", len(batch), "err", err)
			err = fmt.Errorf("write audit log: %w", err)
		}
	}
	for _, f := range flushes {
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
