package access_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// recorder keeps every random byte the Service reads.
type recorder struct {
	mu    sync.Mutex
	reads [][]byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := rand.Read(p)
	r.mu.Lock()
	r.reads = append(r.reads, bytes.Clone(p[:n]))
	r.mu.Unlock()
	return n, err
}

func TestDatabaseNeverContainsAPassword(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	e.svc.Rand = rec
	e.registry(t, "myregistry")
	e.token(t, "myregistry", "second-token", "reader")
	var secrets []string
	for range 3 {
		for _, tok := range []string{"MyToken", "second-token"} {
			for _, v := range e.generate(t, "myregistry", tok, "", nil) {
				secrets = append(secrets, v)
			}
		}
	}
	last := e.generate(t, "myregistry", "MyToken", access.Password1, nil)[access.Password1]
	secrets = append(secrets, last)
	// The values are real, or the test would prove nothing.
	if _, err := e.svc.Authenticate(t.Context(), "myregistry", "MyToken", last); err != nil {
		t.Fatalf("a generated value does not authenticate: %v", err)
	}

	var needles [][]byte
	for _, s := range secrets {
		body := strings.TrimPrefix(s, access.SecretPrefix)[:43] // the random part
		needles = append(needles, []byte(s), []byte(body))
	}
	needles = append(needles, rec.reads...)
	// Positive control: the stored hash must be found, or the scan reads
	// the wrong files.
	p, _ := e.getToken(t, "myregistry", "MyToken").Password(access.Password1)
	control := p.Hash

	check := func(when string) {
		t.Helper()
		files, found := 0, false
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(e.path + suffix)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			files++
			found = found || bytes.Contains(b, control)
			for _, n := range needles {
				if bytes.Contains(b, n) {
					t.Errorf("%s: %s contains a secret (%d bytes)", when, "openacr.db"+suffix, len(n))
				}
			}
		}
		if files == 0 || !found {
			t.Fatalf("%s: %d database files at %s, stored hash found: %v", when, files, e.path, found)
		}
	}
	check("while open") // the WAL holds the recent writes
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	check("after close")
}

func TestWellFormedSecret(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	v := e.generate(t, "myregistry", "MyToken", access.Password1, nil)[access.Password1]
	tests := []struct {
		name   string
		secret string
		want   bool
	}{
		{"a generated value is well-formed", v, true},
		{"a changed character breaks the checksum", v[:10] + flip(v[10]) + v[11:], false},
		{"a truncated value is refused", v[:len(v)-1], false},
		{"a value with another prefix is refused", "ghp_" + v[4:], false},
		{"a non-base62 character is refused", v[:len(v)-7] + "-" + v[len(v)-6:], false},
		{"the empty string is refused", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := access.WellFormedSecret(tt.secret); got != tt.want {
				t.Errorf("WellFormedSecret(%q) = %v, want %v", tt.secret, got, tt.want)
			}
		})
	}
	if len(v) != access.SecretLen || !strings.HasPrefix(v, access.SecretPrefix) {
		t.Errorf("got %d characters %q..., want %d starting %q", len(v), v[:5], access.SecretLen, access.SecretPrefix)
	}
}

func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

// A failing random source fails the generation and changes nothing.
func TestGenerateWithoutRandomness(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	before := e.getToken(t, "myregistry", "MyToken")
	e.svc.Rand = io.LimitReader(rand.Reader, 10)
	if _, err := e.svc.GenerateCredentials(t.Context(), group, "myregistry", "MyToken", "", nil); err == nil {
		t.Fatal("GenerateCredentials with a short random source: got no error")
	}
	if after := e.getToken(t, "myregistry", "MyToken"); after.Generation != before.Generation || len(after.Passwords) != 0 {
		t.Errorf("got %+v after a failed generation, want it unchanged", after)
	}
}
