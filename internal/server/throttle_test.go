package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/server"
)

// limits configures the failure budgets per minute of a test server.
func limits(perAddress, perToken int) func(*server.Config) {
	return func(c *server.Config) {
		c.Trust.AuthFailuresPerAddress, c.Trust.AuthFailuresPerToken = perAddress, perToken
		c.Trust.AuthFailureWindow = time.Minute
	}
}

// attempt is one authentication at the token endpoint or with Basic on
// /v2/; it returns the status and the Retry-After header.
type attempt func(e *registryEnv, user, pw string) (int, string)

func atTokenEndpoint(e *registryEnv, user, pw string) (int, string) {
	resp, _ := e.fetchToken(regA, user, pw, "repository:app:pull")
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func withBasic(e *registryEnv, user, pw string) (int, string) {
	resp := e.raw("GET", loginServer(regA), "/v2/app/manifests/v1", basic(user, pw))
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// codes makes n attempts and returns their statuses.
func codes(e *registryEnv, try attempt, user, pw string, n int) []int {
	var out []int
	for range n {
		code, _ := try(e, user, pw)
		out = append(out, code)
	}
	return out
}

func wantCodes(t *testing.T, what string, got []int, want ...int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

func TestFailedAuthenticationsAreThrottled(t *testing.T) {
	for _, p := range []struct {
		name string
		try  attempt
	}{{"token endpoint", atTokenEndpoint}, {"Basic on /v2/", withBasic}} {
		t.Run(p.name, func(t *testing.T) {
			t.Run("an address past its budget gets 429 and Retry-After", func(t *testing.T) {
				e := newRegistryEnv(t, limits(3, 0))
				e.seed(regA, "app")
				pw := e.token(regA, "ci-token", "repositories/app/content/read")
				wantCodes(t, "a working client", codes(e, p.try, "ci-token", pw, 20), repeat(200, 20)...)
				wantCodes(t, "three failures, then throttled", codes(e, p.try, "ci-token", wrong(pw), 5), 401, 401, 401, 429, 429)
				if code, after := p.try(e, "ci-token", wrong(pw)); code != 429 || after != "20" {
					t.Errorf("got %d with Retry-After %q, want 429 with 20 (3 per minute)", code, after)
				}
				wantCodes(t, "the password that worked before still works", codes(e, p.try, "ci-token", pw, 1), 200)
				other := e.token(regA, "newcomer", "repositories/app/content/read")
				wantCodes(t, "a password new to the address waits", codes(e, p.try, "newcomer", other, 1), 429)
				e.clock.Advance(20 * time.Second)
				wantCodes(t, "one failure back after 20 s", codes(e, p.try, "ci-token", wrong(pw), 2), 401, 429)
			})
			t.Run("a token name past its budget answers failures with 429 but not the right password", func(t *testing.T) {
				e := newRegistryEnv(t, limits(0, 2))
				e.seed(regA, "app")
				pw := e.token(regA, "ci-token", "repositories/app/content/read")
				wantCodes(t, "failures", codes(e, p.try, "ci-token", wrong(pw), 4), 401, 401, 429, 429)
				wantCodes(t, "the right password", codes(e, p.try, "ci-token", pw, 1), 200)
				wantCodes(t, "another token", codes(e, p.try, "other-token", wrong(pw), 1), 401)
			})
		})
	}
}

func TestRequestsWithoutCredentialsSpendNoBudget(t *testing.T) {
	e := newRegistryEnv(t, limits(0, 2))
	for range 5 {
		resp := e.raw("GET", loginServer(regA), "/oauth2/token?service="+loginServer(regA), nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous token request: status %d, want 401", resp.StatusCode)
		}
	}
}

func repeat(code, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = code
	}
	return out
}
