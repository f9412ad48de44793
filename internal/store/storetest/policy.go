package storetest

import (
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// policyStore returns st as an access.PolicyStore, skipping the test for a
// store that keeps no policies (the interface is optional).
func policyStore(t *testing.T, st access.Store) access.PolicyStore {
	t.Helper()
	ps, ok := st.(access.PolicyStore)
	if !ok {
		t.Skipf("%T keeps no credential policies", st)
	}
	return ps
}

var policyTests = []test{
	{"a registry without a policy has none", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		_, err := ps.GetPolicy(t.Context(), "reg1")
		wantErr(t, "GetPolicy", err, access.ErrNotFound)
	}},
	{"an update starts from the zero policy and is read back exactly", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		want := access.Policy{Registry: "reg1", MaxPasswordLifetimeDays: 90, RequireExpiry: true,
			RequireChangeReference: true, RequirePolicyToken: true, Modified: t0}
		got, err := ps.UpdatePolicy(t.Context(), "REG1", func(p *access.Policy) error {
			wantSame(t, "policy given to fn", *p, access.Policy{Registry: "reg1"})
			*p = want
			return nil
		})
		wantErr(t, "UpdatePolicy", err, nil)
		wantSame(t, "updated policy", got, want)
		got, err = ps.GetPolicy(t.Context(), "Reg1")
		wantErr(t, "GetPolicy", err, nil)
		wantSame(t, "stored policy", got, want)
	}},
	{"a second update sees the first", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		ps.UpdatePolicy(t.Context(), "reg1", func(p *access.Policy) error { p.MaxPasswordLifetimeDays = 30; return nil })
		got, err := ps.UpdatePolicy(t.Context(), "reg1", func(p *access.Policy) error { p.RequireExpiry = true; return nil })
		wantErr(t, "UpdatePolicy", err, nil)
		if got.MaxPasswordLifetimeDays != 30 || !got.RequireExpiry {
			t.Errorf("got %+v, want both updates", got)
		}
	}},
	{"an update fn's error is returned and nothing is written", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		_, err := ps.UpdatePolicy(t.Context(), "reg1", func(p *access.Policy) error { p.RequireExpiry = true; return errFn })
		if err == nil {
			t.Fatal("UpdatePolicy: got no error, want fn's")
		}
		_, err = ps.GetPolicy(t.Context(), "reg1")
		wantErr(t, "GetPolicy after a failed update", err, access.ErrNotFound)
	}},
	{"the policy of a missing registry cannot be set", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		_, err := ps.UpdatePolicy(t.Context(), "nosuchreg", func(*access.Policy) error { return nil })
		wantErr(t, "UpdatePolicy", err, access.ErrNotFound)
	}},
	{"deleting a registry deletes its policy", func(t *testing.T, st access.Store) {
		ps := policyStore(t, st)
		mustCreateRegistry(t, st, "reg1")
		ps.UpdatePolicy(t.Context(), "reg1", func(p *access.Policy) error { p.RequireExpiry = true; return nil })
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(t.Context(), "reg1"), nil)
		mustCreateRegistry(t, st, "reg1")
		_, err := ps.GetPolicy(t.Context(), "reg1")
		wantErr(t, "GetPolicy", err, access.ErrNotFound)
	}},
}
