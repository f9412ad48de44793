package authserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/guard"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/signing"
)

// Authenticator checks a token name and password (access.Service).
type Authenticator interface {
	Authenticate(ctx context.Context, registry, username, secret string) (access.Principal, error)
}

// States gives the live state of a token (access.Cache).
type States interface {
	State(ctx context.Context, registry, token string) (access.TokenState, error)
}

// Keys signs and verifies JWTs (signing.Keys).
type Keys interface {
	Sign(c signing.Claims) (string, error)
	Verify(ctx context.Context, raw, audience string, now time.Time) (signing.Claims, error)
	JWKS() ([]byte, error)
}

// Config says how long JWTs live and which registry a request is for.
type Config struct {
	// Resolve names the registry a token request is for, and its login
	// server: the registry whose login server is service, else the one the
	// request's host routes to. ok is false when there is none.
	Resolve func(ctx context.Context, host, service string) (registry, loginServer string, ok bool)
	// AccessTTL is the lifetime of an access token (default 5 minutes);
	// RefreshTTL that of a refresh token (default 3 hours, as ACR's). Both
	// are capped at the expiry of the password they were minted from.
	AccessTTL, RefreshTTL time.Duration
	// Guard throttles failed logins and hears every decision; nil: none.
	Guard *guard.Guard
	// NoReuse mints every access token afresh instead of handing one out
	// again for a few seconds to the same credential and grant (reuse.go).
	NoReuse bool
}

// Server serves /oauth2/token. It is safe for concurrent use.
type Server struct {
	auth   Authenticator
	states States
	keys   Keys
	cfg    Config
	log    *slog.Logger
	reuse  *reuse

	// Now and Rand are the clock and the randomness (for jti).
	Now  func() time.Time
	Rand io.Reader
}

// New returns a token endpoint.
func New(auth Authenticator, states States, keys Keys, cfg Config, log *slog.Logger) *Server {
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 5 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 3 * time.Hour
	}
	window := min(maxReuse, cfg.AccessTTL/10)
	if cfg.NoReuse {
		window = 0
	}
	return &Server{auth: auth, states: states, keys: keys, cfg: cfg, log: log, reuse: newReuse(window),
		Now: time.Now, Rand: rand.Reader}
}

// maxForm caps a token request's body.
const maxForm = 64 << 10

// request is a parsed token request.
type request struct {
	grantType          string // "password" or "refresh_token"
	username, password string
	refreshToken       string
	service            string
	scopes             []scope.Request
	wantRefresh        bool
}

// response is the token endpoint's answer (Docker token protocol + OAuth2).
type response struct {
	Token        string `json:"token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	IssuedAt     string `json:"issued_at"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Token serves GET and POST /oauth2/token: decode, check the credential,
// grant, mint.
func (s *Server) Token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	req, err := parse(r)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "SIZE_INVALID", fmt.Sprintf("the request body is larger than %d bytes", maxForm))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "UNSUPPORTED", err.Error())
		return
	}
	registry, loginServer, ok := s.cfg.Resolve(ctx, r.Host, req.service)
	if !ok {
		writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "this server has no registry")
		return
	}
	g, err := s.authenticate(ctx, r, registry, loginServer, req)
	var te *throttledError
	if errors.As(err, &te) {
		writeThrottled(w, te)
		return
	}
	var ae *access.AuthError
	if errors.As(err, &ae) {
		s.log.WarnContext(ctx, "token request refused", "registry", registry, "token", g.name(req),
			"grant_type", req.grantType, "reason", ae.Reason, "remote_addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Basic realm="openacr"`)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", ae.Public)
		return
	}
	if err != nil {
		s.log.ErrorContext(ctx, "token request failed", "registry", registry, "grant_type", req.grantType, "err", err)
		writeError(w, http.StatusInternalServerError, "UNKNOWN", "internal error")
		return
	}
	resp, err := s.mint(g, loginServer, req.scopes, req.wantRefresh)
	if err != nil {
		s.log.ErrorContext(ctx, "mint access token", "registry", registry, "token", g.state.Token, "err", err)
		writeError(w, http.StatusInternalServerError, "UNKNOWN", "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(resp)
}

// JWKS serves the public signing keys.
func (s *Server) JWKS(w http.ResponseWriter, r *http.Request) {
	b, err := s.keys.JWKS()
	if err != nil {
		s.log.ErrorContext(r.Context(), "serve JWKS", "err", err)
		writeError(w, http.StatusInternalServerError, "UNKNOWN", "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Write(b)
}

// parse reads a token request: GET with HTTP Basic, or a POST form.
func parse(r *http.Request) (request, error) {
	var req request
	if err := r.ParseForm(); err != nil {
		return req, fmt.Errorf("cannot read the request: %w", err)
	}
	form := r.Form // query and, for POST, the body
	req.service = form.Get("service")
	for _, v := range form["scope"] {
		// OAuth2 clients send one space-separated scope parameter.
		for s := range strings.FieldsSeq(v) {
			sr, err := scope.ParseRequest(s)
			if err != nil {
				return req, err
			}
			req.scopes = append(req.scopes, sr)
		}
	}
	req.wantRefresh = form.Get("offline_token") == "true"
	user, pw, basic := r.BasicAuth()
	if r.Method == http.MethodGet {
		req.grantType, req.username, req.password = "password", user, pw
		return req, nil
	}
	switch req.grantType = form.Get("grant_type"); req.grantType {
	case "password":
		req.username, req.password = form.Get("username"), form.Get("password")
		if req.username == "" && basic {
			req.username, req.password = user, pw
		}
		req.wantRefresh = true
	case "refresh_token":
		req.refreshToken = form.Get("refresh_token")
		if req.refreshToken == "" {
			return req, fmt.Errorf("grant_type=refresh_token needs a refresh_token")
		}
	case "":
		return req, fmt.Errorf("grant_type is required: password or refresh_token")
	default:
		return req, fmt.Errorf("unsupported grant_type %q: use password or refresh_token", req.grantType)
	}
	return req, nil
}

// errorBody is the distribution error format (SPEC §4).
type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Errors: []errorEntry{{Code: code, Message: msg}}})
}
