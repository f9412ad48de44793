package arm_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acr "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
)

func TestTokenCRUDThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "tokens1")
	ctx := t.Context()
	pull := registryID("tokens1") + "/scopeMaps/_repositories_pull"
	push := e.createScopeMap(t, "tokens1", "pushers", "repositories/app/content/write", "repositories/app/content/read")

	tok := e.createToken(t, "tokens1", "ci-robot", strings.ToUpper(pull))
	if *tok.ID != registryID("tokens1")+"/tokens/ci-robot" || *tok.Type != "Microsoft.ContainerRegistry/registries/tokens" {
		t.Errorf("id %q type %q", *tok.ID, *tok.Type)
	}
	p := tok.Properties
	if *p.ScopeMapID != pull || *p.Status != acr.TokenStatusEnabled || *p.ProvisioningState != acr.ProvisioningStateSucceeded {
		t.Errorf("scopeMapId %q status %q state %q; want %q, enabled, Succeeded", *p.ScopeMapID, *p.Status, *p.ProvisioningState, pull)
	}
	if p.Credentials == nil || len(p.Credentials.Passwords) != 0 {
		t.Errorf("credentials %+v, want no passwords", p.Credentials)
	}

	up, err := e.tokens.BeginUpdate(ctx, group, "tokens1", "ci-robot", acr.TokenUpdateParameters{
		Properties: &acr.TokenUpdateProperties{ScopeMapID: push.ID, Status: to.Ptr(acr.TokenStatusDisabled)},
	}, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	updated, err := up.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if *updated.Properties.ScopeMapID != *push.ID || *updated.Properties.Status != acr.TokenStatusDisabled {
		t.Errorf("after update: scopeMapId %q status %q", *updated.Properties.ScopeMapID, *updated.Properties.Status)
	}

	list := collect(t, e.tokens.NewListPager(group, "tokens1", nil),
		func(p acr.TokensClientListResponse) []*acr.Token { return p.Value })
	if len(list) != 1 || *list[0].Name != "ci-robot" {
		t.Errorf("list %v, want ci-robot", list)
	}

	del, err := e.tokens.BeginDelete(ctx, group, "tokens1", "ci-robot", nil)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := del.PollUntilDone(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = e.tokens.Get(ctx, group, "tokens1", "ci-robot", nil)
	wantResponseError(t, err, http.StatusNotFound, "ResourceNotFound", "ci-robot")

	_, err = e.tokens.BeginCreate(ctx, group, "tokens1", "lost-robot", acr.Token{
		Properties: &acr.TokenProperties{ScopeMapID: to.Ptr(registryID("tokens1") + "/scopeMaps/no-such-map")},
	}, nil)
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "no-such-map")
}

func TestGenerateCredentialsThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "creds1")
	ctx := t.Context()
	tok := e.createToken(t, "creds1", "ci-robot", registryID("creds1")+"/scopeMaps/_repositories_pull")

	both, err := e.generate(t, "creds1", acr.GenerateCredentialsParameters{TokenID: tok.ID})
	if err != nil {
		t.Fatalf("generate both: %v", err)
	}
	if *both.Username != "ci-robot" || len(both.Passwords) != 2 {
		t.Fatalf("got username %q and %d passwords, want ci-robot and 2", *both.Username, len(both.Passwords))
	}
	for _, p := range both.Passwords {
		if p.Value == nil || !strings.HasPrefix(*p.Value, access.SecretPrefix) {
			t.Errorf("%s: value %v, want a generated secret", *p.Name, p.Value)
		}
		if !p.Expiry.Equal(access.NeverExpires) {
			t.Errorf("%s: expiry %v, want never (%v)", *p.Name, *p.Expiry, access.NeverExpires)
		}
	}
	old1 := both.Passwords[0]

	time.Sleep(2 * time.Millisecond) // a regenerated password gets a later creationTime
	expiry := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	two, err := e.generate(t, "creds1", acr.GenerateCredentialsParameters{
		TokenID: tok.ID, Name: to.Ptr(acr.TokenPasswordNamePassword2), Expiry: &expiry,
	})
	if err != nil {
		t.Fatalf("generate password2: %v", err)
	}
	if len(two.Passwords) != 2 {
		t.Fatalf("got %d passwords, want 2", len(two.Passwords))
	}
	kept, fresh := two.Passwords[0], two.Passwords[1]
	if *kept.Name != "password1" || kept.Value != nil || !kept.CreationTime.Equal(*old1.CreationTime) {
		t.Errorf("password1: name %q value %v creationTime %v; want kept without value, created %v",
			*kept.Name, kept.Value, *kept.CreationTime, *old1.CreationTime)
	}
	if *fresh.Name != "password2" || fresh.Value == nil || *fresh.Value == *both.Passwords[1].Value ||
		!fresh.Expiry.Equal(expiry) || !fresh.CreationTime.After(*old1.CreationTime) {
		t.Errorf("password2: %+v; want a new value expiring %v", fresh, expiry)
	}

	_, err = e.generate(t, "creds1", acr.GenerateCredentialsParameters{TokenID: tok.ID, Expiry: to.Ptr(time.Now().Add(-time.Hour))})
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "in the past")

	_, err = e.generate(t, "creds1", acr.GenerateCredentialsParameters{TokenID: to.Ptr(registryID("creds1") + "/tokens/nobody")})
	wantResponseError(t, err, http.StatusNotFound, "ResourceNotFound", "nobody")

	got, err := e.tokens.Get(ctx, group, "creds1", "ci-robot", nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	for _, p := range got.Properties.Credentials.Passwords {
		if p.Value != nil {
			t.Errorf("GET shows the value of %s", *p.Name)
		}
	}
	for _, path := range []string{"/tokens/ci-robot", "/tokens"} {
		body := decode(t, e.call(t, http.MethodGet, registryID("creds1")+path, "api-version="+apiVer, nil), http.StatusOK, nil)
		for _, secret := range []string{*both.Passwords[0].Value, *fresh.Value, `"value":"oacr_`} {
			if strings.Contains(string(body), secret) {
				t.Errorf("GET %s shows a password value: %s", path, body)
			}
		}
		if !strings.Contains(string(body), `"expiry":"9999-12-31T23:59:59.999999+00:00"`) {
			t.Errorf("GET %s: never-expiring password1 not shown as 9999-12-31T23:59:59.999999+00:00: %s", path, body)
		}
	}
	if strings.Contains(e.logs.String(), *fresh.Value) {
		t.Error("the log contains a password value")
	}
}

