package server_test

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/server"
)

// TestSecretsAreNeverWrittenDown exercises every path a secret travels
// (generation, rotation, logins that succeed and fail, refresh, Basic,
// refusals, throttling, the management API with right and wrong keys) with
// the server logging at debug level, then looks for each secret in the
// database files, the log, the metrics and the audit log.
func TestSecretsAreNeverWrittenDown(t *testing.T) {
	e := newRegistryEnv(t, func(c *server.Config) { c.LogLevel = "debug"; c.Trust.AuthFailuresPerToken = 2 })
	e.seed(regA, "app")
	secrets := map[string]string{"admin key": e.srv.AdminKey}
	pw1 := e.token(regA, "secretive", "repositories/app/content/read")
	pw2 := e.generate(regA, "secretive", access.Password2, nil)
	secrets["password1"], secrets["password2"] = pw1, pw2

	at := e.accessToken(regA, "secretive", pw1, "repository:app:pull")
	_, tr, _ := e.postToken(url.Values{"grant_type": {"password"}, "username": {"secretive"}, "password": {pw2},
		"service": {loginServer(regA)}, "scope": {"repository:app:pull"}})
	secrets["access token"], secrets["refresh token"] = at, tr.RefreshToken
	e.status(bearer(at))
	e.status(basic("secretive", pw2))
	if code, _, _ := e.postToken(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken},
		"service": {loginServer(regA)}, "scope": {"repository:app:pull"}}); code != 200 {
		t.Fatalf("refresh grant: status %d", code)
	}

	// Rotation: the old password1 is a secret too, now a wrong one.
	old := pw1
	secrets["regenerated password"] = e.generate(regA, "secretive", access.Password1, nil)
	secrets["well-formed wrong password"], secrets["malformed password"] = old, wrong(pw2)
	for range 4 { // past the token's failure budget: throttled refusals are logged too
		e.fetchToken(regA, "secretive", old, "repository:app:pull")
		e.status(basic("secretive", wrong(pw2)))
	}
	e.status(bearer(at)) // revoked by the rotation
	e.raw("GET", loginServer(regA), "/metrics", bearer(e.srv.AdminKey))
	e.raw("GET", loginServer(regA), "/subscriptions/x/providers/Microsoft.ContainerRegistry/registries?api-version=2023-07-01",
		bearer(wrong(e.srv.AdminKey)))
	hashKey, err := os.ReadFile(filepath.Join(e.data, server.HashKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	secrets["password hash key"] = strings.TrimSpace(string(hashKey))
	for _, name := range []string{"access token", "refresh token"} {
		jwt := secrets[name]
		secrets[name+" signature"] = jwt[strings.LastIndex(jwt, ".")+1:]
	}
	metrics := readBody(t, e.raw("GET", loginServer(regA), "/metrics", bearer(e.srv.AdminKey)))
	audit := auditLogText(e)

	e.srv.Close() // flushes what is pending (last use of passwords) into the files
	var db strings.Builder
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, _ := os.ReadFile(filepath.Join(e.data, server.DatabaseFile+suffix))
		db.Write(b)
	}
	places := map[string]string{"database": db.String(), "log": e.logs.String(), "metrics": metrics, "audit log": audit}
	for where, text := range places {
		for what, secret := range secrets {
			if len(secret) < 16 {
				t.Fatalf("%s is suspiciously short: %q", what, secret)
			}
			if strings.Contains(text, secret) || strings.Contains(text, base64.StdEncoding.EncodeToString([]byte("secretive:"+secret))) {
				t.Errorf("the %s contains the %s", where, what)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "token=secretive") || db.Len() == 0 {
		t.Errorf("nothing was logged or stored: the test looked in the wrong places")
	}
}

// auditLogText is the registry's audit log as the management API lists it,
// or "" while the server has none.
func auditLogText(e *registryEnv) string {
	e.t.Helper()
	resp := e.raw("GET", loginServer(regA), "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"+group+
		"/providers/Microsoft.ContainerRegistry/registries/"+regA+"/auditLogs?api-version=2023-07-01", bearer(e.srv.AdminKey))
	if resp.StatusCode != 200 {
		e.t.Logf("no audit log to search (status %d)", resp.StatusCode)
		return ""
	}
	return readBody(e.t, resp)
}
