package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// auditStore returns st as an access.AuditStore, skipping the test for a
// store that keeps no audit log (the interface is optional).
func auditStore(t *testing.T, st access.Store) access.AuditStore {
	t.Helper()
	as, ok := st.(access.AuditStore)
	if !ok {
		t.Skipf("%T keeps no audit log", st)
	}
	return as
}

func auditEntry(registry, token, result string, at time.Time) access.AuditEntry {
	return access.AuditEntry{Time: at, Registry: registry, Actor: access.AuditAdmin,
		Operation: "Microsoft.ContainerRegistry/registries/tokens/write", Target: "/subscriptions/s/.../tokens/" + token,
		Token: token, Password: access.Password2, Repository: "team/app", Action: "push", ChangeReference: "CHG-7",
		Result: result, Reason: "reason " + token, ClientAddress: "2001:db8::1", Count: 1}
}

func mustAppend(t *testing.T, as access.AuditStore, entries ...access.AuditEntry) {
	t.Helper()
	if err := as.AppendAudit(t.Context(), entries, nil); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
}

func auditTokens(es []access.AuditEntry) []string {
	return names(es, func(e access.AuditEntry) string { return e.Token })
}

var auditTests = []test{
	{"entries are read back exactly, newest first", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		a, b := auditEntry("reg1", "robot-a", access.AuditSuccess, t0), auditEntry("reg1", "robot-b", access.AuditFailure, t0)
		a.Count = 340 // merged repeats (access.AuditLog.Tally)
		mustAppend(t, as, a, b)
		got, err := as.ListAudit(t.Context(), access.AuditQuery{Registry: "REG1"})
		wantErr(t, "ListAudit", err, nil)
		if len(got) != 2 || got[0].ID <= got[1].ID || got[1].ID <= 0 {
			t.Fatalf("got %+v, want two entries with increasing IDs, newest first", got)
		}
		a.ID, b.ID = got[1].ID, got[0].ID
		wantSame(t, "entries", got, []access.AuditEntry{b, a})
	}},
	{"appending sets the IDs, and repeats add to the count of earlier entries", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		es := []access.AuditEntry{auditEntry("reg1", "robot-a", access.AuditSuccess, t0), auditEntry("reg1", "robot-b", access.AuditSuccess, t0)}
		mustAppend(t, as, es...)
		if es[0].ID <= 0 || es[1].ID <= es[0].ID {
			t.Fatalf("IDs %d, %d: want increasing, above 0", es[0].ID, es[1].ID)
		}
		if err := as.AppendAudit(t.Context(), nil, map[int64]int{es[1].ID: 41, es[1].ID + 1000: 7}); err != nil {
			t.Fatalf("repeats, one of them for no entry: %v", err)
		}
		got, err := as.ListAudit(t.Context(), access.AuditQuery{Registry: "reg1", Limit: 2})
		wantErr(t, "ListAudit", err, nil)
		if len(got) != 2 || got[0].ID != es[1].ID || got[0].Count != 42 || got[1].Count != 1 {
			t.Errorf("got %+v, want the newest with count 42 and the other 1", got)
		}
	}},
	{"a count of 0 is stored as 1", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		e := auditEntry("reg1", "robot-a", access.AuditSuccess, t0)
		e.Count = 0
		mustAppend(t, as, e)
		got, err := as.ListAudit(t.Context(), access.AuditQuery{Registry: "reg1"})
		wantErr(t, "ListAudit", err, nil)
		if len(got) != 1 || got[0].Count != 1 {
			t.Fatalf("got %+v, want one entry with count 1", got)
		}
	}},
	{"the filters select by token, time and result, within one registry", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		mustAppend(t, as,
			auditEntry("reg1", "Robot-A", access.AuditSuccess, t0),
			auditEntry("reg1", "robot-b", access.AuditFailure, t0.Add(time.Hour)),
			auditEntry("reg1", "robot-a", access.AuditFailure, t0.Add(2*time.Hour)),
			auditEntry("reg2", "robot-a", access.AuditFailure, t0.Add(3*time.Hour)))
		tests := []struct {
			name string
			q    access.AuditQuery
			want []string
		}{
			{"registry", access.AuditQuery{Registry: "reg1"}, []string{"robot-a", "robot-b", "Robot-A"}},
			{"token, case-insensitively", access.AuditQuery{Registry: "reg1", Token: "ROBOT-a"}, []string{"robot-a", "Robot-A"}},
			{"since, inclusive", access.AuditQuery{Registry: "reg1", Since: t0.Add(time.Hour)}, []string{"robot-a", "robot-b"}},
			{"result", access.AuditQuery{Registry: "reg1", Result: access.AuditSuccess}, []string{"Robot-A"}},
			{"all at once", access.AuditQuery{Registry: "reg1", Token: "robot-a", Result: access.AuditFailure, Since: t0}, []string{"robot-a"}},
		}
		for _, tt := range tests {
			got, err := as.ListAudit(t.Context(), tt.q)
			wantErr(t, tt.name, err, nil)
			wantSame(t, tt.name, auditTokens(got), tt.want)
		}
	}},
	{"pages follow BeforeID to the end", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		for i := range 7 {
			mustAppend(t, as, auditEntry("reg1", fmt.Sprintf("robot-%d", i), access.AuditSuccess, t0))
		}
		var all []string
		q := access.AuditQuery{Registry: "reg1", Limit: 3}
		for i := 0; i < 10; i++ {
			page, err := as.ListAudit(t.Context(), q)
			wantErr(t, "ListAudit", err, nil)
			if len(page) == 0 {
				break
			}
			all = append(all, auditTokens(page)...)
			q.BeforeID = page[len(page)-1].ID
		}
		wantSame(t, "pages", all, []string{"robot-6", "robot-5", "robot-4", "robot-3", "robot-2", "robot-1", "robot-0"})
	}},
	{"pruning deletes only what is older", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		mustAppend(t, as, auditEntry("reg1", "old", access.AuditSuccess, t0.Add(-time.Second)),
			auditEntry("reg1", "edge", access.AuditSuccess, t0), auditEntry("reg2", "older", access.AuditSuccess, t0.Add(-time.Hour)))
		n, err := as.PruneAudit(t.Context(), t0)
		wantErr(t, "PruneAudit", err, nil)
		if n != 2 {
			t.Errorf("pruned %d, want 2", n)
		}
		got, _ := as.ListAudit(t.Context(), access.AuditQuery{Registry: "reg1"})
		wantSame(t, "left", auditTokens(got), []string{"edge"})
	}},
	{"entries outlive their registry", func(t *testing.T, st access.Store) {
		as := auditStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		mustAppend(t, as, auditEntry("reg1", "robot", access.AuditSuccess, t0))
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(t.Context(), "reg1"), nil)
		got, _ := as.ListAudit(t.Context(), access.AuditQuery{Registry: "reg1"})
		wantSame(t, "left", auditTokens(got), []string{"robot"})
	}},
}
