package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/server"
)

// needSkopeo returns the path of skopeo, skipping the test when it is absent
// outside CI and failing it inside CI, where .ci/run installs it.
func needSkopeo(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("skopeo")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("skopeo is not installed; .ci/run installs it (apt-get install skopeo)")
	}
	t.Skip("skopeo is not installed (apt-get install skopeo); skipping the skopeo tests")
	return ""
}

// skopeoEnv is a server on plain HTTP at 127.0.0.1, where skopeo reaches the
// default registry with no DNS, as a user of `openacr serve` does.
type skopeoEnv struct {
	srv  *server.Server
	host string
}

func newSkopeoEnv(t *testing.T) skopeoEnv {
	t.Helper()
	cfg := server.Defaults()
	cfg.Data = filepath.Join(t.TempDir(), "data")
	cfg.Addr = "127.0.0.1:0"
	srv, err := server.Open(t.Context(), cfg, slog.New(slog.DiscardHandler), io.Discard, noEnv)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return skopeoEnv{srv: srv, host: strings.TrimPrefix(ts.URL, "http://")}
}

// token creates a token whose scope map holds actions and returns password1.
func (e skopeoEnv) token(t *testing.T, name string, actions ...string) string {
	t.Helper()
	ctx := t.Context()
	cfg := server.Defaults()
	if _, _, err := e.srv.Access.PutScopeMap(ctx, cfg.Group, cfg.Registry, name+"-map", nil, actions); err != nil {
		t.Fatalf("PutScopeMap: %v", err)
	}
	if _, _, err := e.srv.Access.PutToken(ctx, cfg.Group, cfg.Registry, name, name+"-map", access.Enabled); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	g, err := e.srv.Access.GenerateCredentials(ctx, cfg.Group, cfg.Registry, name, access.Password1, nil)
	if err != nil {
		t.Fatalf("GenerateCredentials: %v", err)
	}
	return g.Passwords[0].Value
}

func skopeo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, needSkopeo(t), args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no stored credentials
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// ociLayout writes a random image into a new OCI layout and returns the
// skopeo reference of it.
func ociLayout(t *testing.T) string {
	t.Helper()
	// An OCI image throughout: skopeo's oci: transport looks only at OCI
	// manifests in the layout's index.
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for range 2 {
		l, err := random.Layer(2048, types.OCILayer)
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir + ":v1"
}

func TestSkopeoCopiesInAndOutWithATokenPassword(t *testing.T) {
	needSkopeo(t)
	e := newSkopeoEnv(t)
	pw := e.token(t, "ci-push", "repositories/app/content/read", "repositories/app/content/write", "repositories/app/metadata/read")
	src := ociLayout(t)
	dst := "docker://" + e.host + "/app:v1"

	if out, err := skopeo(t, "copy", "--dest-tls-verify=false", "--dest-creds", "ci-push:"+pw, src, dst); err != nil {
		t.Fatalf("skopeo copy in: %v\n%s", err, out)
	}
	back := "oci:" + filepath.Join(t.TempDir(), "back") + ":v1"
	if out, err := skopeo(t, "copy", "--src-tls-verify=false", "--src-creds", "ci-push:"+pw, dst, back); err != nil {
		t.Fatalf("skopeo copy out: %v\n%s", err, out)
	}
	out, err := skopeo(t, "list-tags", "--tls-verify=false", "--creds", "ci-push:"+pw, "docker://"+e.host+"/app")
	if err != nil || !strings.Contains(out, `"v1"`) {
		t.Fatalf("skopeo list-tags: %v\n%s", err, out)
	}
}

func TestSkopeoIsRefusedWhatTheScopeMapDoesNotGrant(t *testing.T) {
	needSkopeo(t)
	e := newSkopeoEnv(t)
	pusher := e.token(t, "ci-push", "repositories/app/content/read", "repositories/app/content/write")
	reader := e.token(t, "ci-read", "repositories/app/content/read")
	src := ociLayout(t)
	if out, err := skopeo(t, "copy", "--dest-tls-verify=false", "--dest-creds", "ci-push:"+pusher, src, "docker://"+e.host+"/app:v1"); err != nil {
		t.Fatalf("skopeo copy in: %v\n%s", err, out)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a pull-only token cannot push",
			[]string{"copy", "--dest-tls-verify=false", "--dest-creds", "ci-read:" + reader, src, "docker://" + e.host + "/app:v2"},
			"denied"},
		{"a token cannot push outside its repositories",
			[]string{"copy", "--dest-tls-verify=false", "--dest-creds", "ci-push:" + pusher, src, "docker://" + e.host + "/other:v1"},
			"denied"},
		{"a token cannot pull outside its repositories",
			[]string{"copy", "--src-tls-verify=false", "--src-creds", "ci-push:" + pusher, "docker://" + e.host + "/other:v1", "oci:" + t.TempDir() + ":v1"},
			"denied"},
		{"a wrong password is refused",
			[]string{"copy", "--src-tls-verify=false", "--src-creds", "ci-read:" + pusher, "docker://" + e.host + "/app:v1", "oci:" + t.TempDir() + ":v1"},
			"invalid username or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := skopeo(t, tt.args...)
			if err == nil {
				t.Fatalf("skopeo %s succeeded, want a refusal\n%s", tt.args[0], out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("skopeo output does not contain %q:\n%s", tt.want, out)
			}
		})
	}
}
