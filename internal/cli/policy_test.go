package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

const policyPath = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/acquirePolicyToken"

// policyBody is what the CLI sends to acquirePolicyToken.
type policyBody struct {
	Operation struct {
		URI        string          `json:"uri"`
		HTTPMethod string          `json:"httpMethod"`
		Content    json.RawMessage `json:"content"`
	} `json:"operation"`
	ChangeReference *string `json:"changeReference"`
}

func TestAcquirePolicyToken(t *testing.T) {
	tests := []struct {
		name      string
		flags     []string
		changeRef *string
	}{
		{"--acquire-policy-token", []string{"--acquire-policy-token"}, nil},
		{"--change-reference alone", []string{"--change-reference", "CHG-42"}, ptr("CHG-42")},
		{"both", []string{"--acquire-policy-token", "--change-reference", "CHG-7"}, ptr("CHG-7")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			c.ok(append([]string{"token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read"}, tt.flags...)...)
			reqs := s.requests()
			var changes int
			for i, r := range reqs {
				switch {
				case r.Path == policyPath:
					if r.Method != "POST" || r.Header.Get("x-ms-force-sync") != "true" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
						t.Errorf("policy request: %s, headers %v", r.Method, r.Header)
					}
					if !strings.Contains(r.Header.Get("Authorization"), adminKey) {
						t.Errorf("policy request is not authenticated")
					}
					if i+1 >= len(reqs) {
						t.Fatalf("policy token acquired for no operation")
					}
					checkPolicyBody(t, r.Body, reqs[i+1], tt.changeRef)
				case r.Method == "GET":
					if r.Header.Get("x-ms-policy-external-evaluations") != "" {
						t.Errorf("GET %s carries a policy token", r.Path)
					}
				default:
					changes++
					if r.Header.Get("x-ms-policy-external-evaluations") == "" || i == 0 || reqs[i-1].Path != policyPath {
						t.Errorf("%s %s: no policy token acquired for it", r.Method, r.Path)
					}
				}
			}
			// The default scope map, the token and its passwords.
			if changes != 3 {
				t.Errorf("got %d changing requests, want 3: %v", changes, paths(reqs))
			}
		})
	}
}

func checkPolicyBody(t *testing.T, body []byte, op recorded, changeRef *string) {
	t.Helper()
	var b policyBody
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("policy body %s: %v", body, err)
	}
	if b.Operation.HTTPMethod != op.Method || !strings.Contains(b.Operation.URI, op.Path+"?api-version=") {
		t.Errorf("policy operation %s %s, but the next request is %s %s", b.Operation.HTTPMethod, b.Operation.URI, op.Method, op.Path)
	}
	var sent, claimed any
	json.Unmarshal(op.Body, &sent)
	json.Unmarshal(b.Operation.Content, &claimed)
	if s1, _ := json.Marshal(sent); string(s1) != func() string { s2, _ := json.Marshal(claimed); return string(s2) }() {
		t.Errorf("policy content %s, operation body %s", b.Operation.Content, op.Body)
	}
	switch {
	case changeRef == nil && b.ChangeReference != nil:
		t.Errorf("changeReference: got %q, want null", *b.ChangeReference)
	case changeRef != nil && (b.ChangeReference == nil || *b.ChangeReference != *changeRef):
		t.Errorf("changeReference: got %v, want %q", b.ChangeReference, *changeRef)
	}
	if !strings.Contains(string(body), `"changeReference":`) {
		t.Errorf("body has no changeReference key: %s", body)
	}
}

func ptr[T any](v T) *T { return &v }

func TestNoPolicyTokenWithoutTheFlags(t *testing.T) {
	s, c := setup(t)
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read")
	for _, r := range s.requests() {
		if r.Path == policyPath || r.Header.Get("x-ms-policy-external-evaluations") != "" {
			t.Errorf("%s %s: policy token without the flags", r.Method, r.Path)
		}
	}
}

func TestPolicyTokenOnDelete(t *testing.T) {
	s, c := setup(t)
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--scope-map", "_repositories_pull", "--no-passwords")
	s.requests()
	c.ok("token", "delete", "-n", "token1", "-r", "myregistry", "-y", "--change-reference", "CHG-1")
	reqs := s.requests()
	var sawDelete bool
	for i, r := range reqs {
		if r.Method == "DELETE" {
			sawDelete = true
			if i == 0 || reqs[i-1].Path != policyPath || r.Header.Get("x-ms-policy-external-evaluations") == "" {
				t.Errorf("DELETE without a policy token: %v", paths(reqs))
			}
			var b policyBody
			json.Unmarshal(reqs[i-1].Body, &b)
			if string(b.Operation.Content) != "null" {
				t.Errorf("DELETE content: got %s, want null", b.Operation.Content)
			}
		}
	}
	if !sawDelete {
		t.Errorf("no DELETE: %v", paths(reqs))
	}
}

func TestPolicyTokenFailure(t *testing.T) {
	_, c := setup(t)
	c.env["OPENACR_SUBSCRIPTION"] = "11111111-1111-1111-1111-111111111111"
	r := c.run("scope-map", "create", "-n", "readers", "-r", "myregistry", "-g", "MyGroup", "--repository", "app", "content/read", "--acquire-policy-token")
	if r.code != 1 || !strings.Contains(r.stderr, "ERROR: Failed to acquire policy token, exception: ") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDebugLogsRequestsWithoutSecrets(t *testing.T) {
	_, c := setup(t)
	r := c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read", "--debug")
	for _, want := range []string{"DEBUG: Request URL: '", "DEBUG: Request method: 'PUT'", "DEBUG: Response status: 200", "INFO: Command ran in "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	var tok map[string]any
	json.Unmarshal([]byte(r.stdout), &tok)
	secret := passwords(t, tok)["password1"]["value"].(string)
	for _, bad := range []string{adminKey, "Authorization", secret} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("--debug output contains %q", bad)
		}
	}
}

func TestOnlyShowErrorsSuppressesWarnings(t *testing.T) {
	_, c := setup(t)
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read", "--no-passwords")
	r := c.ok("token", "credential", "generate", "-n", "token1", "-r", "myregistry", "--days", "3", "--only-show-errors", "-o", "none")
	if r.stderr != "" || r.stdout != "" {
		t.Errorf("got stdout %q, stderr %q", r.stdout, r.stderr)
	}
}
