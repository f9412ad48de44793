package access_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestPolicyEvaluate(t *testing.T) {
	now := start
	in := func(d time.Duration) *time.Time { return ptr(now.Add(d)) }
	day := 24 * time.Hour
	gen := func(expiry *time.Time) access.Operation {
		return access.Operation{Kind: access.OpGenerateCredentials, Token: "MyToken", Expiry: expiry}
	}
	write := access.Operation{Kind: access.OpWriteToken, Token: "MyToken"}
	max90 := access.Policy{Registry: "reg1", MaxPasswordLifetimeDays: 90}
	strict := access.Policy{Registry: "reg1", RequireExpiry: true, RequireChangeReference: true, RequirePolicyToken: true}

	tests := []struct {
		name   string
		policy access.Policy
		op     access.Operation
		ch     access.Change
		want   []string // substrings of the refusal; none means allowed
	}{
		{"no policy allows a password that never expires", access.Policy{Registry: "reg1"}, gen(nil), access.Change{}, nil},
		{"a lifetime within the maximum is allowed", max90, gen(in(30 * day)), access.Change{}, nil},
		{"exactly the maximum is allowed", max90, gen(in(90 * day)), access.Change{}, nil},
		{"the maximum computed on a client a little ahead is allowed", max90, gen(in(90*day + time.Minute)), access.Change{}, nil},
		{"a lifetime beyond the maximum names the policy and both numbers", max90, gen(in(400 * day)), access.Change{},
			[]string{"Password lifetime of 400 days exceeds the maximum of 90 days set by policy 'maxPasswordLifetimeDays' of registry 'reg1'"}},
		{"a day too many is refused", max90, gen(in(91 * day)), access.Change{}, []string{"91 days", "maxPasswordLifetimeDays"}},
		{"a password that never expires exceeds any maximum", max90, gen(nil), access.Change{},
			[]string{"never expires exceeds the maximum lifetime of 90 days", "maxPasswordLifetimeDays"}},
		{"the lifetime policy does not judge token writes", max90, write, access.Change{}, nil},
		{"required expiry refuses a password that never expires", access.Policy{Registry: "reg1", RequireExpiry: true}, gen(nil), access.Change{},
			[]string{"policy 'requireExpiry' of registry 'reg1'"}},
		{"required expiry allows an expiry", access.Policy{Registry: "reg1", RequireExpiry: true}, gen(in(day)), access.Change{}, nil},
		{"every refusing policy is named", strict, gen(nil), access.Change{},
			[]string{"'requireExpiry'", "'requireChangeReference'", "'requirePolicyToken'"}},
		{"a change reference of blanks is no change reference", strict, write, access.Change{Reference: "  ", PolicyToken: true},
			[]string{"'requireChangeReference'"}},
		{"a change reference and a policy token satisfy the strict policy", strict, write,
			access.Change{Reference: "CHG-1", PolicyToken: true}, nil},
		{"deleting a token needs the policy token too", strict, access.Operation{Kind: access.OpDeleteToken, Token: "MyToken"},
			access.Change{Reference: "CHG-1"}, []string{"'requirePolicyToken'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Evaluate(tt.op, tt.ch, now)
			if len(tt.want) == 0 {
				wantKind(t, err, nil, "")
				return
			}
			for _, w := range tt.want {
				wantKind(t, err, access.ErrDisallowedByPolicy, w)
			}
		})
	}
}

