package arm

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// PolicyTokenHeader carries a policy token on the operation it was issued
// for. A token that does not verify for the request it comes with is
// refused (change.go).
const PolicyTokenHeader = "x-ms-policy-external-evaluations"

// PolicyTokenLifetime is how long a policy token is valid.
const PolicyTokenLifetime = 5 * time.Minute

// policyRequest is the body of acquirePolicyToken.
type policyRequest struct {
	Operation *struct {
		URI        string          `json:"uri"`
		HTTPMethod string          `json:"httpMethod"`
		Content    json.RawMessage `json:"content"`
	} `json:"operation"`
	ChangeReference *string `json:"changeReference"`
}

type policyResponse struct {
	Result          string  `json:"result"`
	Token           string  `json:"token"`
	Expiration      armTime `json:"expiration"`
	ChangeReference string  `json:"changeReference,omitempty"`
}

// policyClaims is the operation a policy token was issued for, in
// canonical form: what the token's signature covers.
type policyClaims struct {
	Method          string `json:"m"`
	URI             string `json:"u"` // canonicalOperationURI
	ContentSHA256   string `json:"c"` // hex; see contentHash
	ChangeReference string `json:"r,omitempty"`
	Expiry          int64  `json:"exp"` // Unix seconds
}

func (c policyClaims) canonical() []byte {
	return []byte(strings.Join([]string{"openacr-policy-token/v1", c.Method, c.URI, c.ContentSHA256,
		c.ChangeReference, strconv.FormatInt(c.Expiry, 10)}, "\n"))
}

// acquirePolicyToken evaluates an operation against the credential
// policies of its registry and issues a policy token bound to it, or
// refuses with 403 RequestDisallowedByPolicy naming the policies that
// refuse. Operations that are not credential operations get a token
// without evaluation: no policy governs them.
func (a *API) acquirePolicyToken(w http.ResponseWriter, r *http.Request) error {
	var req policyRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	op := req.Operation
	if op == nil || op.URI == "" || op.HTTPMethod == "" {
		return badRequest("'operation' with its 'uri' and 'httpMethod' is required.")
	}
	method := strings.ToUpper(op.HTTPMethod)
	switch method {
	case http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost, http.MethodGet:
	default:
		return invalidContent("The value '%s' of 'operation.httpMethod' is not valid. Allowed values: PUT, PATCH, DELETE, POST, GET.", op.HTTPMethod)
	}
	uri, err := a.canonicalOperationURI(op.URI)
	if err != nil {
		return err
	}
	c := policyClaims{Method: method, URI: uri, ContentSHA256: contentHash(op.Content),
		Expiry: a.cfg.Now().Add(PolicyTokenLifetime).Unix()}
	if req.ChangeReference != nil {
		c.ChangeReference = *req.ChangeReference
	}
	if err := access.ValidateChangeReference(c.ChangeReference); err != nil {
		return err
	}
	if err := a.evaluateOperation(r, method, op.URI, op.Content, c.ChangeReference); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyResponse{Result: "Succeeded", Token: a.signPolicyToken(c),
		Expiration: armTime(time.Unix(c.Expiry, 0)), ChangeReference: c.ChangeReference})
	return nil
}

// canonicalOperationURI reduces an operation URI to what identifies the
// operation whatever host served it: the lower-cased path and the sorted
// query. The path must be of this server's subscription.
func (a *API) canonicalOperationURI(raw string) (string, error) {
	u, err := url.Parse(raw)
	prefix := "/subscriptions/" + strings.ToLower(a.cfg.SubscriptionID) + "/"
	if err != nil || !strings.HasPrefix(strings.ToLower(u.Path), prefix) {
		return "", badRequest("The value '%s' of 'operation.uri' is not the URI of a resource of subscription '%s'.", raw, a.cfg.SubscriptionID)
	}
	return strings.ToLower(u.Path) + "?" + u.Query().Encode(), nil
}

// contentBody returns an operation's content as the request body it
// describes: content is either that JSON or a string holding the body.
func contentBody(content json.RawMessage) []byte {
	data := []byte(content)
	var s string
	if len(data) > 0 && data[0] == '"' && json.Unmarshal(data, &s) == nil {
		data = []byte(s)
	}
	return data
}

// contentHash hashes an operation's content as bodyHash hashes the body.
func contentHash(content json.RawMessage) string { return bodyHash(contentBody(content)) }

// bodyHash is the hex SHA-256 of a request body in a canonical form when it
// is JSON (keys sorted, no insignificant space), so that neither formatting
// nor key order matters: clients build the content of acquirePolicyToken
// from the body they are about to send, often by decoding and re-encoding
// it. Empty and null hash alike.
func bodyHash(data []byte) string {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		data = nil
	}
	if len(data) > 0 {
		if canon, ok := canonicalJSON(data); ok {
			data = canon
		}
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// canonicalJSON re-encodes one JSON value with sorted keys; numbers keep
// their digits.
func canonicalJSON(data []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil, false
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), true
}

func (a *API) policyMAC(c policyClaims) []byte {
	m := hmac.New(sha256.New, a.cfg.PolicyKey)
	m.Write(c.canonical())
	return m.Sum(nil)
}

// signPolicyToken returns "v1.<claims>.<mac>", both parts base64url.
func (a *API) signPolicyToken(c policyClaims) string {
	claims, _ := json.Marshal(c) // cannot fail: strings and an int
	enc := base64.RawURLEncoding
	return "v1." + enc.EncodeToString(claims) + "." + enc.EncodeToString(a.policyMAC(c))
}

// verifyPolicyToken checks that tok was issued by this API for the
// operation (method, uri, body) and has not expired, and returns what it
// was issued for.
func (a *API) verifyPolicyToken(tok, method, uri string, body []byte) (policyClaims, error) {
	invalid := errors.New("the policy token is not valid")
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return policyClaims{}, invalid
	}
	enc := base64.RawURLEncoding
	claimsJSON, err1 := enc.DecodeString(parts[1])
	mac, err2 := enc.DecodeString(parts[2])
	var c policyClaims
	if err1 != nil || err2 != nil || json.Unmarshal(claimsJSON, &c) != nil || !hmac.Equal(mac, a.policyMAC(c)) {
		return policyClaims{}, invalid
	}
	if a.cfg.Now().Unix() >= c.Expiry {
		return policyClaims{}, errors.New("the policy token has expired")
	}
	want, err := a.canonicalOperationURI(uri)
	if err != nil || c.Method != strings.ToUpper(method) || c.URI != want {
		return policyClaims{}, errors.New("the policy token was issued for another operation")
	}
	if c.ContentSHA256 != bodyHash(body) {
		return policyClaims{}, errors.New("the policy token was issued for another request body")
	}
	return c, nil
}
