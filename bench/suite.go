package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// suite is one run: the binaries, the servers it started, the credentials
// it made, and the rows it measured.
type suite struct {
	opts options
	root string // the repository
	work string // temporary: binaries, data directories, logs
	out  io.Writer

	bin, stockBin string // openacr and stock distribution's registry
	data          string // the main data directory: ten tokens
	adminKey      string
	srv           *proc // openacr on data
	api           *api
	users         []cred // the ten tokens
	img           image
	many          *proc // openacr on the many-token data directory
	manyAPI       *api
	seeder        seeder
	// settled and settleCPU are how long the many-token server worked in
	// the background after its last start, and the CPU that took.
	settled, settleCPU time.Duration

	cur     string // the scenario running
	rows    []row
	results map[string]float64 // named figures the targets are judged on
	elapsed time.Duration
}

// cred is a token name and one of its passwords.
type cred struct{ name, password string }

// users is how many tokens the "ten tokens" registry has.
const users = 10

// scenario is one named measurement; -run selects by name.
type scenario struct {
	name, what string
	run        func(ctx context.Context, s *suite) error
}

// wants reports whether any selected scenario's name starts with one of
// prefixes: setup makes only what the selected scenarios need.
func (s *suite) wants(prefixes ...string) bool {
	for _, sc := range scenarios {
		if !s.opts.run.MatchString(sc.name) {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(sc.name, p) {
				return true
			}
		}
	}
	return false
}

func (s *suite) logf(format string, args ...any) {
	fmt.Fprintf(s.out, "-- "+format+"\n", args...)
}

// setup builds the binaries, starts openacr on an empty data directory,
// makes the bench scope map and ten tokens, and pushes the image.
func (s *suite) setup(ctx context.Context) error {
	s.logf("building openacr%s", map[bool]string{true: " and stock distribution", false: ""}[s.wants("stock")])
	var err error
	if s.bin, s.stockBin, err = build(ctx, s.root, s.work, s.wants("stock")); err != nil {
		return err
	}
	// One admin key for every server the suite starts.
	key := make([]byte, 24)
	rand.Read(key)
	s.adminKey = "oacradmin_bench" + hex.EncodeToString(key)
	s.data = filepath.Join(s.work, "data")
	if s.srv, err = s.serve(ctx, "openacr", s.data); err != nil {
		return err
	}
	s.api = newAPI(s.srv.url(), s.adminKey)
	if err := s.api.putScopeMap(ctx, scopeMapName, "repositories/"+repo+"/content/read",
		"repositories/"+repo+"/content/write", "repositories/"+repo+"/metadata/read", "repositories/mint/*/content/read"); err != nil {
		return err
	}
	for i := range users {
		name := fmt.Sprintf("bench-user-%d", i)
		if err := s.api.putToken(ctx, name); err != nil {
			return err
		}
		pw, err := s.api.generate(ctx, name)
		if err != nil {
			return err
		}
		s.users = append(s.users, cred{name, pw})
	}
	if s.wants("manifest", "stock", "blob", "revocation", "many/manifest") {
		s.logf("pushing the image (a small manifest and a 64 MiB blob)")
		s.img = newImage(64 << 20)
		if err := s.pushImage(ctx, s.api, s.users[0], s.wants("blob")); err != nil {
			return err
		}
	}
	return nil
}

func (s *suite) pushImage(ctx context.Context, a *api, u cred, big bool) error {
	at, err := a.accessToken(ctx, u.name, u.password, "pull,push")
	if err != nil {
		return err
	}
	return a.push(ctx, s.img, at, big)
}

// serve starts openacr serve on data, on a free loopback port.
func (s *suite) serve(ctx context.Context, name, data string, flags ...string) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--data", data, "--addr", addr, "--log-level", "warn",
		// The failure path measures the password check, not the 429 that
		// the failure limits answer with once a budget is spent.
		"--auth-failures-per-address", "1000000000", "--auth-failures-per-token", "1000000000"}, s.opts.serveFlags...)
	args = append(args, flags...)
	log := filepath.Join(s.work, fmt.Sprintf("%s-%d.log", name, time.Now().UnixNano()))
	env := []string{"OPENACR_ADMIN_KEY=" + s.adminKey, "OPENACR_SERVER="}
	return start(ctx, name, s.bin, addr, log, "/healthz", env, args...)
}

// close stops every server the suite started.
func (s *suite) close() {
	for _, p := range []*proc{s.srv, s.many} {
		if err := p.stop(); err != nil {
			fmt.Fprintln(s.out, "bench:", err)
		}
	}
}

// row is one line of the results table.
type row struct {
	what, result, cmd string
}

// add records a row of the scenario running, printing it at once.
func (s *suite) add(what, format string, args ...any) {
	r := row{what: what, result: fmt.Sprintf(format, args...), cmd: s.command()}
	s.rows = append(s.rows, r)
	fmt.Fprintf(s.out, "%-58s %s\n", r.what, r.result)
}

// command is the command line that reproduces the scenario running.
func (s *suite) command() string {
	c := "go run ./bench -run '^" + regexpQuote(s.cur) + "$'"
	if s.opts.quick {
		c += " -quick"
	}
	return c
}

func regexpQuote(s string) string {
	return strings.NewReplacer(".", `\.`, "+", `\+`, "(", `\(`, ")", `\)`).Replace(s)
}
