package arm_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/arm"
)

func TestStatusCodesOfWrites(t *testing.T) {
	e := newEnv(t, arm.Config{})
	q := "api-version=2025-11-01"
	reg := registryID("codes1")
	body := `{"location":"westeurope","sku":{"name":"standard"}}`
	steps := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"PUT creating a registry is 201", "PUT", reg, body, 201},
		{"PUT over an existing registry is 200", "PUT", reg, body, 200},
		{"PUT creating a scope map is 201", "PUT", reg + "/scopeMaps/readers", `{"properties":{"actions":["repositories/a/content/read"]}}`, 201},
		{"PUT over an existing scope map is 200", "PUT", reg + "/scopeMaps/readers", `{"properties":{"actions":["repositories/b/content/read"]}}`, 200},
		{"PUT creating a token is 201", "PUT", reg + "/tokens/robot", `{"properties":{"scopeMapId":"` + reg + `/scopeMaps/readers"}}`, 201},
		{"PUT over an existing token is 200", "PUT", reg + "/tokens/robot", `{"properties":{"scopeMapId":"` + reg + `/scopeMaps/readers","status":"disabled"}}`, 200},
		{"DELETE of a token is 200", "DELETE", reg + "/tokens/robot", nil, 200},
		{"DELETE of a missing token is 204", "DELETE", reg + "/tokens/robot", nil, 204},
		{"DELETE of a scope map is 200", "DELETE", reg + "/scopeMaps/readers", nil, 200},
		{"DELETE of a missing scope map is 204", "DELETE", reg + "/scopeMaps/readers", nil, 204},
		{"DELETE of a registry is 200", "DELETE", reg, nil, 200},
		{"DELETE of a missing registry is 204", "DELETE", reg, nil, 204},
	}
	for _, s := range steps {
		resp := e.call(t, s.method, s.path, q, s.body)
		var v map[string]any
		if s.status == 204 || s.method == "DELETE" {
			decode(t, resp, s.status, nil)
			continue
		}
		decode(t, resp, s.status, &v)
		props, _ := v["properties"].(map[string]any)
		if props["provisioningState"] != "Succeeded" {
			t.Errorf("%s: provisioningState %v, want Succeeded", s.name, props["provisioningState"])
		}
		for _, h := range []string{"Location", "Azure-AsyncOperation"} {
			if resp.Header.Get(h) != "" {
				t.Errorf("%s: %s header set on a synchronous completion", s.name, h)
			}
		}
	}
}

func TestWireDetails(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, "My-Group", "wire1")
	reg := "/subscriptions/" + sub + "/resourceGroups/My-Group/providers/Microsoft.ContainerRegistry/registries/wire1"

	t.Run("api-supported-versions header lists the versions", func(t *testing.T) {
		resp := e.call(t, "GET", reg, "api-version=2020-11-01-preview", nil)
		decode(t, resp, 200, nil)
		if h := resp.Header.Get("api-supported-versions"); !strings.Contains(h, "2020-11-01-preview") || !strings.Contains(h, "2026-01-01-preview") {
			t.Errorf("api-supported-versions %q", h)
		}
	})
	t.Run("fixed path segments are case-insensitive", func(t *testing.T) {
		lower := strings.ToLower(reg) + "/scopemaps"
		var page struct{ Value []map[string]any }
		decode(t, e.call(t, "GET", lower, "api-version="+apiVer, nil), 200, &page)
		if len(page.Value) != 5 {
			t.Errorf("got %d scope maps, want the 5 system ones", len(page.Value))
		}
		if id := page.Value[0]["id"].(string); !strings.HasPrefix(id, reg+"/scopeMaps/") {
			t.Errorf("id %q, want it spelt as stored (%s/scopeMaps/...)", id, reg)
		}
	})
	t.Run("group listing ignores the group's case", func(t *testing.T) {
		var page struct{ Value []map[string]any }
		decode(t, e.call(t, "GET", "/subscriptions/"+sub+"/resourceGroups/my-group/providers/Microsoft.ContainerRegistry/registries",
			"api-version="+apiVer, nil), 200, &page)
		if len(page.Value) != 1 || page.Value[0]["id"] != reg {
			t.Errorf("got %v, want wire1 with id %s", page.Value, reg)
		}
	})
	t.Run("timestamps are UTC with +00:00", func(t *testing.T) {
		var r struct {
			Properties struct{ CreationDate string }
			SystemData struct{ CreatedAt, LastModifiedAt string }
		}
		decode(t, e.call(t, "GET", reg, "api-version="+apiVer, nil), 200, &r)
		for _, ts := range []string{r.Properties.CreationDate, r.SystemData.CreatedAt, r.SystemData.LastModifiedAt} {
			if !strings.HasSuffix(ts, "+00:00") {
				t.Errorf("timestamp %q, want a +00:00 offset", ts)
			}
			if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
				t.Errorf("timestamp %q: %v", ts, err)
			}
		}
	})
	t.Run("nextLink is absolute on the request's host and carries the api-version", func(t *testing.T) {
		small := newEnv(t, arm.Config{PageSize: 2})
		small.createRegistry(t, group, "links1")
		var page struct{ NextLink string }
		decode(t, small.call(t, "GET", registryID("links1")+"/scopeMaps", "api-version=2024-11-01-preview", nil), 200, &page)
		u, err := url.Parse(page.NextLink)
		if err != nil || u.Scheme+"://"+u.Host != small.srv.URL || u.Query().Get("api-version") != "2024-11-01-preview" ||
			u.Query().Get("$skipToken") == "" {
			t.Errorf("nextLink %q", page.NextLink)
		}
	})
	t.Run("a forged policy token header is refused on an operation", func(t *testing.T) {
		resp := e.do(t, "PATCH", reg, "api-version="+apiVer, `{"sku":{"name":"Premium"}}`, map[string]string{
			"Authorization": "Bearer " + adminKey, arm.PolicyTokenHeader: "v1.anything.goes",
		})
		wantError(t, resp, 403, "InvalidPolicyToken", "not valid")
	})
}

