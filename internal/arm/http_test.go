package arm_test

import (
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/arm"
)

// refusal is one raw request the API must refuse.
type refusal struct {
	name    string
	method  string
	path    string // relative to the registry "refuse1" unless absolute
	query   string // "" means api-version=apiVer
	body    any
	headers map[string]string // nil means the admin key
	status  int
	code    string
	msg     []string
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "refuse1")
	m := e.createScopeMap(t, "refuse1", "readers", "repositories/app/content/read")
	e.createToken(t, "refuse1", "ci-robot", *m.ID)
	tokenID := registryID("refuse1") + "/tokens/ci-robot"
	huge := `{"properties":{"description":"` + strings.Repeat("x", arm.MaxBodyBytes) + `"}}`
	actions := func(a ...string) map[string]any {
		return map[string]any{"properties": map[string]any{"actions": append([]string{}, a...)}}
	}
	scopeMapID := func(id string) map[string]any { return map[string]any{"properties": map[string]any{"scopeMapId": id}} }

	tests := []refusal{
		{name: "unknown route is 404 in the envelope", method: "GET", path: "/subscriptions/" + sub + "/nothing/here",
			status: 404, code: "NotFound", msg: []string{"/nothing/here"}},
		{name: "unknown child collection is 404", method: "GET", path: "/webhooks",
			status: 404, code: "NotFound"},
		{name: "wrong method on a known path is 405", method: "POST", path: "",
			status: 405, code: "MethodNotAllowed", msg: []string{"POST", "GET", "PUT"}},
		{name: "body over 1 MiB is 413", method: "PATCH", path: "/scopeMaps/readers", body: huge,
			status: 413, code: "RequestEntityTooLarge", msg: []string{"1048576"}},
		{name: "malformed JSON is 400", method: "PUT", path: "/scopeMaps/readers", body: `{"properties":`,
			status: 400, code: "InvalidRequestContent", msg: []string{"not valid JSON"}},
		{name: "empty body is 400", method: "PUT", path: "/scopeMaps/readers", body: "",
			status: 400, code: "InvalidRequestContent", msg: []string{"empty"}},
		{name: "wrong JSON type is 400", method: "PUT", path: "/scopeMaps/readers", body: `{"properties":{"actions":"repositories/a/content/read"}}`,
			status: 400, code: "InvalidRequestContent", msg: []string{"'properties.actions' must be an array, not string"}},
		{name: "body that is not an object is 400", method: "PUT", path: "/scopeMaps/readers", body: `[1]`,
			status: 400, code: "InvalidRequestContent", msg: []string{"must be an object"}},
		{name: "missing api-version", method: "GET", path: "", query: "x=1",
			status: 400, code: "MissingApiVersionParameter", msg: []string{"api-version"}},
		{name: "unsupported api-version lists the supported ones", method: "GET", path: "", query: "api-version=2017-10-01",
			status: 400, code: "InvalidApiVersionParameter", msg: []string{"'2017-10-01'", "2019-05-01-preview", "2023-07-01", "2025-11-01"}},
		{name: "no Authorization header", method: "GET", path: "", headers: map[string]string{},
			status: 401, code: "AuthenticationFailed", msg: []string{"missing"}},
		{name: "wrong admin key", method: "GET", path: "", headers: map[string]string{"Authorization": "Bearer nope"},
			status: 401, code: "AuthenticationFailed", msg: []string{"not valid"}},
		{name: "basic auth instead of bearer", method: "GET", path: "", headers: map[string]string{"Authorization": "Basic YWRtaW46eA=="},
			status: 401, code: "AuthenticationFailed"},
		{name: "unauthenticated unknown route is 401 first", method: "GET", path: "/nowhere", headers: map[string]string{},
			status: 401, code: "AuthenticationFailed"},
		{name: "wrong subscription", method: "GET", path: "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.ContainerRegistry/registries",
			status: 404, code: "SubscriptionNotFound", msg: []string{"11111111-1111-1111-1111-111111111111"}},
		{name: "invalid registry name", method: "GET", path: "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/no_pe",
			status: 400, code: "InvalidResourceName", msg: []string{"'no_pe'", "between 5 and 50"}},
		{name: "invalid resource group name", method: "GET", path: "/subscriptions/" + sub + "/resourceGroups/bad.group./providers/Microsoft.ContainerRegistry/registries",
			status: 400, code: "InvalidResourceName", msg: []string{"bad.group."}},
		{name: "token name with underscore", method: "GET", path: "/tokens/ci_robot",
			status: 400, code: "InvalidResourceName", msg: []string{"'ci_robot'", "hyphens"}},
		{name: "scope map name too short", method: "PUT", path: "/scopeMaps/abc", body: actions("repositories/a/content/read"),
			status: 400, code: "InvalidResourceName", msg: []string{"'abc'"}},
		{name: "token name checked before the registry exists", method: "GET",
			path:   "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/missing1/tokens/a_b",
			status: 400, code: "InvalidResourceName"},
		{name: "unknown registry", method: "GET", path: "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/missing1/tokens",
			status: 404, code: "ResourceNotFound", msg: []string{"missing1"}},
		{name: "registry of another group", method: "GET", path: "/subscriptions/" + sub + "/resourceGroups/other/providers/Microsoft.ContainerRegistry/registries/refuse1",
			status: 404, code: "ResourceNotFound", msg: []string{"other"}},
		{name: "empty resource group", method: "GET", path: "/subscriptions/" + sub + "/resourceGroups/empty/providers/Microsoft.ContainerRegistry/registries",
			status: 404, code: "ResourceGroupNotFound", msg: []string{"'empty'"}},
		{name: "description over 256 characters", method: "PUT", path: "/scopeMaps/readers",
			body:   map[string]any{"properties": map[string]any{"description": strings.Repeat("é", 257), "actions": []string{"repositories/a/content/read"}}},
			status: 400, code: "BadRequest", msg: []string{"257", "256"}},
		{name: "unknown action", method: "PUT", path: "/scopeMaps/readers", body: actions("repositories/app/content/pull"),
			status: 400, code: "BadRequest", msg: []string{"content/pull", "content/read, content/write"}},
		{name: "wildcard in the middle", method: "PUT", path: "/scopeMaps/readers", body: actions("repositories/a/*/b/content/read"),
			status: 400, code: "BadRequest", msg: []string{"a/*/b"}},
		{name: "wildcard not after a slash", method: "PUT", path: "/scopeMaps/readers", body: actions("repositories/team*/content/read"),
			status: 400, code: "BadRequest", msg: []string{"team*"}},
		{name: "no actions", method: "PUT", path: "/scopeMaps/readers", body: actions(),
			status: 400, code: "BadRequest", msg: []string{"at least one action"}},
		{name: "actions missing", method: "PUT", path: "/scopeMaps/readers", body: `{"properties":{}}`,
			status: 400, code: "BadRequest", msg: []string{"properties.actions"}},
		{name: "scopeMapId of another registry", method: "PUT", path: "/tokens/robot-two",
			body:   scopeMapID(registryID("another1") + "/scopeMaps/readers"),
			status: 400, code: "BadRequest", msg: []string{"another1", "same registry"}},
		{name: "scopeMapId of another subscription", method: "PATCH", path: "/tokens/ci-robot",
			body:   scopeMapID(strings.Replace(*m.ID, sub, "11111111-1111-1111-1111-111111111111", 1)),
			status: 400, code: "BadRequest", msg: []string{"same registry"}},
		{name: "malformed scopeMapId", method: "PUT", path: "/tokens/robot-two", body: scopeMapID("readers"),
			status: 400, code: "BadRequest", msg: []string{"'readers'", "not the resource ID of a scope map"}},
		{name: "scopeMapId naming a token", method: "PUT", path: "/tokens/robot-two", body: scopeMapID(tokenID),
			status: 400, code: "BadRequest", msg: []string{"not the resource ID of a scope map"}},
		{name: "token without scope map", method: "PUT", path: "/tokens/robot-two", body: `{"properties":{"status":"enabled"}}`,
			status: 400, code: "BadRequest", msg: []string{"properties.scopeMapId"}},
		{name: "unknown token status", method: "PATCH", path: "/tokens/ci-robot", body: `{"properties":{"status":"paused"}}`,
			status: 400, code: "InvalidRequestContent", msg: []string{"'paused'", "enabled, disabled"}},
		{name: "password with a value", method: "PATCH", path: "/tokens/ci-robot",
			body:   `{"properties":{"credentials":{"passwords":[{"name":"password1","value":"hunter2hunter2"}]}}}`,
			status: 400, code: "BadRequest", msg: []string{"Passwords cannot be set", "generateCredentials"}},
		{name: "unknown password name", method: "PATCH", path: "/tokens/ci-robot",
			body:   `{"properties":{"credentials":{"passwords":[{"name":"password3"}]}}}`,
			status: 400, code: "InvalidRequestContent", msg: []string{"'password3'"}},
		{name: "certificates are refused", method: "PUT", path: "/tokens/robot-two",
			body:   `{"properties":{"scopeMapId":"` + *m.ID + `","credentials":{"certificates":[{"name":"certificate1","encodedPemCertificate":"eA=="}]}}}`,
			status: 400, code: "BadRequest", msg: []string{"certificates are not supported"}},
		{name: "registry without sku", method: "PUT", path: "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/nosku1",
			body: `{"location":"here"}`, status: 400, code: "BadRequest", msg: []string{"sku.name"}},
		{name: "registry without location", method: "PUT", path: "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.ContainerRegistry/registries/noloc1",
			body: `{"sku":{"name":"Basic"}}`, status: 400, code: "BadRequest", msg: []string{"location"}},
		{name: "unknown sku", method: "PATCH", path: "", body: `{"sku":{"name":"Gold"}}`,
			status: 400, code: "InvalidRequestContent", msg: []string{"'Gold'"}},
		{name: "generateCredentials without tokenId", method: "POST", path: "/generateCredentials", body: `{}`,
			status: 400, code: "BadRequest", msg: []string{"tokenId"}},
		{name: "generateCredentials for a token of another registry", method: "POST", path: "/generateCredentials",
			body:   map[string]any{"tokenId": registryID("another1") + "/tokens/ci-robot"},
			status: 400, code: "BadRequest", msg: []string{"another1"}},
		{name: "generateCredentials with a bad expiry", method: "POST", path: "/generateCredentials",
			body:   map[string]any{"tokenId": tokenID, "expiry": "next tuesday"},
			status: 400, code: "InvalidRequestContent", msg: []string{"Input 'next tuesday' is not valid datetime. Valid example: 2025-12-31T12:59:59Z"}},
		{name: "generateCredentials with an unknown password name", method: "POST", path: "/generateCredentials",
			body:   map[string]any{"tokenId": tokenID, "name": "password3"},
			status: 400, code: "InvalidRequestContent", msg: []string{"'password3'", "password1, password2"}},
		{name: "generateCredentials with a past expiry", method: "POST", path: "/generateCredentials",
			body:   map[string]any{"tokenId": tokenID, "expiry": "2020-01-01T00:00:00Z"},
			status: 400, code: "BadRequest", msg: []string{"in the past"}},
		{name: "garbage skipToken", method: "GET", path: "/tokens", query: "api-version=" + apiVer + "&$skipToken=!!!",
			status: 400, code: "BadRequest", msg: []string{"$skipToken"}},
		{name: "PATCH of a missing token", method: "PATCH", path: "/tokens/nobody", body: `{"properties":{"status":"disabled"}}`,
			status: 404, code: "ResourceNotFound", msg: []string{"nobody"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if !strings.HasPrefix(path, "/subscriptions/") {
				path = registryID("refuse1") + path
			}
			query := tt.query
			if query == "" {
				query = "api-version=" + apiVer
			}
			headers := tt.headers
			if headers == nil {
				headers = map[string]string{"Authorization": "Bearer " + adminKey}
			}
			resp := e.do(t, tt.method, path, query, tt.body, headers)
			wantError(t, resp, tt.status, tt.code, tt.msg...)
			if tt.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", resp.Header.Get("WWW-Authenticate"))
			}
			if tt.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
	if strings.Contains(e.logs.String(), adminKey) {
		t.Error("the log contains the admin key")
	}
}
