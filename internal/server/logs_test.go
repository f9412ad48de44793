package server_test

import (
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

func TestRefusalsAreLoggedWithTheirReasonButNoSecret(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "logged", "repositories/app/content/read")
	at := e.accessToken(regA, "logged", pw, "repository:app:pull")

	e.fetchToken(regA, "logged", wrong(pw), "repository:app:pull") // wrong password at the token endpoint
	e.status(basic("logged", wrong(pw)))                           // wrong password on /v2/
	e.generate(regA, "logged", access.Password2, nil)              // revokes at
	e.status(bearer(at))                                           // revoked access token
	e.client(regA, "logged", pw).push("app", "v2")                 // push beyond the scope map
	setStatus(t, e, "logged", access.Disabled)                     //
	e.fetchToken(regA, "logged", pw, "repository:app:pull")        // disabled token

	logs := e.logs.String()
	for _, want := range []string{
		"the password is not a well-formed openacr password",
		"access token minted at generation",
		"needs content/write on repository",
		"token 'logged' is disabled",
		"token=logged",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	for what, secret := range map[string]string{"password": pw, "wrong password": wrong(pw), "access token": at, "JWT signature": at[strings.LastIndex(at, ".")+1:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the %s", what)
		}
	}
}
