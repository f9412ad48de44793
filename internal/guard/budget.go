package guard

import (
	"math"
	"sync"
	"time"
)

// MaxKeys bounds each table of budgets and of known-good credentials.
const MaxKeys = 1 << 16

// sweepEvery bounds how often a full table is swept, so that a flood of new
// keys costs one O(MaxKeys) pass per interval, not one per request.
const sweepEvery = time.Second

// budgets is a table of failure budgets, one token bucket per key: each
// holds up to limit failures and regains one every window/limit.
type budgets struct {
	limit  float64
	perSec float64 // refill rate

	mu        sync.RWMutex
	buckets   map[string]bucket
	lastSweep time.Time
}

// bucket is the budget left at time at.
type bucket struct {
	left float64
	at   time.Time
}

// newBudgets returns a table of limit failures per window; limit 0 (or a
// zero window) turns it off.
func newBudgets(limit int, window time.Duration) *budgets {
	if limit <= 0 || window <= 0 {
		return nil
	}
	return &budgets{limit: float64(limit), perSec: float64(limit) / window.Seconds(), buckets: map[string]bucket{}}
}

// level is b's budget at now.
func (t *budgets) level(b bucket, now time.Time) float64 {
	return math.Min(t.limit, b.left+now.Sub(b.at).Seconds()*t.perSec)
}

// untilOne is how long a budget at level takes to reach one failure.
func (t *budgets) untilOne(level float64) time.Duration {
	return time.Duration(math.Ceil((1 - level) / t.perSec * float64(time.Second)))
}

// wait returns how long key must wait before its next failure is within
// budget; 0 if it is now. It takes only the read lock.
func (t *budgets) wait(key string, now time.Time) time.Duration {
	if t == nil {
		return 0
	}
	t.mu.RLock()
	b, ok := t.buckets[key]
	t.mu.RUnlock()
	if !ok {
		return 0
	}
	if l := t.level(b, now); l < 1 {
		return t.untilOne(l)
	}
	return 0
}

// spend records a failure of key. over is true when key had no budget left
// for it; wait is then how long until it has.
func (t *budgets) spend(key string, now time.Time) (over bool, wait time.Duration) {
	if t == nil {
		return false, 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[key]
	level := t.limit
	if ok {
		level = t.level(b, now)
	} else if len(t.buckets) >= MaxKeys && !t.sweepLocked(now) {
		return false, 0 // full of keys being throttled: do not track more
	}
	if level < 1 {
		// Already over: the budget stays empty (not negative), so a client
		// that waits as told gets its next attempt.
		return true, t.untilOne(level)
	}
	t.buckets[key] = bucket{left: level - 1, at: now}
	return false, 0
}

// sweepLocked drops the keys whose budget is full again and reports whether
// there is room. It sweeps at most once per sweepEvery. t.mu must be held.
func (t *budgets) sweepLocked(now time.Time) bool {
	if now.Sub(t.lastSweep) < sweepEvery {
		return len(t.buckets) < MaxKeys
	}
	t.lastSweep = now
	for k, b := range t.buckets {
		if t.level(b, now) >= t.limit {
			delete(t.buckets, k)
		}
	}
	return len(t.buckets) < MaxKeys
}