func TestPatchPasswordsIsTheListToKeep(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "keep1")
	ctx := t.Context()
	tok := e.createToken(t, "keep1", "ci-robot", registryID("keep1")+"/scopeMaps/_repositories_pull")
	if _, err := e.generate(t, "keep1", acr.GenerateCredentialsParameters{TokenID: tok.ID}); err != nil {
		t.Fatalf("generate: %v", err)
	}
	patch := func(names ...string) (acr.Token, error) {
		pw := []*acr.TokenPassword{}
		for _, n := range names {
			pw = append(pw, &acr.TokenPassword{Name: to.Ptr(acr.TokenPasswordName(n))})
		}
		p, err := e.tokens.BeginUpdate(ctx, group, "keep1", "ci-robot", acr.TokenUpdateParameters{
			Properties: &acr.TokenUpdateProperties{Credentials: &acr.TokenCredentialsProperties{Passwords: pw}},
		}, nil)
		if err != nil {
			return acr.Token{}, err
		}
		res, err := p.PollUntilDone(ctx, nil)
		return res.Token, err
	}

	tk, err := patch("password2")
	if err != nil {
		t.Fatalf("keep password2: %v", err)
	}
	if ps := tk.Properties.Credentials.Passwords; len(ps) != 1 || *ps[0].Name != "password2" {
		t.Errorf("after keeping password2: %v", ps)
	}
	_, err = patch("password1")
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "Password1 credential doesn't exist")

	if tk, err = patch(); err != nil {
		t.Fatalf("keep none: %v", err)
	}
	if ps := tk.Properties.Credentials.Passwords; len(ps) != 0 {
		t.Errorf("after keeping none: %v", ps)
	}
}

func TestTokenPagingAndQuotaThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{PageSize: 2})
	e.createRegistry(t, group, "many1")
	pull := registryID("many1") + "/scopeMaps/_repositories_pull"
	for i := range 99 {
		if _, _, err := e.svc.PutToken(t.Context(), group, "many1", fmt.Sprintf("robot-%03d", i), "_repositories_pull", ""); err != nil {
			t.Fatalf("put token %d: %v", i, err)
		}
	}
	e.createToken(t, "many1", "robot-last", pull)

	tokens := collect(t, e.tokens.NewListPager(group, "many1", nil),
		func(p acr.TokensClientListResponse) []*acr.Token { return p.Value })
	if len(tokens) != 100 {
		t.Errorf("listed %d tokens over pages of 2, want 100", len(tokens))
	}

	_, err := e.tokens.BeginCreate(t.Context(), group, "many1", "one-too-many", acr.Token{
		Properties: &acr.TokenProperties{ScopeMapID: to.Ptr(pull)},
	}, nil)
	wantResponseError(t, err, http.StatusConflict, "QuotaExceeded", "100 tokens")
}
