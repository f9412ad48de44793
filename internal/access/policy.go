package access

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrDisallowedByPolicy is the kind of an operation a registry's credential
// policies refuse. Its message names every policy that refused.
var ErrDisallowedByPolicy = errors.New("disallowed by policy")

// The names of the credential policies, as the API and messages spell them.
const (
	PolicyMaxPasswordLifetimeDays = "maxPasswordLifetimeDays"
	PolicyRequireExpiry           = "requireExpiry"
	PolicyRequireChangeReference  = "requireChangeReference"
	PolicyRequirePolicyToken      = "requirePolicyToken"
)

// MaxPolicyLifetimeDays bounds MaxPasswordLifetimeDays (a century).
const MaxPolicyLifetimeDays = 36500

// lifetimeTolerance absorbs the clock difference between the client that
// computed "now + N days" and the server that checks it, so that
// --expiration-in-days N passes a policy of N days.
const lifetimeTolerance = 5 * time.Minute

// MaxChangeReference is the longest change reference, in bytes.
const MaxChangeReference = 256

// Policy is the set of credential policies of one registry. The zero value
// (every policy off) is the policy of a registry that never set one.
type Policy struct {
	Registry string
	// MaxPasswordLifetimeDays caps the lifetime of a generated password;
	// 0 means no maximum. A password that never expires exceeds any maximum.
	MaxPasswordLifetimeDays int
	// RequireExpiry refuses passwords that never expire.
	RequireExpiry bool
	// RequireChangeReference refuses credential operations that carry no
	// change reference.
	RequireChangeReference bool
	// RequirePolicyToken refuses credential operations that do not carry a
	// policy token issued for exactly that operation.
	RequirePolicyToken bool
	Modified           time.Time // zero until the policy is first set
}

// PolicyStore keeps credential policies. A Store that also implements it
// gives the Service policies; without it every operation is allowed.
type PolicyStore interface {
	// GetPolicy returns the policy of registry, or an error wrapping
	// ErrNotFound when none was ever set.
	GetPolicy(ctx context.Context, registry string) (Policy, error)
	// UpdatePolicy runs fn on the current policy (the zero Policy with
	// Registry set when none was set) and stores its result in one
	// transaction. A missing registry is ErrNotFound.
	UpdatePolicy(ctx context.Context, registry string, fn func(*Policy) error) (Policy, error)
}

// OperationKind names a credential operation, the operations policies judge.
type OperationKind string

// The credential operations: everything that creates, changes or deletes a
// token or its passwords.
const (
	OpGenerateCredentials OperationKind = "generateCredentials"
	OpWriteToken          OperationKind = "writeToken"
	OpDeleteToken         OperationKind = "deleteToken"
)

// Operation is a credential operation as the policies see it.
type Operation struct {
	Kind  OperationKind
	Token string
	// Expiry is the expiry of the passwords OpGenerateCredentials would
	// generate; nil means they would never expire.
	Expiry *time.Time
}

// Change is what the caller of a management operation says about it: who
// it is, why it acts, and whether a policy token issued for exactly this
// operation came with it. The API puts it in the request's context.
type Change struct {
	Actor         string
	Reference     string // the change reference, "" when none was given
	PolicyToken   bool   // a verified policy token for this very operation came with it
	ClientAddress string
}

type changeKey struct{}

// WithChange returns ctx carrying c.
func WithChange(ctx context.Context, c Change) context.Context {
	return context.WithValue(ctx, changeKey{}, c)
}

// ChangeFrom returns the Change ctx carries, or the zero Change.
func ChangeFrom(ctx context.Context) Change {
	c, _ := ctx.Value(changeKey{}).(Change)
	return c
}

// Evaluate judges op, made with ch at time now, against p. It returns nil
// or an *Error of kind ErrDisallowedByPolicy whose message names every
// policy that refuses, in a fixed order.
func (p Policy) Evaluate(op Operation, ch Change, now time.Time) error {
	var msgs []string
	if op.Kind == OpGenerateCredentials {
		msgs = append(msgs, p.expiryViolations(op.Expiry, now)...)
	}
	if p.RequireChangeReference && strings.TrimSpace(ch.Reference) == "" {
		msgs = append(msgs, fmt.Sprintf("A change reference is required by policy '%s' of registry '%s': give one with --change-reference.",
			PolicyRequireChangeReference, p.Registry))
	}
	if p.RequirePolicyToken && !ch.PolicyToken {
		msgs = append(msgs, fmt.Sprintf("A policy token issued for this operation is required by policy '%s' of registry '%s': acquire one with --acquire-policy-token.",
			PolicyRequirePolicyToken, p.Registry))
	}
	if len(msgs) == 0 {
		return nil
	}
	return errorf(ErrDisallowedByPolicy, "%s", strings.Join(msgs, " "))
}

