package arm

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Policy tokens verify only for the operation, body and time they were
// issued for (the API refuses the others on the operation itself).
func TestPolicyTokenVerification(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	a := New(nil, Config{AdminKey: "k", PolicyKey: []byte("key-1"), Now: func() time.Time { return now }}, nil)
	uri := "https://openacr.example/subscriptions/" + DefaultSubscriptionID +
		"/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/r1/tokens/robot?api-version=2023-07-01"
	content := json.RawMessage(`{"properties": {"status": "enabled"}}`)
	uriPath, err := a.canonicalOperationURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	tok := a.signPolicyToken(policyClaims{Method: "PUT", URI: uriPath, ContentSHA256: contentHash(content),
		ChangeReference: "CHG-1", Expiry: now.Add(PolicyTokenLifetime).Unix()})
	body := []byte(`{"properties":{"status":"enabled"}}`)
	other := New(nil, Config{AdminKey: "k", PolicyKey: []byte("key-2"), Now: a.cfg.Now}, nil)

	tests := []struct {
		name    string
		api     *API
		tok     string
		method  string
		uri     string
		body    []byte
		wantErr string
	}{
		{"the same operation verifies", a, tok, "PUT", uri, body, ""},
		{"another host and path casing verify", a, tok, "put",
			"http://localhost:5000" + strings.ToLower(strings.TrimPrefix(uri, "https://openacr.example")), body, ""},
		{"another method is refused", a, tok, "PATCH", uri, body, "another operation"},
		{"another token is refused", a, tok, "PUT", strings.Replace(uri, "robot", "other", 1), body, "another operation"},
		{"another body is refused", a, tok, "PUT", uri, []byte(`{"properties":{"status":"disabled"}}`), "another request body"},
		{"another key is refused", other, tok, "PUT", uri, body, "not valid"},
		{"a tampered token is refused", a, strings.Replace(tok, "v1.", "v1.e", 1), "PUT", uri, body, "not valid"},
		{"garbage is refused", a, "nonsense", "PUT", uri, body, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.api.verifyPolicyToken(tt.tok, tt.method, tt.uri, tt.body)
			if tt.wantErr == "" && err != nil {
				t.Errorf("got %v, want it verified", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}

	t.Run("an expired token is refused", func(t *testing.T) {
		later := New(nil, Config{AdminKey: "k", PolicyKey: []byte("key-1"),
			Now: func() time.Time { return now.Add(PolicyTokenLifetime) }}, nil)
		if _, err := later.verifyPolicyToken(tok, "PUT", uri, body); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Errorf("got %v, want expired", err)
		}
	})
	t.Run("content given as a string hashes like the JSON", func(t *testing.T) {
		s, _ := json.Marshal(string(content))
		if contentHash(s) != contentHash(content) || contentHash(nil) != contentHash(json.RawMessage("null")) {
			t.Error("content hashes differ by form")
		}
	})
}

func TestCanonicalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/SUBSCRIPTIONS/s/RESOURCEGROUPS/Tokens/PROVIDERS/microsoft.containerregistry/REGISTRIES/r/SCOPEMAPS/Tokens",
			"/subscriptions/s/resourceGroups/Tokens/providers/Microsoft.ContainerRegistry/registries/r/scopeMaps/Tokens"},
		{"/subscriptions/s/resourcegroups/g/providers/Microsoft.ContainerRegistry/registries/r/generatecredentials",
			"/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/r/generateCredentials"},
		{"/subscriptions/s/providers/microsoft.authorization/acquirepolicytoken",
			"/subscriptions/s/providers/Microsoft.Authorization/acquirePolicyToken"},
		{"/subscriptions/registries/providers/x", "/subscriptions/registries/providers/x"},
		{"/", "/"},
	}
	for _, tt := range tests {
		if got := canonicalPath(tt.in); got != tt.want {
			t.Errorf("canonicalPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