func TestAcquirePolicyToken(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newEnv(t, arm.Config{PolicyKey: []byte("policy-key"), Now: func() time.Time { return now }})
	path := "/subscriptions/" + sub + "/providers/Microsoft.Authorization/acquirePolicyToken"
	op := map[string]any{
		"operation": map[string]any{
			"uri":        e.srv.URL + registryID("policy1") + "/tokens/robot?api-version=" + apiVer,
			"httpMethod": "PUT",
			"content":    map[string]any{"properties": map[string]any{"scopeMapId": "x"}},
		},
		"changeReference": "CHG-42",
	}

	var got struct{ Result, Token, Expiration, ChangeReference string }
	decode(t, e.call(t, "POST", path, "api-version=2025-03-01", op), 200, &got)
	if got.Result != "Succeeded" || got.ChangeReference != "CHG-42" || got.Expiration != "2030-01-02T03:09:05+00:00" {
		t.Errorf("got %+v", got)
	}
	parts := strings.Split(got.Token, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		t.Fatalf("token %q, want v1.<claims>.<signature>", got.Token)
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err != nil || json.Unmarshal(claims, &c) != nil {
		t.Fatalf("claims %q: %v", parts[1], err)
	}
	if c["m"] != "PUT" || c["r"] != "CHG-42" || !strings.HasSuffix(c["u"].(string), "/tokens/robot?api-version="+apiVer) {
		t.Errorf("claims %v", c)
	}

	refusals := []struct {
		name, query string
		body        any
		status      int
		code, msg   string
	}{
		{"wrong api-version", "api-version=2023-07-01", op, 400, "InvalidApiVersionParameter", "2025-03-01"},
		{"no operation", "api-version=2025-03-01", `{"changeReference":"x"}`, 400, "BadRequest", "'operation'"},
		{"unknown method", "api-version=2025-03-01",
			`{"operation":{"uri":"/subscriptions/` + sub + `/x","httpMethod":"BREW"}}`, 400, "InvalidRequestContent", "'BREW'"},
		{"uri of another subscription", "api-version=2025-03-01",
			`{"operation":{"uri":"/subscriptions/other/x","httpMethod":"PUT"}}`, 400, "BadRequest", "subscription"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call(t, "POST", path, tt.query, tt.body), tt.status, tt.code, tt.msg)
		})
	}
}

func TestInternalErrorIsGeneric(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "broken1")
	e.st.Close()
	resp := e.call(t, http.MethodGet, registryID("broken1"), "api-version="+apiVer, nil)
	wantError(t, resp, http.StatusInternalServerError, "InternalServerError", "internal error")
	if logs := e.logs.String(); !strings.Contains(logs, "management request failed") || !strings.Contains(logs, "closed") {
		t.Errorf("the real error is not logged: %s", logs)
	}
}
