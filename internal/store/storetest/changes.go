package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// changeFeed returns st as an access.ChangeFeed, skipping the test when the
// implementation keeps none.
func changeFeed(t *testing.T, st access.Store) access.ChangeFeed {
	t.Helper()
	f, ok := st.(access.ChangeFeed)
	if !ok {
		t.Skip("the store does not implement access.ChangeFeed")
	}
	return f
}

// change is what the suite compares of a ChangeRecord.
type change struct {
	Kind           access.ChangeKind
	Registry, Name string
}

// changesAfter reads every change after after, checking that Seqs increase.
func changesAfter(t *testing.T, f access.ChangeFeed, after int64) ([]access.ChangeRecord, int64) {
	t.Helper()
	var out []access.ChangeRecord
	var oldest int64
	for {
		chs, o, err := f.Changes(t.Context(), after, 3)
		wantErr(t, fmt.Sprintf("Changes(%d, 3)", after), err, nil)
		if len(chs) > 3 {
			t.Fatalf("Changes(%d, 3) returned %d changes", after, len(chs))
		}
		if len(chs) == 0 {
			return out, oldest
		}
		for _, c := range chs {
			if c.Seq <= after {
				t.Fatalf("Changes: seq %d after %d, want increasing", c.Seq, after)
			}
			after = c.Seq
		}
		out, oldest = append(out, chs...), o
	}
}

func latest(t *testing.T, f access.ChangeFeed) int64 {
	t.Helper()
	seq, err := f.LatestChange(t.Context())
	wantErr(t, "LatestChange", err, nil)
	return seq
}

