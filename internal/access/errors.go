package access

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Stores wrap them with the operation; the Service returns
// *Error values whose Kind is one of them and whose message is fit for a
// client. Each API maps them to a status in one place.
var (
	ErrNotFound      = errors.New("not found")
	ErrExists        = errors.New("already exists")
	ErrInvalidName   = errors.New("invalid resource name")
	ErrInvalid       = errors.New("invalid request")
	ErrQuotaExceeded = errors.New("quota exceeded")
	ErrInUse         = errors.New("in use")
	ErrImmutable     = errors.New("immutable")
	// ErrUnauthorized is the kind of every failed authentication.
	ErrUnauthorized = errors.New("unauthorized")
)

// Error is a refusal with a message that can be shown to the caller as is.
type Error struct {
	Kind error  // one of the sentinels
	Msg  string // for the caller; never contains a secret
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// InUseError refuses to delete a scope map that tokens still use.
type InUseError struct {
	ScopeMap string
	Tokens   []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("The scope map '%s' cannot be deleted because it is used by token(s): %s. Assign another scope map to them or delete them first.",
		e.ScopeMap, strings.Join(e.Tokens, ", "))
}
func (e *InUseError) Unwrap() error { return ErrInUse }

// AuthError is a refused authentication. Public is what the client is told;
// Reason is the precise cause for the log and the audit trail.
type AuthError struct {
	Public string
	Reason string
	// Class is the kind of refusal, one of the Class constants; "" is
	// ClassBadCredentials.
	Class string
}

// Classes of refused authentications, a small fixed vocabulary for metrics
// and the audit log.
const (
	// ClassBadCredentials: a wrong or unknown name or secret, the refusal
	// with the generic message.
	ClassBadCredentials = "bad_credentials"
	ClassExpired        = "expired"  // the right secret of an expired password
	ClassDisabled       = "disabled" // the right secret of a disabled token
	// ClassRevoked: a credential derived from a password (a refresh token)
	// that has been regenerated, deleted or changed since.
	ClassRevoked = "revoked"
)

// ClassOf returns the class of a refusal: e's Class, or ClassBadCredentials.
func (e *AuthError) ClassOf() string {
	if e.Class == "" {
		return ClassBadCredentials
	}
	return e.Class
}

func (e *AuthError) Error() string { return e.Public }
func (e *AuthError) Unwrap() error { return ErrUnauthorized }

// GenericAuthFailure is the one message every wrong secret gets.
const GenericAuthFailure = "authentication required: invalid username or password"