func (p Policy) expiryViolations(expiry *time.Time, now time.Time) []string {
	var msgs []string
	if expiry == nil && p.RequireExpiry {
		msgs = append(msgs, fmt.Sprintf("A password that never expires is refused by policy '%s' of registry '%s': give --expiration or --expiration-in-days.",
			PolicyRequireExpiry, p.Registry))
	}
	if p.MaxPasswordLifetimeDays <= 0 {
		return msgs
	}
	limit := time.Duration(p.MaxPasswordLifetimeDays) * 24 * time.Hour
	switch {
	case expiry == nil:
		msgs = append(msgs, fmt.Sprintf("A password that never expires exceeds the maximum lifetime of %d days set by policy '%s' of registry '%s'.",
			p.MaxPasswordLifetimeDays, PolicyMaxPasswordLifetimeDays, p.Registry))
	case expiry.Sub(now) > limit+lifetimeTolerance:
		days := math.Round(expiry.Sub(now).Hours() / 24)
		msgs = append(msgs, fmt.Sprintf("Password lifetime of %.0f days exceeds the maximum of %d days set by policy '%s' of registry '%s'.",
			days, p.MaxPasswordLifetimeDays, PolicyMaxPasswordLifetimeDays, p.Registry))
	}
	return msgs
}

// validate checks the values of a policy about to be stored.
func (p Policy) validate() error {
	if p.MaxPasswordLifetimeDays < 0 || p.MaxPasswordLifetimeDays > MaxPolicyLifetimeDays {
		return errorf(ErrInvalid, "The value %d of '%s' is not valid: give a number of days from 1 to %d, or 0 for no maximum.",
			p.MaxPasswordLifetimeDays, PolicyMaxPasswordLifetimeDays, MaxPolicyLifetimeDays)
	}
	return nil
}

// ValidateChangeReference checks a change reference given by a client.
func ValidateChangeReference(ref string) error {
	if len(ref) > MaxChangeReference {
		return errorf(ErrInvalid, "The change reference is %d bytes long; at most %d are allowed.", len(ref), MaxChangeReference)
	}
	for _, r := range ref {
		if r < 0x20 || r == 0x7f {
			return errorf(ErrInvalid, "The change reference may not contain control characters.")
		}
	}
	return nil
}

func (s *Service) policyStore() (PolicyStore, bool) {
	ps, ok := s.store.(PolicyStore)
	return ps, ok
}

// policy returns the policy of registry r; the zero Policy when none is set
// or the store keeps none.
func (s *Service) policy(ctx context.Context, r Registry) (Policy, error) {
	ps, ok := s.policyStore()
	if !ok {
		return Policy{Registry: r.Name}, nil
	}
	p, err := ps.GetPolicy(ctx, r.Name)
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, errors.ErrUnsupported):
		return Policy{Registry: r.Name}, nil
	case err != nil:
		return Policy{}, fmt.Errorf("get credential policy of registry %q: %w", r.Name, err)
	}
	return p, nil
}

// GetPolicy returns the credential policy of a registry of group ("" = any).
func (s *Service) GetPolicy(ctx context.Context, group, registry string) (Policy, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, r)
}

// UpdatePolicy changes the credential policy of a registry atomically: fn
// gets the current policy and edits it.
func (s *Service) UpdatePolicy(ctx context.Context, group, registry string, fn func(*Policy)) (Policy, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Policy{}, err
	}
	ps, ok := s.policyStore()
	if !ok {
		return Policy{}, fmt.Errorf("update credential policy of registry %q: %w", r.Name, errors.ErrUnsupported)
	}
	p, err := ps.UpdatePolicy(ctx, r.Name, func(p *Policy) error {
		fn(p)
		p.Registry, p.Modified = r.Name, s.now()
		return p.validate()
	})
	var e *Error
	switch {
	case errors.As(err, &e):
		return Policy{}, e
	case err != nil:
		return Policy{}, fmt.Errorf("update credential policy of registry %q: %w", r.Name, err)
	}
	s.log.InfoContext(ctx, "credential policy updated", "registry", r.Name, "max_password_lifetime_days", p.MaxPasswordLifetimeDays,
		"require_expiry", p.RequireExpiry, "require_change_reference", p.RequireChangeReference, "require_policy_token", p.RequirePolicyToken)
	return p, nil
}

// EvaluatePolicy judges op on a registry of group against its credential
// policy, with the Change that ctx carries. It is what acquirePolicyToken
// asks before it issues a policy token; the operation itself is judged
// again when it runs.
func (s *Service) EvaluatePolicy(ctx context.Context, group, registry string, op Operation) error {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return err
	}
	return s.enforce(ctx, r, op)
}

// enforce refuses op on r when r's policy does, judging the Change that ctx
// carries. Every credential operation of the Service calls it, so no
// caller can skip the policies.
func (s *Service) enforce(ctx context.Context, r Registry, op Operation) error {
	p, err := s.policy(ctx, r)
	if err != nil {
		return err
	}
	if err := p.Evaluate(op, ChangeFrom(ctx), s.now()); err != nil {
		s.log.InfoContext(ctx, "credential operation refused by policy", "registry", r.Name, "token", op.Token,
			"operation", string(op.Kind), "reason", err.Error())
		return err
	}
	return nil
}
