package access

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Defaults of a Follower.
const (
	// DefaultFollowInterval is how often a Follower reads the feed: well
	// within the second DESIGN allows a change to take effect on every node.
	DefaultFollowInterval = 250 * time.Millisecond
	// DefaultChangeRetention is how long the feed keeps a change. A node
	// that falls further behind (suspended, cut off from the database)
	// finds a gap and drops everything it holds.
	DefaultChangeRetention = time.Hour
	// DefaultChangePruneEvery is how often Run prunes the feed.
	DefaultChangePruneEvery = 10 * time.Minute
)

// followBatch is how many changes one read of the feed returns at most.
const followBatch = 1000

// staleness is how long a node may go without reading the feed before it
// stops trusting what it holds in memory (DESIGN: within one second).
const staleness = time.Second

// Follower applies to a Cache the changes recorded in a ChangeFeed since it
// was made: those other nodes make to the shared store and, harmlessly
// again, the Cache's own. Each is applied as the Cache applies a change made
// through it: the token states it makes stale are dropped, and the hooks
// are told (the registry list, the data plane's registry apps, the expiry
// index).
type Follower struct {
	cache *Cache
	feed  ChangeFeed
	log   *slog.Logger

	mu    sync.Mutex
	after int64 // the Seq of the last change applied

	// Retention is how old a change gets before Run prunes it, PruneEvery
	// how often Run prunes (0: the defaults), and Now the clock both are
	// measured by.
	Retention  time.Duration
	PruneEvery time.Duration
	Now        func() time.Time
}

// NewFollower returns a Follower of feed for c that starts after the
// feed's latest change. Make it before c is first read, so that nothing c
// loads can predate the Follower's start.
func NewFollower(ctx context.Context, c *Cache, feed ChangeFeed, log *slog.Logger) (*Follower, error) {
	after, err := feed.LatestChange(ctx)
	if err != nil {
		return nil, fmt.Errorf("follow changes: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Follower{cache: c, feed: feed, log: log, after: after, Retention: DefaultChangeRetention,
		PruneEvery: DefaultChangePruneEvery, Now: time.Now}, nil
}

// Poll applies every change appended since the last one applied. When the
// feed no longer holds changes Poll has not applied (pruned), it drops
// everything the Cache holds instead and tells the registry hooks so
// (RegistriesChange.All). On an error the changes not applied are tried
// again by the next Poll.
func (f *Follower) Poll(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		chs, oldest, err := f.feed.Changes(ctx, f.after, followBatch)
		if err != nil {
			return fmt.Errorf("read changes after %d: %w", f.after, err)
		}
		if len(chs) == 0 {
			return nil
		}
		last := chs[len(chs)-1].Seq
		if oldest > f.after+1 {
			f.log.WarnContext(ctx, "changes were pruned before this node read them; dropping everything cached",
				"after", f.after, "oldest", oldest)
			f.cache.reset(ctx)
		} else if err := f.cache.apply(ctx, chs); err != nil {
			return fmt.Errorf("apply changes %d to %d: %w", chs[0].Seq, last, err)
		}
		f.after = last
		if len(chs) < followBatch {
			return nil
		}
	}
}

// Run polls every interval and prunes the feed every PruneEvery until ctx
// ends. While the feed cannot be read for longer than a second, the Cache
// is emptied after each failed poll, so that requests are checked against
// the store or refused rather than answered from a memory that may miss a
// revocation.
func (f *Follower) Run(ctx context.Context, interval time.Duration) {
	poll := time.NewTicker(interval)
	defer poll.Stop()
	prune := time.NewTicker(cmp.Or(max(f.PruneEvery, 0), DefaultChangePruneEvery))
	defer prune.Stop()
	lastOK, failing := f.Now(), false
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			f.prune(ctx)
		case <-poll.C:
			err := f.Poll(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err == nil:
				if failing {
					f.log.InfoContext(ctx, "reading the change feed again")
				}
				lastOK, failing = f.Now(), false
				continue
			case !failing:
				f.log.ErrorContext(ctx, "follow the change feed", "err", err)
				failing = true
			}
			if f.Now().Sub(lastOK) >= staleness-interval {
				f.cache.Forget("")
			}
		}
	}
}

// prune deletes the changes past the retention.
func (f *Follower) prune(ctx context.Context) {
	n, err := f.feed.PruneChanges(ctx, f.Now().Add(-cmp.Or(max(f.Retention, 0), DefaultChangeRetention)))
	if err != nil && ctx.Err() == nil {
		f.log.ErrorContext(ctx, "prune the change feed", "err", err)
		return
	}
	if n > 0 {
		f.log.DebugContext(ctx, "change feed pruned", "deleted", n)
	}
}
