package access_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// runAuditLog starts l.Run and stops it at the end of the test.
func runAuditLog(t *testing.T, l *access.AuditLog) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	// Run is started when Flush works.
	for i := 0; l.Flush(t.Context()) != nil; i++ {
		if i > 1000 {
			t.Fatal("the audit log does not start")
		}
		time.Sleep(time.Millisecond)
	}
	return stop
}

func entry(registry, token, result string) access.AuditEntry {
	return access.AuditEntry{Registry: registry, Actor: token, Operation: "token/login", Target: "repository:app:pull",
		Token: token, Password: access.Password1, Repository: "app", Action: "pull", Result: result,
		Reason: "because", ClientAddress: "192.0.2.7"}
}

func TestAuditLog(t *testing.T) {
	e := newEnv(t)
	l := access.NewAuditLog(e.st, 0, 0, nil)
	l.Now = e.clock.Now
	runAuditLog(t, l)
	ctx := t.Context()

	t.Run("an entry recorded is listed after a flush, stamped with the clock", func(t *testing.T) {
		l.Record(ctx, entry("auditreg1", "robot-1", access.AuditSuccess))
		got, err := l.List(ctx, access.AuditQuery{Registry: "auditreg1"})
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v; want one entry", got, err)
		}
		want := entry("auditreg1", "robot-1", access.AuditSuccess)
		want.ID, want.Time, want.Count = got[0].ID, start.Truncate(time.Microsecond), 1
		if got[0] != want {
			t.Errorf("got %+v, want %+v", got[0], want)
		}
	})
	t.Run("many concurrent recorders lose nothing", func(t *testing.T) {
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := range 250 {
					l.Record(ctx, entry("auditreg2", fmt.Sprintf("robot-%d-%d", w, i), access.AuditFailure))
				}
			})
		}
		wg.Wait()
		got, err := l.List(ctx, access.AuditQuery{Registry: "auditreg2"})
		if err != nil || len(got) != 2000 {
			t.Fatalf("got %d entries, %v; want 2000", len(got), err)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ID >= got[i-1].ID {
				t.Fatalf("entries not newest first: id %d after %d", got[i].ID, got[i-1].ID)
			}
		}
	})
	t.Run("overlong fields are cut, on a character boundary", func(t *testing.T) {
		long := entry("auditreg3", strings.Repeat("é", 2000), access.AuditFailure)
		l.Record(ctx, long)
		got, _ := l.List(ctx, access.AuditQuery{Registry: "auditreg3"})
		if len(got) != 1 || len(got[0].Token) > 1024 || !strings.HasPrefix(long.Token, got[0].Token) || len(got[0].Token) < 1000 {
			t.Errorf("got a token of %d bytes", len(got[0].Token))
		}
	})
	if l.Lost() != 0 {
		t.Errorf("%d entries lost", l.Lost())
	}
}

