package server_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/server"
)

// The fault tests run the real binary, as an operator does, and hurt it:
// SIGKILL in the middle of credential operations, SIGTERM in the middle of
// an upload.

var builtBinary struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// binary builds cmd/openacr once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "openacr-faults")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "openacr")
		builtBinary.out, builtBinary.err = exec.Command("go", "build", "-o", builtBinary.path, "../../cmd/openacr").CombinedOutput()
	})
	if builtBinary.err != nil {
		t.Fatalf("go build: %v\n%s", builtBinary.err, builtBinary.out)
	}
	return builtBinary.path
}

// served is one `openacr serve` process.
type served struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	key    string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // how it exited, once exited is closed
}

// serve starts the binary on data, on a free loopback port, without limits
// on failed logins (the fault tests make many on purpose).
func serve(t *testing.T, bin, data string) *served {
	t.Helper()
	os.Remove(filepath.Join(data, server.EndpointFile)) // a killed server leaves its own behind
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data,
		"--auth-failures-per-address", "0", "--auth-failures-per-token", "0")
	cmd.Env = append(os.Environ(), "OPENACR_ADMIN_KEY=")
	s := &served{t: t, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.Discard, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-s.exited })
	s.url = waitForFile(t, filepath.Join(data, server.EndpointFile))
	key, err := os.ReadFile(filepath.Join(data, server.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	s.key = strings.TrimSpace(string(key))
	return s
}

const faultRegistry = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myresourcegroup/providers/Microsoft.ContainerRegistry/registries/myregistry"

// arm sends a management request and returns the status and body; err is
// the transport's (a killed server).
func (s *served) arm(method, path, body string) (int, []byte, error) {
	u := s.url + faultRegistry + path
	if !strings.Contains(path, "?") {
		u += "?api-version=2023-07-01"
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (s *served) mustARM(method, path, body string) []byte {
	s.t.Helper()
	code, b, err := s.arm(method, path, body)
	if err != nil || code >= 300 {
		s.t.Fatalf("%s %s: %d %v %s", method, path, code, err, b)
	}
	return b
}

// login asks /oauth2/token for an access token with a token's password.
func (s *served) login(user, pw string) (int, error) {
	req, _ := http.NewRequest("GET", s.url+"/oauth2/token?scope=repository:app:pull", nil)
	req.SetBasicAuth(user, pw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// generated is one acknowledged generateCredentials.
type generated struct {
	slot, value, created string
}

// rotation is the history of one token's passwords as its worker saw it.
type rotation struct {
	token string
	mu    sync.Mutex
	acked []generated
	// inFlight is the slot of a generation sent and never answered.
	inFlight string
}

func (r *rotation) latest() (generated, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.acked) == 0 {
		return generated{}, false
	}
	return r.acked[len(r.acked)-1], true
}

// rotate regenerates password1 and password2 in turn until the server
// stops answering.
func (r *rotation) rotate(s *served) {
	for i := 0; ; i++ {
		slot := []string{"password1", "password2"}[i%2]
		r.mu.Lock()
		r.inFlight = slot
		r.mu.Unlock()
		code, body, err := s.arm("POST", "/generateCredentials", fmt.Sprintf(`{"tokenId":"%s/tokens/%s","name":"%s"}`, faultRegistry, r.token, slot))
		if err != nil {
			return // killed: the generation in flight may or may not have happened
		}
		var res struct {
			Passwords []struct{ Name, Value, CreationTime string }
		}
		if code != 200 || json.Unmarshal(body, &res) != nil {
			s.t.Errorf("generate %s of %s: %d %s", slot, r.token, code, body)
			return
		}
		r.mu.Lock()
		r.inFlight = ""
		for _, p := range res.Passwords {
			if p.Value != "" {
				r.acked = append(r.acked, generated{slot: p.Name, value: p.Value, created: p.CreationTime})
			}
		}
		r.mu.Unlock()
	}
}

// TestSIGKILLKeepsEveryAcknowledgedCredential kills the server while
// passwords are being regenerated and used, restarts it on the same data
// directory, and checks that every password whose generation was
// acknowledged works unless a later generation replaced it, that every
// replaced one does not, that every acknowledged generation is in the
// audit log, and that the database is intact.
func TestSIGKILLKeepsEveryAcknowledgedCredential(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	s := serve(t, bin, data)
	s.mustARM("PUT", "/scopeMaps/readers", `{"properties":{"actions":["repositories/app/content/read"]}}`)
	var rotations []*rotation
	for i := range 6 {
		r := &rotation{token: fmt.Sprintf("rotor-%d", i)}
		s.mustARM("PUT", "/tokens/"+r.token, `{"properties":{"scopeMapId":"`+faultRegistry+`/scopeMaps/readers"}}`)
		rotations = append(rotations, r)
	}

	var wg sync.WaitGroup
	var stop atomic.Bool
	var logins atomic.Int64
	for _, r := range rotations {
		wg.Go(func() { r.rotate(s) })
	}
	for i := range 2 {
		wg.Go(func() {
			for j := i; !stop.Load(); j++ {
				g, ok := rotations[j%len(rotations)].latest()
				if !ok {
					time.Sleep(time.Millisecond)
					continue
				}
				if _, err := s.login(rotations[j%len(rotations)].token, g.value); err != nil {
					return
				}
				logins.Add(1)
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	stop.Store(true)
	wg.Wait()
	total, inFlight := 0, 0
	for _, r := range rotations {
		total += len(r.acked)
		if r.inFlight != "" {
			inFlight++
		}
	}
	t.Logf("killed after %d acknowledged generations and %d logins, with %d generations in flight", total, logins.Load(), inFlight)
	if total < len(rotations) {
		t.Fatalf("only %d generations before the kill: the test proves nothing", total)
	}

	wantIntegrity(t, filepath.Join(data, server.DatabaseFile))

	s = serve(t, bin, data)
	audited := generationsAudited(t, s)
	for _, r := range rotations {
		checkRotation(t, s, r, audited[r.token])
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if <-s.exited; s.err != nil {
		t.Errorf("restarted server exited with %v after SIGTERM", s.err)
	}
	wantIntegrity(t, filepath.Join(data, server.DatabaseFile))
}

// checkRotation checks one token after the restart: in each slot the last
// acknowledged password works, unless the generation in flight at the kill
// replaced it; every earlier one is refused.
func checkRotation(t *testing.T, s *served, r *rotation, audited int) {
	t.Helper()
	var tok struct {
		Properties struct {
			Credentials struct {
				Passwords []struct{ Name, CreationTime string }
			}
		}
	}
	if err := json.Unmarshal(s.mustARM("GET", "/tokens/"+r.token, ""), &tok); err != nil {
		t.Fatal(err)
	}
	current := map[string]string{}
	for _, p := range tok.Properties.Credentials.Passwords {
		current[p.Name] = p.CreationTime
	}
	last := map[string]int{}
	for i, g := range r.acked {
		last[g.slot] = i
	}
	for i, g := range r.acked {
		want := http.StatusUnauthorized
		if last[g.slot] == i && current[g.slot] == g.created {
			want = http.StatusOK
		} else if last[g.slot] == i && r.inFlight != g.slot {
			t.Errorf("%s %s: the server has the password created at %s, but the last acknowledged one was created at %s and no generation of that slot was in flight",
				r.token, g.slot, current[g.slot], g.created)
		}
		if code, err := s.login(r.token, g.value); err != nil || code != want {
			t.Errorf("%s %s generated at %s (%d of %d): login %d %v, want %d", r.token, g.slot, g.created, i+1, len(r.acked), code, err, want)
		}
	}
	if audited < len(r.acked) || audited > len(r.acked)+1 || (audited > len(r.acked) && r.inFlight == "") {
		t.Errorf("%s: %d generations audited, %d acknowledged (one in flight: %v)", r.token, audited, len(r.acked), r.inFlight != "")
	}
}

// generationsAudited counts the successful generateCredentials of each
// token in the audit log.
func generationsAudited(t *testing.T, s *served) map[string]int {
	t.Helper()
	out := map[string]int{}
	path := "/auditLogs?api-version=2023-07-01&result=success&$top=1000"
	for i := 0; path != "" && i < 100; i++ {
		var page struct {
			Value []struct {
				Operation, Token string
			}
			NextLink string
		}
		if err := json.Unmarshal(s.mustARM("GET", path, ""), &page); err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Value {
			if v.Operation == "Microsoft.ContainerRegistry/registries/generateCredentials/action" {
				out[v.Token]++
			}
		}
		path = ""
		if page.NextLink != "" {
			_, path, _ = strings.Cut(page.NextLink, "/registries/myregistry")
		}
	}
	return out
}

// wantIntegrity runs SQLite's integrity check on the database file of a
// server that is not running.
func wantIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("PRAGMA integrity_check: %q, %v", res, err)
	}
}

// TestSIGTERMDrainsAnUploadInFlight sends SIGTERM while a blob upload's
// body is still arriving; the upload completes within the grace period,
// the server exits cleanly, and the blob is there after a restart.
func TestSIGTERMDrainsAnUploadInFlight(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	s := serve(t, bin, data)
	s.mustARM("PUT", "/scopeMaps/pushers", `{"properties":{"actions":["repositories/app/content/read","repositories/app/content/write"]}}`)
	s.mustARM("PUT", "/tokens/uploader", `{"properties":{"scopeMapId":"`+faultRegistry+`/scopeMaps/pushers"}}`)
	var gen struct{ Passwords []struct{ Value string } }
	json.Unmarshal(s.mustARM("POST", "/generateCredentials", `{"tokenId":"`+faultRegistry+`/tokens/uploader","name":"password1"}`), &gen)
	pw := gen.Passwords[0].Value

	start, _ := http.NewRequest("POST", s.url+"/v2/app/blobs/uploads/", nil)
	start.SetBasicAuth("uploader", pw)
	resp, err := http.DefaultClient.Do(start)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start upload: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	location := resp.Header.Get("Location")
	if !strings.HasPrefix(location, "http") {
		location = s.url + location
	}

	blob := bytes.Repeat([]byte("openacr "), 64<<10) // 512 KiB
	sum := sha256.Sum256(blob)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	body, feed := io.Pipe()
	put, _ := http.NewRequest("PUT", location+"&digest="+digest, body)
	put.SetBasicAuth("uploader", pw)
	put.Header.Set("Content-Type", "application/octet-stream")
	result := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(put)
		if err != nil {
			t.Errorf("PUT: %v", err)
		}
		result <- resp
	}()
	feed.Write(blob[:len(blob)/2])
	time.Sleep(200 * time.Millisecond) // the request is in the handler, reading
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the server is shutting down meanwhile
	feed.Write(blob[len(blob)/2:])
	feed.Close()
	if resp := <-result; resp == nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload finished during shutdown: %v, want 201 Created", resp)
	} else {
		resp.Body.Close()
	}
	select {
	case <-s.exited:
		if s.err != nil {
			t.Errorf("serve exited with %v, want 0", s.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Errorf("no clean shutdown in the log:\n%s", s.stderr.String())
	}

	s = serve(t, bin, data)
	head, _ := http.NewRequest("HEAD", s.url+"/v2/app/blobs/"+digest, nil)
	head.SetBasicAuth("uploader", pw)
	resp, err = http.DefaultClient.Do(head)
	if err != nil || resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(blob)) {
		t.Errorf("HEAD the blob after a restart: %v %v", resp, err)
	}
}
