package access

import "time"

// maxOpenTallies bounds the tallied entries whose window is open: past it a
// tallied entry is written alone, and its repeats make entries of their own
// (merged within each batch still).
const maxOpenTallies = 1 << 16

// auditBatch is what one transaction writes: entries in the order they were
// recorded, tallied ones merged into the first of their kind, and the
// flushes to release once it is written. Repeats of a tallied entry written
// by an earlier batch go to its open tally instead.
type auditBatch struct {
	open    *tallies
	entries []AuditEntry
	tallied map[AuditEntry]int // a tallied entry's key → its index in entries
	flushes []chan error
}

func (b *auditBatch) add(it auditItem) {
	switch {
	case it.flushed != nil:
		b.flushes = append(b.flushes, it.flushed)
	case it.tally:
		k := tallyKey(it.entry)
		if i, ok := b.tallied[k]; ok {
			b.entries[i].Count += it.entry.Count
			return
		}
		if b.open.add(k, it.entry) {
			return
		}
		if b.tallied == nil {
			b.tallied = map[AuditEntry]int{}
		}
		b.tallied[k] = len(b.entries)
		b.entries = append(b.entries, it.entry)
	default:
		b.entries = append(b.entries, it.entry)
	}
}

func (b *auditBatch) full() bool { return len(b.entries) >= maxAuditBatch }

// tallyKey is what makes tallied entries identical: all but Time and Count.
func tallyKey(e AuditEntry) AuditEntry {
	e.Time, e.Count = time.Time{}, 0
	return e
}

// tally is a tallied entry already written whose window is open: repeats
// until then add to its count, in memory until it closes.
type tally struct {
	key   AuditEntry
	id    int64
	until time.Time
	more  int // repeats not yet written
}

// tallies are the open tallies, by key and in the order they were opened
// (which is about the order they close in). The zero value is ready; only
// Run's goroutine uses it.
type tallies struct {
	byKey map[AuditEntry]*tally
	order []*tally
}

// add counts e on the open tally of key k, and reports whether there was
// one whose window e falls in.
func (ts *tallies) add(k, e AuditEntry) bool {
	t := ts.byKey[k]
	if t == nil || !e.Time.Before(t.until) {
		return false
	}
	t.more += e.Count
	return true
}

// opened opens a tally for each tallied entry of a batch just written.
func (ts *tallies) opened(b *auditBatch, window time.Duration) {
	if window <= 0 {
		return
	}
	if ts.byKey == nil {
		ts.byKey = map[AuditEntry]*tally{}
	}
	for k, i := range b.tallied {
		if len(ts.byKey) >= maxOpenTallies {
			return
		}
		// An earlier tally of k, closed but not yet reaped, stays in order
		// to have its repeats written.
		t := &tally{key: k, id: b.entries[i].ID, until: b.entries[i].Time.Add(window)}
		ts.byKey[k] = t
		ts.order = append(ts.order, t)
	}
}

// due reports whether a tally has closed by now.
func (ts *tallies) due(now time.Time) bool {
	return len(ts.order) > 0 && !now.Before(ts.order[0].until)
}

// close takes the tallies closed by now off the books and returns the
// repeats to add to their entries, by ID; with all, the repeats of the open
// ones too (which stay open).
func (ts *tallies) close(now time.Time, all bool) map[int64]int {
	var repeats map[int64]int
	take := func(t *tally) {
		if t.more > 0 {
			if repeats == nil {
				repeats = map[int64]int{}
			}
			repeats[t.id] += t.more
			t.more = 0
		}
	}
	for ts.due(now) {
		t := ts.order[0]
		ts.order[0] = nil
		ts.order = ts.order[1:]
		take(t)
		if ts.byKey[t.key] == t {
			delete(ts.byKey, t.key)
		}
	}
	if all {
		for _, t := range ts.order {
			take(t)
		}
	}
	return repeats
}