func TestAuditLogTally(t *testing.T) {
	e := newEnv(t)
	l := access.NewAuditLog(e.st, 0, 0, nil)
	l.Now = e.clock.Now
	l.Linger = time.Hour // a batch ends only when it is flushed
	runAuditLog(t, l)
	ctx := t.Context()

	login := entry("tallyreg1", "robot", access.AuditSuccess)
	elsewhere := login
	elsewhere.ClientAddress = "192.0.2.8"
	refused := entry("tallyreg1", "robot", access.AuditFailure)
	for i := range 100 {
		e.clock.Set(start.Add(time.Duration(i) * time.Millisecond))
		l.Tally(ctx, login)
		if i == 50 {
			l.Record(ctx, refused)
			l.Tally(ctx, elsewhere)
		}
	}
	l.Record(ctx, refused)
	got, err := l.List(ctx, access.AuditQuery{Registry: "tallyreg1"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		result, address string
		count           int
		at              time.Duration
	}
	var rows []row
	for _, g := range got {
		rows = append(rows, row{g.Result, g.ClientAddress, g.Count, g.Time.Sub(start.Truncate(time.Microsecond))})
	}
	want := []row{ // newest first
		{access.AuditFailure, "192.0.2.7", 1, 99 * time.Millisecond}, // a refusal is never merged
		{access.AuditSuccess, "192.0.2.8", 1, 50 * time.Millisecond}, // another address is another entry
		{access.AuditFailure, "192.0.2.7", 1, 50 * time.Millisecond},
		{access.AuditSuccess, "192.0.2.7", 100, 0}, // where and when the first was recorded
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", rows, want)
	}

	t.Run("repeats within the window add to the entry already written", func(t *testing.T) {
		e.clock.Set(start.Add(500 * time.Millisecond))
		l.Tally(ctx, login)
		l.Tally(ctx, login)
		got, _ := l.List(ctx, access.AuditQuery{Registry: "tallyreg1"})
		if len(got) != 4 || got[3].Count != 102 {
			t.Errorf("got %+v, want the first entry with count 102 and no other", got)
		}
	})
	t.Run("a repeat after the window is an entry of its own", func(t *testing.T) {
		e.clock.Set(start.Add(time.Second))
		l.Tally(ctx, login)
		got, _ := l.List(ctx, access.AuditQuery{Registry: "tallyreg1"})
		if len(got) != 5 || got[0].Count != 1 || got[0].Result != access.AuditSuccess || got[4].Count != 102 {
			t.Errorf("got %+v, want a new entry of count 1", got)
		}
	})
	t.Run("recorded entries are never merged", func(t *testing.T) {
		l.Record(ctx, entry("tallyreg2", "robot", access.AuditSuccess))
		l.Record(ctx, entry("tallyreg2", "robot", access.AuditSuccess))
		got, _ := l.List(ctx, access.AuditQuery{Registry: "tallyreg2"})
		if len(got) != 2 || got[0].Count != 1 || got[1].Count != 1 {
			t.Errorf("got %+v, want two entries of count 1", got)
		}
	})
}

func TestAuditLogWritesWithoutAFlush(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	stored := func(registry string) int {
		t.Helper()
		got, err := e.st.ListAudit(ctx, access.AuditQuery{Registry: registry})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	logWith := func(t *testing.T, linger, window time.Duration) *access.AuditLog {
		l := access.NewAuditLog(e.st, 0, 0, nil)
		l.Linger, l.TallyWindow = linger, window
		runAuditLog(t, l)
		return l
	}

	t.Run("an entry nobody flushes is written once the linger is over", func(t *testing.T) {
		l := logWith(t, 50*time.Millisecond, time.Second)
		began := time.Now()
		l.Record(ctx, entry("lingerreg1", "robot", access.AuditSuccess))
		for stored("lingerreg1") == 0 {
			if time.Since(began) > 10*time.Second {
				t.Fatal("the entry is never written")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if waited := time.Since(began); waited < l.Linger {
			t.Errorf("written after %v, before the linger of %v was over", waited, l.Linger)
		}
	})
	t.Run("repeats are added once the window closes, without a flush", func(t *testing.T) {
		l := logWith(t, 0, 200*time.Millisecond)
		for range 3 {
			l.Tally(ctx, entry("lingerreg3", "robot", access.AuditSuccess))
		}
		for began := time.Now(); ; time.Sleep(10 * time.Millisecond) {
			got, err := e.st.ListAudit(ctx, access.AuditQuery{Registry: "lingerreg3"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 1 && got[0].Count == 3 {
				break
			}
			if time.Since(began) > 10*time.Second {
				t.Fatalf("got %+v, want one entry of count 3", got)
			}
		}
	})
	t.Run("a flush does not wait for the linger", func(t *testing.T) {
		l := logWith(t, time.Hour, time.Second)
		l.Record(ctx, entry("lingerreg2", "robot", access.AuditSuccess))
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := stored("lingerreg2"); n != 1 {
			t.Errorf("after Flush: %d entries stored, want 1", n)
		}
	})
}

func TestAuditLogRetention(t *testing.T) {
	e := newEnv(t)
	l := access.NewAuditLog(e.st, 90*24*time.Hour, 0, nil)
	l.Now = e.clock.Now
	l.PruneEvery = 10 * time.Millisecond
	stop := runAuditLog(t, l)
	ctx := t.Context()
	old := entry("retention1", "old-robot", access.AuditSuccess)
	old.Time = start.Add(-91 * 24 * time.Hour)
	recent := entry("retention1", "new-robot", access.AuditSuccess)
	recent.Time = start.Add(-89 * 24 * time.Hour)
	l.Record(ctx, old)
	l.Record(ctx, recent)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := l.List(ctx, access.AuditQuery{Registry: "retention1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Token == "new-robot" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after pruning: got %+v, want only the entry within the retention", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
}

func TestAuditLogStops(t *testing.T) {
	e := newEnv(t)
	l := access.NewAuditLog(e.st, 0, 4, nil)
	ctx := t.Context()

	t.Run("a flush before Run runs fails instead of waiting", func(t *testing.T) {
		if err := l.Flush(ctx); err == nil {
			t.Error("got no error")
		}
	})
	t.Run("what is queued when Run stops is written", func(t *testing.T) {
		for i := range 4 {
			l.Record(ctx, entry("stopreg1", fmt.Sprintf("robot-%d", i), access.AuditSuccess))
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := l.Run(cctx); err != nil {
			t.Fatal(err)
		}
		got, err := l.List(ctx, access.AuditQuery{Registry: "stopreg1"})
		if err != nil || len(got) != 4 {
			t.Errorf("got %d entries, %v; want 4", len(got), err)
		}
	})
	t.Run("a recorder that finds the queue full and the log stopped gives up", func(t *testing.T) {
		for i := range 5 {
			l.Record(ctx, entry("stopreg1", fmt.Sprintf("late-%d", i), access.AuditSuccess))
		}
		if l.Lost() != 1 {
			t.Errorf("lost %d, want 1", l.Lost())
		}
		if err := l.Flush(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Errorf("Flush after Run: got %v, want closed", err)
		}
	})
	t.Run("Run runs once", func(t *testing.T) {
		if err := l.Run(ctx); err == nil {
			t.Error("a second Run: got no error")
		}
	})
}

// failingStore is an AuditStore whose writes fail.
type failingStore struct{ access.AuditStore }

func (failingStore) AppendAudit(context.Context, []access.AuditEntry, map[int64]int) error {
	return errors.New("disk full")
}

func TestAuditLogReportsFailedWrites(t *testing.T) {
	e := newEnv(t)
	l := access.NewAuditLog(failingStore{e.st}, 0, 0, nil)
	runAuditLogBroken(t, l)
	l.Record(t.Context(), entry("failreg1", "robot", access.AuditSuccess))
	if err := l.Flush(t.Context()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush: got %v, want the write error", err)
	}
	if l.Lost() != 1 {
		t.Errorf("lost %d, want 1", l.Lost())
	}
}

// runAuditLogBroken starts Run on a log whose flushes fail.
func runAuditLogBroken(t *testing.T, l *access.AuditLog) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for i := 0; ; i++ {
		err := l.Flush(t.Context())
		if err == nil || !strings.Contains(err.Error(), "not running") {
			return
		}
		if i > 1000 {
			t.Fatal("the audit log does not start")
		}
		time.Sleep(time.Millisecond)
	}
}