func TestServiceEnforcesPolicies(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "policyreg")
	ctx := t.Context()
	day := 24 * time.Hour
	set := func(t *testing.T, fn func(*access.Policy)) access.Policy {
		t.Helper()
		p, err := e.svc.UpdatePolicy(ctx, group, "policyreg", fn)
		if err != nil {
			t.Fatalf("UpdatePolicy: %v", err)
		}
		return p
	}

	t.Run("a registry starts with every policy off", func(t *testing.T) {
		p, err := e.svc.GetPolicy(ctx, group, "POLICYREG")
		if err != nil || p != (access.Policy{Registry: "policyreg"}) {
			t.Errorf("got %+v, %v; want the zero policy of reg1", p, err)
		}
	})
	t.Run("an update is read back", func(t *testing.T) {
		want := set(t, func(p *access.Policy) { p.MaxPasswordLifetimeDays, p.RequireExpiry = 90, true })
		got, err := e.svc.GetPolicy(ctx, group, "policyreg")
		if err != nil || got != want || !got.Modified.Equal(start.Truncate(time.Microsecond)) {
			t.Errorf("got %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("generateCredentials beyond the maximum is refused and changes nothing", func(t *testing.T) {
		before := e.getToken(t, "policyreg", "MyToken")
		_, err := e.svc.GenerateCredentials(ctx, group, "policyreg", "MyToken", "password1", ptr(start.Add(400*day)))
		wantKind(t, err, access.ErrDisallowedByPolicy, "Password lifetime of 400 days exceeds the maximum of 90 days set by policy 'maxPasswordLifetimeDays' of registry 'policyreg'")
		if after := e.getToken(t, "policyreg", "MyToken"); after.Generation != before.Generation {
			t.Errorf("generation %d -> %d after a refused generation", before.Generation, after.Generation)
		}
	})
	t.Run("generateCredentials within the maximum is allowed", func(t *testing.T) {
		e.generate(t, "policyreg", "MyToken", "password1", ptr(start.Add(30*day)))
	})
	t.Run("a required change reference comes from the context", func(t *testing.T) {
		set(t, func(p *access.Policy) { p.RequireChangeReference = true })
		_, err := e.svc.GenerateCredentials(ctx, group, "policyreg", "MyToken", "password1", ptr(start.Add(day)))
		wantKind(t, err, access.ErrDisallowedByPolicy, "'requireChangeReference'")
		withRef := access.WithChange(ctx, access.Change{Reference: "CHG-1"})
		if _, err := e.svc.GenerateCredentials(withRef, group, "policyreg", "MyToken", "password1", ptr(start.Add(day))); err != nil {
			t.Errorf("with a change reference: %v", err)
		}
	})
	t.Run("token writes and deletes obey the policy", func(t *testing.T) {
		set(t, func(p *access.Policy) { p.RequirePolicyToken = true })
		withRef := access.WithChange(ctx, access.Change{Reference: "CHG-2"})
		_, _, err := e.svc.PutToken(withRef, group, "policyreg", "NewToken", "reader", access.Enabled)
		wantKind(t, err, access.ErrDisallowedByPolicy, "'requirePolicyToken'")
		_, err = e.svc.UpdateToken(withRef, group, "policyreg", "MyToken", access.TokenUpdate{Status: ptr(access.Disabled)})
		wantKind(t, err, access.ErrDisallowedByPolicy, "'requirePolicyToken'")
		err = e.svc.DeleteToken(withRef, group, "policyreg", "MyToken")
		wantKind(t, err, access.ErrDisallowedByPolicy, "'requirePolicyToken'")
		covered := access.WithChange(ctx, access.Change{Reference: "CHG-2", PolicyToken: true})
		if _, _, err := e.svc.PutToken(covered, group, "policyreg", "NewToken", "reader", access.Enabled); err != nil {
			t.Errorf("with a policy token: %v", err)
		}
	})
	t.Run("EvaluatePolicy judges without changing anything", func(t *testing.T) {
		op := access.Operation{Kind: access.OpDeleteToken, Token: "MyToken"}
		wantKind(t, e.svc.EvaluatePolicy(ctx, group, "policyreg", op), access.ErrDisallowedByPolicy, "'requireChangeReference'")
		ok := access.WithChange(ctx, access.Change{Reference: "CHG-3", PolicyToken: true})
		wantKind(t, e.svc.EvaluatePolicy(ok, group, "policyreg", op), nil, "")
		e.getToken(t, "policyreg", "MyToken")
	})
	t.Run("invalid values are refused", func(t *testing.T) {
		for _, days := range []int{-1, access.MaxPolicyLifetimeDays + 1} {
			_, err := e.svc.UpdatePolicy(ctx, group, "policyreg", func(p *access.Policy) { p.MaxPasswordLifetimeDays = days })
			wantKind(t, err, access.ErrInvalid, "maxPasswordLifetimeDays")
		}
		if p, _ := e.svc.GetPolicy(ctx, group, "policyreg"); p.MaxPasswordLifetimeDays != 90 {
			t.Errorf("a refused update changed the policy: %+v", p)
		}
	})
	t.Run("a policy of a missing registry is not found", func(t *testing.T) {
		_, err := e.svc.GetPolicy(ctx, group, "nosuchreg")
		wantKind(t, err, access.ErrNotFound, "nosuchreg")
		_, err = e.svc.UpdatePolicy(ctx, group, "nosuchreg", func(*access.Policy) {})
		wantKind(t, err, access.ErrNotFound, "nosuchreg")
	})
	t.Run("deleting the registry deletes its policy", func(t *testing.T) {
		if err := e.svc.DeleteRegistry(ctx, group, "policyreg"); err != nil {
			t.Fatal(err)
		}
		e.registry(t, "policyreg")
		if p, err := e.svc.GetPolicy(ctx, group, "policyreg"); err != nil || p.RequirePolicyToken || p.MaxPasswordLifetimeDays != 0 {
			t.Errorf("a new registry of the same name got %+v, %v", p, err)
		}
	})
}

func TestChangeReferenceValidation(t *testing.T) {
	tests := []struct {
		name, ref string
		ok        bool
	}{
		{"empty", "", true},
		{"a ticket id", "CHG-0001234", true},
		{"the maximum length", strings.Repeat("x", access.MaxChangeReference), true},
		{"too long", strings.Repeat("x", access.MaxChangeReference+1), false},
		{"a newline could forge log lines", "CHG-1\nresult=success", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := access.ValidateChangeReference(tt.ref); (err == nil) != tt.ok {
				t.Errorf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestChangeTravelsInTheContext(t *testing.T) {
	if got := access.ChangeFrom(context.Background()); got != (access.Change{}) {
		t.Errorf("empty context: got %+v", got)
	}
	want := access.Change{Actor: "admin", Reference: "CHG-1", PolicyToken: true, ClientAddress: "192.0.2.1"}
	if got := access.ChangeFrom(access.WithChange(context.Background(), want)); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