var changeTests = []test{
	{"an empty feed has no changes", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		if seq := latest(t, f); seq != 0 {
			t.Errorf("LatestChange = %d, want 0", seq)
		}
		chs, oldest, err := f.Changes(t.Context(), 0, 10)
		wantErr(t, "Changes", err, nil)
		if len(chs) != 0 || oldest != 0 {
			t.Errorf("Changes(0) = %v, oldest %d; want none, 0", chs, oldest)
		}
	}},
	{"every write the data plane must learn of is recorded in order, names lower-cased", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		ctx, before := t.Context(), time.Now().Add(-time.Minute)
		mustCreateRegistry(t, st, "Reg1")
		mustCreateScopeMap(t, st, newScopeMap("reg1", "Unused"))
		mustCreateToken(t, st, newToken("reg1", "MyToken", "reader"))
		_, err := st.UpdateToken(ctx, "REG1", "mytoken", func(tok *access.Token) error { tok.Generation++; return nil })
		wantErr(t, "UpdateToken", err, nil)
		_, err = st.UpdateScopeMap(ctx, "reg1", "Reader", func(m *access.ScopeMap) error { m.Description = "x"; return nil })
		wantErr(t, "UpdateScopeMap", err, nil)
		wantErr(t, "DeleteToken", st.DeleteToken(ctx, "reg1", "MYTOKEN"), nil)
		wantErr(t, "DeleteScopeMap", st.DeleteScopeMap(ctx, "reg1", "unused"), nil)
		_, err = st.UpdateRegistry(ctx, "reg1", func(r *access.Registry) error { r.SKU = access.Premium; return nil })
		wantErr(t, "UpdateRegistry", err, nil)
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(ctx, "REG1"), nil)

		chs, _ := changesAfter(t, f, 0)
		want := []change{
			{access.ChangeRegistry, "reg1", ""},
			{access.ChangeToken, "reg1", "mytoken"},
			{access.ChangeToken, "reg1", "mytoken"},
			{access.ChangeScopeMap, "reg1", "reader"},
			{access.ChangeToken, "reg1", "mytoken"},
			{access.ChangeScopeMap, "reg1", "unused"},
			{access.ChangeRegistry, "reg1", ""},
			{access.ChangeRegistryDeleted, "reg1", ""},
		}
		got := make([]change, len(chs))
		for i, c := range chs {
			got[i] = change{c.Kind, c.Registry, c.Name}
		}
		wantSame(t, "changes", got, want)
		for _, c := range chs {
			if c.At.Before(before) || c.At.After(time.Now().Add(time.Minute)) {
				t.Errorf("change %d recorded at %v, want about now", c.Seq, c.At)
			}
		}
		if n := len(chs); n > 0 && latest(t, f) != chs[n-1].Seq {
			t.Errorf("LatestChange = %d, want the last change's seq %d", latest(t, f), chs[n-1].Seq)
		}
	}},
	{"a write that fails records nothing", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		ctx := t.Context()
		mustCreateRegistry(t, st, "reg1")
		mustCreateToken(t, st, newToken("reg1", "tok1", "reader"))
		seq := latest(t, f)
		st.CreateRegistry(ctx, newRegistry("reg1", "g"), nil)
		st.CreateToken(ctx, newToken("reg1", "tok1", "reader"), 1000)
		st.CreateToken(ctx, newToken("reg1", "tok2", "reader"), 1)
		st.UpdateToken(ctx, "reg1", "tok1", func(*access.Token) error { return errFn })
		st.UpdateToken(ctx, "reg1", "nosuch", func(*access.Token) error { return nil })
		st.UpdateScopeMap(ctx, "reg1", "reader", func(*access.ScopeMap) error { return errFn })
		st.UpdateRegistry(ctx, "reg1", func(*access.Registry) error { return errFn })
		wantErr(t, "DeleteToken", st.DeleteToken(ctx, "reg1", "nosuch"), access.ErrNotFound)
		wantErr(t, "DeleteScopeMap", st.DeleteScopeMap(ctx, "reg1", "reader"), access.ErrInUse)
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(ctx, "nosuch"), access.ErrNotFound)
		if got := latest(t, f); got != seq {
			t.Errorf("LatestChange after failed writes = %d, want %d", got, seq)
		}
	}},
	{"Changes returns at most limit changes after a position", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		mustCreateRegistry(t, st, "reg1")
		for _, name := range seq("tok", 5) {
			mustCreateToken(t, st, newToken("reg1", name, "reader"))
		}
		all, _ := changesAfter(t, f, 0)
		if len(all) != 6 {
			t.Fatalf("got %d changes, want 6", len(all))
		}
		chs, oldest, err := f.Changes(t.Context(), all[1].Seq, 2)
		wantErr(t, "Changes", err, nil)
		wantSame(t, "page", chs, all[2:4])
		if oldest != all[0].Seq {
			t.Errorf("oldest = %d, want the first change's seq %d", oldest, all[0].Seq)
		}
		if chs, _, _ := f.Changes(t.Context(), all[5].Seq, 2); len(chs) != 0 {
			t.Errorf("Changes after the latest = %v, want none", chs)
		}
	}},
	{"pruning keeps the latest change and shows what was lost", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		mustCreateRegistry(t, st, "reg1")
		mustCreateToken(t, st, newToken("reg1", "tok1", "reader"))
		mustCreateToken(t, st, newToken("reg1", "tok2", "reader"))
		last := latest(t, f)
		n, err := f.PruneChanges(t.Context(), time.Now().Add(-time.Hour))
		wantErr(t, "PruneChanges", err, nil)
		if n != 0 {
			t.Errorf("pruning changes older than an hour deleted %d, want 0", n)
		}
		n, err = f.PruneChanges(t.Context(), time.Now().Add(time.Hour))
		wantErr(t, "PruneChanges", err, nil)
		if n != 2 {
			t.Errorf("pruning every change deleted %d, want 2 (all but the latest)", n)
		}
		if got := latest(t, f); got != last {
			t.Errorf("LatestChange after pruning = %d, want %d", got, last)
		}
		chs, oldest := changesAfter(t, f, 0)
		if len(chs) != 1 || oldest != last || oldest <= 1 {
			t.Errorf("after pruning: %d changes, oldest %d; want the latest alone (%d), above 1", len(chs), oldest, last)
		}
		mustCreateToken(t, st, newToken("reg1", "tok3", "reader"))
		if got := latest(t, f); got <= last {
			t.Errorf("a change after pruning got seq %d, want above %d (never reused)", got, last)
		}
	}},
	{"a reader following the feed during concurrent writes misses none", func(t *testing.T, st access.Store) {
		f := changeFeed(t, st)
		mustCreateRegistry(t, st, "reg1")
		start := latest(t, f)
		done := make(chan struct{})
		var seen []access.ChangeRecord
		var wg sync.WaitGroup
		wg.Go(func() { // polls as a Follower does, while the writers write
			after := start
			for finished := false; ; {
				select {
				case <-done:
					finished = true
				default:
				}
				chs, _, err := f.Changes(t.Context(), after, 1000)
				if err != nil {
					t.Errorf("Changes: %v", err)
					return
				}
				for _, c := range chs {
					seen, after = append(seen, c), c.Seq
				}
				if finished && len(chs) == 0 {
					return
				}
			}
		})
		parallel(func(i int) {
			if err := st.CreateToken(t.Context(), newToken("reg1", fmt.Sprintf("tok%02d", i), "reader"), 1000); err != nil {
				t.Errorf("CreateToken %d: %v", i, err)
			}
		})
		close(done)
		wg.Wait()
		all, _ := changesAfter(t, f, start)
		if len(seen) != writers || len(all) != writers {
			t.Errorf("the follower saw %d changes, the feed holds %d; want %d", len(seen), len(all), writers)
		}
	}},
}
