package signing

import (
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// The two kinds of JWT openacr mints, told apart by the grant_type claim (as
// ACR's own tokens are). The data plane accepts only access tokens; the token
// endpoint's refresh grant only refresh tokens.
const (
	AccessToken  = "access_token"
	RefreshToken = "refresh_token"
)

// ResourceActions is one entry of an access token's access claim, in the
// shape distribution's token verifier reads
// ({"type":"repository","name":"app","actions":["pull"]}).
type ResourceActions struct {
	Type    string   `json:"type"`
	Class   string   `json:"class,omitempty"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// Claims is what an access or refresh token says. Times are truncated to
// seconds on the wire.
type Claims struct {
	ID        string // jti: logged instead of the JWT
	Subject   string // the token name
	Audience  string // the login server of the registry
	IssuedAt  time.Time
	NotBefore time.Time
	Expiry    time.Time

	GrantType string // AccessToken or RefreshToken
	Access    []ResourceActions

	// Registry, Generation and TokenCreated identify the token and its state
	// when the JWT was minted: the data plane refuses a JWT whose token has
	// moved on (a new generation), or was deleted and made again under the
	// same name (another creation time).
	Registry     string
	Generation   int64
	TokenCreated int64 // unix microseconds

	// Password and PasswordCreated, on refresh tokens, name the password the
	// caller logged in with, so that the refresh token dies with it.
	Password        string
	PasswordCreated int64 // unix microseconds
}

// wire is the JSON form of Claims: the registered claims plus ours.
type wire struct {
	jwt.Claims
	GrantType       string            `json:"grant_type"`
	Access          []ResourceActions `json:"access,omitempty"`
	Registry        string            `json:"registry"`
	Generation      int64             `json:"generation"`
	TokenCreated    int64             `json:"token_created"`
	Password        string            `json:"password,omitempty"`
	PasswordCreated int64             `json:"password_created,omitempty"`
}

func (c Claims) wire(issuer string) wire {
	return wire{
		Claims: jwt.Claims{
			Issuer:    issuer,
			Subject:   c.Subject,
			Audience:  jwt.Audience{c.Audience},
			Expiry:    jwt.NewNumericDate(c.Expiry),
			NotBefore: jwt.NewNumericDate(c.NotBefore),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ID:        c.ID,
		},
		GrantType: c.GrantType, Access: c.Access, Registry: c.Registry,
		Generation: c.Generation, TokenCreated: c.TokenCreated,
		Password: c.Password, PasswordCreated: c.PasswordCreated,
	}
}

func (w wire) claims() Claims {
	c := Claims{
		ID: w.ID, Subject: w.Subject,
		IssuedAt: w.IssuedAt.Time(), NotBefore: w.NotBefore.Time(), Expiry: w.Expiry.Time(),
		GrantType: w.GrantType, Access: w.Access, Registry: w.Registry,
		Generation: w.Generation, TokenCreated: w.TokenCreated,
		Password: w.Password, PasswordCreated: w.PasswordCreated,
	}
	if len(w.Audience) == 1 {
		c.Audience = w.Audience[0]
	}
	return c
}
