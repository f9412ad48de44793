package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The registry every scenario uses: the one openacr creates on an empty
// data directory, and the repository the image goes to.
const (
	registryName = "myregistry"
	groupName    = "myresourcegroup"
	repo         = "app"
	apiVersion   = "2023-07-01"
	scopeMapName = "bench-app"
)

// api talks to one openacr server: the management API (ARM format, with
// the admin key), the token endpoint and /v2/.
type api struct {
	base     string // http://127.0.0.1:port
	adminKey string
	hc       *http.Client
}

func newAPI(base, adminKey string) *api {
	return &api{base: base, adminKey: adminKey, hc: &http.Client{Timeout: time.Minute}}
}

func (a *api) registryPath() string {
	return "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + groupName +
		"/providers/Microsoft.ContainerRegistry/registries/" + registryName
}

// arm sends one management request and decodes the answer into out.
func (a *api) arm(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path+"?api-version="+apiVersion, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, rb)
	}
	if out != nil {
		return json.Unmarshal(rb, out)
	}
	return nil
}

// putScopeMap creates the scope map every bench token uses.
func (a *api) putScopeMap(ctx context.Context, name string, actions ...string) error {
	body := map[string]any{"properties": map[string]any{"actions": actions}}
	return a.arm(ctx, http.MethodPut, a.registryPath()+"/scopeMaps/"+name, body, nil)
}

// putToken creates a token on the bench scope map, without passwords.
func (a *api) putToken(ctx context.Context, name string) error {
	body := map[string]any{"properties": map[string]any{
		"scopeMapId": a.registryPath() + "/scopeMaps/" + scopeMapName, "status": "enabled"}}
	return a.arm(ctx, http.MethodPut, a.registryPath()+"/tokens/"+name, body, nil)
}

// generate regenerates password1 of a token and returns its value.
func (a *api) generate(ctx context.Context, token string) (string, error) {
	body := map[string]any{"tokenId": a.registryPath() + "/tokens/" + token, "name": "password1"}
	var out struct {
		Passwords []struct{ Name, Value string }
	}
	if err := a.arm(ctx, http.MethodPost, a.registryPath()+"/generateCredentials", body, &out); err != nil {
		return "", err
	}
	for _, p := range out.Passwords {
		if p.Name == "password1" && p.Value != "" {
			return p.Value, nil
		}
	}
	return "", fmt.Errorf("generateCredentials of %s returned no password1", token)
}

// host is the host clients use, and so the service of token requests: the
// default registry answers localhost on the server's port.
func (a *api) service() string {
	u, _ := url.Parse(a.base)
	return "localhost:" + u.Port()
}

// tokenRequest is GET /oauth2/token with HTTP Basic for one repository
// scope, as docker and skopeo send it.
func (a *api) tokenRequest(user, password, actions string) (*http.Request, error) {
	q := url.Values{"service": {a.service()}, "scope": {"repository:" + repo + ":" + actions}}
	req, err := http.NewRequest(http.MethodGet, a.base+"/oauth2/token?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(user, password)
	return req, nil
}

// accessToken mints an access token for user.
func (a *api) accessToken(ctx context.Context, user, password, actions string) (string, error) {
	req, err := a.tokenRequest(user, password, actions)
	if err != nil {
		return "", err
	}
	resp, err := a.hc.Do(req.WithContext(ctx))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
		return "", fmt.Errorf("token for %s: %s (%v)", user, resp.Status, err)
	}
	return out.Token, nil
}

// get is a /v2/ GET with an access token ("" for none).
func (a *api) get(base, path, accessToken string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	return req, nil
}

// image is what the suite pushes: a small image (its manifest is the
// small-manifest GET) and a 64 MiB blob.
type image struct {
	manifest     []byte
	bigDigest    string
	bigSize      int
	bigManifest  []byte
	smallBlobs   [][]byte
	bigBlob      []byte
	manifestType string
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func newImage(bigSize int) image {
	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := bytes.Repeat([]byte("openacr bench layer\n"), 52)
	big := make([]byte, bigSize)
	for i := range big { // incompressible enough, and cheap to make
		big[i] = byte(i*7 + i>>11)
	}
	desc := func(mt string, b []byte) string {
		return fmt.Sprintf(`{"mediaType":%q,"digest":%q,"size":%d}`, mt, digestOf(b), len(b))
	}
	const mt = "application/vnd.oci.image.manifest.v1+json"
	man := func(l []byte) []byte {
		return fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":%q,"config":%s,"layers":[%s]}`, mt,
			desc("application/vnd.oci.image.config.v1+json", cfg), desc("application/vnd.oci.image.layer.v1.tar", l))
	}
	return image{manifest: man(layer), bigManifest: man(big), bigDigest: digestOf(big), bigSize: bigSize,
		smallBlobs: [][]byte{cfg, layer}, bigBlob: big, manifestType: mt}
}

// push uploads the image with an access token that may push to repo.
func (a *api) push(ctx context.Context, im image, accessToken string, big bool) error {
	blobs := im.smallBlobs
	if big {
		blobs = append(blobs, im.bigBlob)
	}
	for _, b := range blobs {
		if err := a.pushBlob(ctx, b, accessToken); err != nil {
			return err
		}
	}
	if err := a.putManifest(ctx, "v1", im.manifest, im.manifestType, accessToken); err != nil {
		return err
	}
	if big {
		return a.putManifest(ctx, "big", im.bigManifest, im.manifestType, accessToken)
	}
	return nil
}

func (a *api) pushBlob(ctx context.Context, b []byte, accessToken string) error {
	resp, err := a.send(ctx, http.MethodPost, a.base+"/v2/"+repo+"/blobs/uploads/", nil, "", accessToken, http.StatusAccepted)
	if err != nil {
		return err
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return fmt.Errorf("upload location: %w", err)
	}
	loc = (&url.URL{Scheme: "http", Host: strings.TrimPrefix(a.base, "http://")}).ResolveReference(loc)
	q := loc.Query()
	q.Set("digest", digestOf(b))
	loc.RawQuery = q.Encode()
	_, err = a.send(ctx, http.MethodPut, loc.String(), b, "application/octet-stream", accessToken, http.StatusCreated)
	return err
}

func (a *api) putManifest(ctx context.Context, tag string, m []byte, mt, accessToken string) error {
	_, err := a.send(ctx, http.MethodPut, a.base+"/v2/"+repo+"/manifests/"+tag, m, mt, accessToken, http.StatusCreated)
	return err
}

func (a *api) send(ctx context.Context, method, u string, body []byte, ct, accessToken string, want int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, rb)
	}
	return resp, nil
}
