package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
)

const tokenID = "/subscriptions/s/resourceGroups/MyGroup/providers/Microsoft.ContainerRegistry/registries/reg/tokens/tok"

func sampleToken() armcontainerregistry.Token {
	created := time.Date(2025, 3, 19, 20, 6, 23, 379166400, time.UTC)
	return armcontainerregistry.Token{
		ID:   to.Ptr(tokenID),
		Name: to.Ptr("tok"),
		Type: to.Ptr("Microsoft.ContainerRegistry/registries/tokens"),
		Properties: &armcontainerregistry.TokenProperties{
			CreationDate:      &created,
			ScopeMapID:        to.Ptr("/subscriptions/s/resourceGroups/MyGroup/providers/Microsoft.ContainerRegistry/registries/reg/scopeMaps/tok-scope-map"),
			Status:            to.Ptr(armcontainerregistry.TokenStatusDisabled),
			ProvisioningState: to.Ptr(armcontainerregistry.ProvisioningStateSucceeded),
			Credentials: &armcontainerregistry.TokenCredentialsProperties{Passwords: []*armcontainerregistry.TokenPassword{
				{Name: to.Ptr(armcontainerregistry.TokenPasswordNamePassword1), CreationTime: &created, Expiry: to.Ptr(maxExpiry)},
			}},
		},
	}
}

func TestShapeFlattensLikeAz(t *testing.T) {
	v, err := shape(sampleToken(), kindToken)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if _, ok := m["properties"]; ok {
		t.Errorf("properties not hoisted: %v", m)
	}
	for key, want := range map[string]any{
		"resourceGroup": "MyGroup",
		"status":        "disabled",
		"creationDate":  "2025-03-19T20:06:23.379166+00:00",
		"systemData":    nil,
	} {
		if got, ok := m[key]; !ok || got != want {
			t.Errorf("%s: got %v (present %v), want %v", key, got, ok, want)
		}
	}
	creds := m["credentials"].(map[string]any)
	if certs, ok := creds["certificates"].([]any); !ok || len(certs) != 0 {
		t.Errorf("certificates: got %v, want []", creds["certificates"])
	}
	p := creds["passwords"].([]any)[0].(map[string]any)
	if p["expiry"] != "9999-12-31T23:59:59.999999+00:00" {
		t.Errorf("expiry: got %v", p["expiry"])
	}
	if v, ok := p["value"]; !ok || v != nil {
		t.Errorf("value: got %v (present %v), want null", v, ok)
	}
}

func TestShapeRenamesScopeMapType(t *testing.T) {
	v, err := shape(armcontainerregistry.ScopeMap{
		ID:         to.Ptr("/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/reg/scopeMaps/m"),
		Type:       to.Ptr("Microsoft.ContainerRegistry/registries/scopeMaps"),
		Properties: &armcontainerregistry.ScopeMapProperties{Type: to.Ptr("UserDefined")},
	}, kindScopeMap)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["type"] != "Microsoft.ContainerRegistry/registries/scopeMaps" || m["scopeMapType"] != "UserDefined" {
		t.Errorf("got type %v, scopeMapType %v", m["type"], m["scopeMapType"])
	}
	if d, ok := m["description"]; !ok || d != nil {
		t.Errorf("description: got %v, want null", d)
	}
}

func TestPythonTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2025-03-19T20:06:23.3791812Z", "2025-03-19T20:06:23.379181+00:00"},
		{"2025-03-19T20:06:23Z", "2025-03-19T20:06:23+00:00"},
		{"2025-03-19T21:06:23.5+01:00", "2025-03-19T20:06:23.500000+00:00"},
		{"not a time", "not a time"},
	}
	for _, tt := range tests {
		if got := pythonTime(tt.in); got != tt.want {
			t.Errorf("pythonTime(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func renderString(t *testing.T, v any, format, query string, tf tableFunc) string {
	t.Helper()
	var b bytes.Buffer
	if err := render(&b, v, format, query, tf); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return b.String()
}

func TestRenderFormats(t *testing.T) {
	v := map[string]any{"name": "tok", "b": true, "n": 2.0, "list": []any{"x", "y"}, "obj": map[string]any{"k": "v"}, "none": nil, "html": "<a&b>"}
	tests := []struct {
		name, format, query, want string
	}{
		{"json is sorted, indented, unescaped", "json", "", "{\n  \"b\": true,\n  \"html\": \"<a&b>\",\n  \"list\": [\n    \"x\",\n    \"y\"\n  ],\n  \"n\": 2,\n  \"name\": \"tok\",\n  \"none\": null,\n  \"obj\": {\n    \"k\": \"v\"\n  }\n}\n"},
		{"tsv prints values in key order", "tsv", "", "True\t<a&b>\t2\t2\ttok\tNone\t\n"},
		{"tsv of a list prints a line per item", "tsv", "list", "x\ny\n"},
		{"tsv of a scalar is bare", "tsv", "name", "tok\n"},
		{"query applies to json", "json", "obj.k", "\"v\"\n"},
		{"yaml", "yaml", "obj", "k: v\n"},
		{"yaml list is not indented", "yaml", "{l: list}", "l:\n- x\n- \"y\"\n"},
		{"none prints nothing", "none", "", ""},
		{"a query selecting nothing prints nothing", "json", "missing", ""},
		{"auto table of a query", "table", "{Name: name, Count: n}", "Count  Name\n-----  ----\n2      tok\n"},
		{"auto table of a scalar", "table", "name", "Result\n------\ntok\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderString(t, v, tt.format, tt.query, nil); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestColoredFormatsDecolorToPlain(t *testing.T) {
	v, err := shape(sampleToken(), kindToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"json", "yaml"} {
		plain := renderString(t, v, f, "", nil)
		colored := renderString(t, v, f+"c", "", nil)
		if !ansi.MatchString(colored) {
			t.Errorf("%sc has no colours", f)
		}
		if got := ansi.ReplaceAllString(colored, ""); got != plain {
			t.Errorf("%sc without colours:\n%s\nwant\n%s", f, got, plain)
		}
	}
}

func TestRenderRefusesBadQuery(t *testing.T) {
	err := render(&bytes.Buffer{}, map[string]any{}, "json", "[?", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "argument --query: invalid jmespath query supplied for '--query'") {
		t.Errorf("got %v", err)
	}
}

func TestTokenTable(t *testing.T) {
	tok := sampleToken()
	expiry := time.Date(2025, 12, 31, 12, 59, 59, 0, time.UTC)
	tok2 := sampleToken()
	tok2.Name = to.Ptr("other-token")
	tok2.Properties.Status = to.Ptr(armcontainerregistry.TokenStatusEnabled)
	tok2.Properties.Credentials.Passwords = []*armcontainerregistry.TokenPassword{
		{Name: to.Ptr(armcontainerregistry.TokenPasswordNamePassword2), Expiry: &expiry},
	}
	v, err := shape([]armcontainerregistry.Token{tok, tok2}, kindToken)
	if err != nil {
		t.Fatal(err)
	}
	want := `NAME         SCOPE MAP      PASSWORD1 EXPIRY  PASSWORD2 EXPIRY      STATUS    PROVISIONING STATE  CREATION DATE
-----------  -------------  ----------------  --------------------  --------  ------------------  --------------------
tok          tok-scope-map  Never                                   Disabled  Succeeded           2025-03-19T20:06:23Z
other-token  tok-scope-map                    2025-12-31T12:59:59Z  Enabled   Succeeded           2025-03-19T20:06:23Z
`
	if got := renderString(t, v, "table", "", tokenTable); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestScopeMapTableTruncatesDescription(t *testing.T) {
	long := strings.Repeat("x", 61)
	v := []any{
		map[string]any{"name": "m1", "scopeMapType": "UserDefined", "creationDate": "2020-01-20T09:44:24.1+00:00", "description": long},
		map[string]any{"name": "m2", "scopeMapType": "SystemDefined", "creationDate": "2020-01-20T09:44:24+00:00", "description": strings.Repeat("y", 60)},
	}
	got := renderString(t, v, "table", "", scopeMapTable)
	lines := strings.Split(got, "\n")
	if !strings.HasSuffix(lines[2], strings.Repeat("x", 57)+"...") || !strings.HasSuffix(lines[3], strings.Repeat("y", 60)) {
		t.Errorf("got\n%s", got)
	}
	if lines[0] != "NAME  TYPE           CREATION DATE         DESCRIPTION" {
		t.Errorf("header: got %q", lines[0])
	}
}

func TestCredentialsTable(t *testing.T) {
	v := map[string]any{"username": "tok", "passwords": []any{
		map[string]any{"name": "password1", "value": "oacr_1", "expiry": "2025-12-31T12:59:59+00:00"},
		map[string]any{"name": "password2", "value": nil, "expiry": "9999-12-31T23:59:59.999999+00:00"},
	}}
	want := "USERNAME  PASSWORD1  PASSWORD1 EXPIRY      PASSWORD2  PASSWORD2 EXPIRY\n" +
		"--------  ---------  --------------------  ---------  ----------------\n" +
		"tok       oacr_1     2025-12-31T12:59:59Z             Never\n"
	if got := renderString(t, v, "table", "", credentialsTable); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRegistryTable(t *testing.T) {
	v := []any{map[string]any{"name": "myregistry", "resourceGroup": "rg", "location": "local", "sku": map[string]any{"name": "Basic"},
		"loginServer": "myregistry.example", "creationDate": "2025-01-02T03:04:05.6+00:00", "adminUserEnabled": false}}
	want := "NAME        RESOURCE GROUP  LOCATION  SKU    LOGIN SERVER        CREATION DATE         ADMIN ENABLED\n" +
		"----------  --------------  --------  -----  ------------------  --------------------  -------------\n" +
		"myregistry  rg              local     Basic  myregistry.example  2025-01-02T03:04:05Z  False\n"
	if got := renderString(t, v, "table", "", registryTable); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONOutputIsValid(t *testing.T) {
	v, err := shape([]armcontainerregistry.Token{sampleToken()}, kindToken)
	if err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal([]byte(renderString(t, v, "json", "", nil)), &back); err != nil || len(back) != 1 {
		t.Fatalf("got %v, %v", back, err)
	}
}
