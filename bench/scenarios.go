package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// scenarios in the order they run. The many/ ones run last: seeding a
// million tokens is the slowest step.
var scenarios = []scenario{
	{"startup/empty", "start-up time to ready, empty data directory", startupEmpty},
	{"generate-credentials", "generateCredentials latency through the management API", generateCredentials},
	{"issue/c=1", "token issuance, 1 client", issue(1, false)},
	{"issue/c=8", "token issuance, 8 clients", issue(8, false)},
	{"issue/c=64", "token issuance, 64 clients", issue(64, false)},
	{"issue-mint/c=1", "token issuance, every request a new grant (minted, not reused), 1 client", issueMint(1)},
	{"issue-mint/c=64", "token issuance, every request a new grant (minted, not reused), 64 clients", issueMint(64)},
	{"issue-fail/c=1", "token issuance, wrong password, 1 client", issue(1, true)},
	{"issue-fail/c=8", "token issuance, wrong password, 8 clients", issue(8, true)},
	{"issue-fail/c=64", "token issuance, wrong password, 64 clients", issue(64, true)},
	{"manifest", "manifest GET, auth on vs off (same registry), 64 clients", manifest},
	{"stock", "stock distribution manifest GET vs openacr issuance, 64 clients", stock},
	{"blob", "64 MiB blob GET, auth on vs off, 4 clients", blob},
	{"revocation", "credential delete → first refusal of an earlier access token", revocation},
	{"many/seed", "seed the many-token registry through the store", manySeed},
	{"many/startup", "start-up time to ready, many-token data directory", manyStartup},
	{"many/issue", "issuance, 10 vs many tokens (1,000-token working set), 64 clients", manyIssue},
	{"many/issue-cold", "issuance, many tokens, every request a token not used before", manyIssueCold},
	{"many/manifest", "manifest GET, 10 vs many tokens, 64 clients", manyManifest},
	{"many/memory", "server resident memory", manyMemory},
}

// startupEmpty starts openacr on fresh data directories: it creates its
// keys, the database and the first registry before it answers.
func startupEmpty(ctx context.Context, s *suite) error {
	n := 5
	if s.opts.quick {
		n = 2
	}
	var ds []time.Duration
	for i := range n {
		p, err := s.serve(ctx, "openacr-empty", filepath.Join(s.work, fmt.Sprintf("empty-%d", i)))
		if err != nil {
			return err
		}
		ds = append(ds, p.ready)
		if err := p.stop(); err != nil {
			return err
		}
	}
	slices.Sort(ds)
	s.results["startup-empty"] = ds[len(ds)/2].Seconds()
	s.add("start-up to ready, empty data directory", "median %s, max %s (%d starts)", ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), n)
	return nil
}

// generateCredentials regenerates password1 of one token again and again:
// each call is one write transaction, synced to disk.
func generateCredentials(ctx context.Context, s *suite) error {
	n := 100
	if s.opts.quick {
		n = 20
	}
	const name = "bench-generate"
	if err := s.api.putToken(ctx, name); err != nil {
		return err
	}
	var r result
	for range n {
		t0 := time.Now()
		if _, err := s.api.generate(ctx, name); err != nil {
			return err
		}
		r.lat = append(r.lat, time.Since(t0))
		r.n++
	}
	slices.Sort(r.lat)
	s.add("generateCredentials (one password), sequential", "p50 %s, p99 %s (%d calls)", ms(r.pct(50)), ms(r.pct(99)), n)
	return nil
}

// issue measures GET /oauth2/token with HTTP Basic and one repository
// scope; fail sends a well-formed password that matches no token.
func issue(c int, fail bool) func(context.Context, *suite) error {
	return func(ctx context.Context, s *suite) error {
		r, err := s.issueLoad(ctx, s.srv, s.api, c, fail, s.opts.d)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("issuance, %d %s (the access token reused within its window)", c, clients(c))
		key := fmt.Sprintf("issue-c%d", c)
		if fail {
			what = fmt.Sprintf("issuance refused (wrong password), %d %s", c, clients(c))
			key = fmt.Sprintf("issue-fail-c%d", c)
		}
		s.results[key], s.results[key+"-p99"] = r.rate(), r.pct(99).Seconds()
		s.add(what, "%s", r)
		return nil
	}
}

// issueMint measures issuance where every request asks for a repository
// not asked for before (the bench scope map grants mint/*), so that no
// access token is reused: each request is signed.
func issueMint(c int) func(context.Context, *suite) error {
	return func(ctx context.Context, s *suite) error {
		build := func(w, i int) *http.Request {
			u := s.users[w%len(s.users)]
			req, _ := s.api.tokenRequest(u.name, u.password, "pull")
			q := req.URL.Query()
			q.Set("scope", fmt.Sprintf("repository:mint/w%d/r%d:pull", w, i))
			req.URL.RawQuery = q.Encode()
			return req
		}
		r, err := withCPU(s.srv, func() (result, error) {
			return run(ctx, c, warmup(s.opts.d), s.opts.d, http.StatusOK, build)
		})
		if err != nil {
			return err
		}
		s.results[fmt.Sprintf("issue-mint-c%d", c)] = r.rate()
		s.results[fmt.Sprintf("issue-mint-c%d-p99", c)] = r.pct(99).Seconds()
		s.add(fmt.Sprintf("issuance, %d %s, every request a new grant (signed)", c, clients(c)), "%s", r)
		return nil
	}
}

// issueLoad runs issuance for the ten tokens at concurrency c against p.
func (s *suite) issueLoad(ctx context.Context, p *proc, a *api, c int, fail bool, d time.Duration) (result, error) {
	want := http.StatusOK
	var wrong string
	if fail {
		want = http.StatusUnauthorized
		var err error
		if wrong, err = access.NewSecret(rand.Reader); err != nil {
			return result{}, err
		}
	}
	reqs := make([]*http.Request, c)
	for w := range reqs {
		u := s.users[w%len(s.users)]
		if fail {
			u.password = wrong
		}
		var err error
		if reqs[w], err = a.tokenRequest(u.name, u.password, "pull"); err != nil {
			return result{}, err
		}
	}
	return withCPU(p, func() (result, error) { return run(ctx, c, warmup(d), d, want, same(reqs)) })
}

func clients(c int) string {
	if c == 1 {
		return "client"
	}
	return "clients"
}

func warmup(d time.Duration) time.Duration { return min(d/4, time.Second) }

// manifestLoad GETs the small manifest from p at concurrency c, each worker
// with the access token tokens[w % len].
func manifestLoad(ctx context.Context, p *proc, c int, tokens []string, d time.Duration) (result, error) {
	reqs := make([]*http.Request, c)
	for w := range reqs {
		at := ""
		if len(tokens) > 0 {
			at = tokens[w%len(tokens)]
		}
		var err error
		if reqs[w], err = (&api{}).get(p.url(), "/v2/"+repo+"/manifests/v1", at); err != nil {
			return result{}, err
		}
	}
	return withCPU(p, func() (result, error) { return run(ctx, c, warmup(d), d, http.StatusOK, same(reqs)) })
}

// userTokens mints one pull access token per user.
func (s *suite) userTokens(ctx context.Context, a *api) ([]string, error) {
	var out []string
	for _, u := range s.users {
		at, err := a.accessToken(ctx, u.name, u.password, "pull")
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, nil
}

// rounds is how many alternating rounds a comparison runs, each d/2 long
// per side.
func (s *suite) rounds() int {
	if s.opts.quick {
		return 2
	}
	return 4
}

// withAuthOff runs fn with a second openacr on the same data directory and
// storage, authentication switched off (--insecure-no-auth, loopback only).
func (s *suite) withAuthOff(ctx context.Context, fn func(off *proc) error) error {
	off, err := s.serve(ctx, "openacr-auth-off", s.data, "--insecure-no-auth")
	if err != nil {
		return err
	}
	defer off.stop()
	return fn(off)
}

// manifest compares manifest GETs with an access token against the same
// registry with auth off, in alternating rounds.
func manifest(ctx context.Context, s *suite) error {
	tokens, err := s.userTokens(ctx, s.api)
	if err != nil {
		return err
	}
	return s.withAuthOff(ctx, func(off *proc) error {
		half := s.opts.d / 2
		on, offR, err := alternate(ctx, s.rounds(),
			func(ctx context.Context) (result, error) { return manifestLoad(ctx, s.srv, 64, tokens, half) },
			func(ctx context.Context) (result, error) { return manifestLoad(ctx, off, 64, nil, half) })
		if err != nil {
			return err
		}
		s.results["manifest-on"], s.results["manifest-off"] = on.rate(), offR.rate()
		s.add("manifest GET, access token, 64 clients", "%s", on)
		s.add("manifest GET, auth off, 64 clients", "%s", offR)
		s.add("manifest GET: auth on / auth off", "%.1f %%", 100*on.rate()/offR.rate())
		return nil
	})
}

// stock compares openacr's issuance with stock distribution serving the
// same small manifest from the same storage, without auth.
func stock(ctx context.Context, s *suite) error {
	cfg := filepath.Join(s.work, "registry.yml")
	root := filepath.Join(s.data, "registries", registryName)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	if err := writeStockConfig(cfg, root, addr); err != nil {
		return err
	}
	p, err := start(ctx, "distribution", s.stockBin, addr, filepath.Join(s.work, "distribution.log"), "/v2/", nil, "serve", cfg)
	if err != nil {
		return err
	}
	defer p.stop()
	half := s.opts.d / 2
	iss, man, err := alternate(ctx, s.rounds(),
		func(ctx context.Context) (result, error) { return s.issueLoad(ctx, s.srv, s.api, 64, false, half) },
		func(ctx context.Context) (result, error) { return manifestLoad(ctx, p, 64, nil, half) })
	if err != nil {
		return err
	}
	s.results["stock-manifest"], s.results["stock-issue"] = man.rate(), iss.rate()
	s.add("stock distribution v3 manifest GET, no auth, 64 clients", "%s", man)
	s.add("openacr issuance in the same rounds, 64 clients", "%s", iss)
	s.add("openacr issuance / stock manifest GET", "%.1f %%", 100*iss.rate()/man.rate())
	return nil
}

// blob compares 64 MiB blob GETs with an access token and with auth off.
func blob(ctx context.Context, s *suite) error {
	tokens, err := s.userTokens(ctx, s.api)
	if err != nil {
		return err
	}
	load := func(p *proc, tokens []string) func(context.Context) (result, error) {
		return func(ctx context.Context) (result, error) {
			reqs := make([]*http.Request, 4)
			for w := range reqs {
				at := ""
				if len(tokens) > 0 {
					at = tokens[w%len(tokens)]
				}
				var err error
				if reqs[w], err = (&api{}).get(p.url(), "/v2/"+repo+"/blobs/"+s.img.bigDigest, at); err != nil {
					return result{}, err
				}
			}
			return withCPU(p, func() (result, error) {
				return run(ctx, 4, warmup(s.opts.d), s.opts.d/2, http.StatusOK, same(reqs))
			})
		}
	}
	return s.withAuthOff(ctx, func(off *proc) error {
		on, offR, err := alternate(ctx, s.rounds(), load(s.srv, tokens), load(off, nil))
		if err != nil {
			return err
		}
		s.results["blob-on"], s.results["blob-off"] = on.mibps(), offR.mibps()
		s.add("64 MiB blob GET, access token, 4 clients", "%.0f MiB/s, p50 %s (%d blobs)", on.mibps(), ms(on.pct(50)), on.n)
		s.add("64 MiB blob GET, auth off, 4 clients", "%.0f MiB/s, p50 %s (%d blobs)", offR.mibps(), ms(offR.pct(50)), offR.n)
		s.add("64 MiB blob GET: auth on / auth off", "%.1f %%", 100*on.mibps()/offR.mibps())
		return nil
	})
}

// writeStockConfig configures stock distribution as openacr configures
// its embedded apps: filesystem storage, in-memory blob descriptor cache.
func writeStockConfig(path, root, addr string) error {
	return os.WriteFile(path, fmt.Appendf(nil, `version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: %s}
  cache: {blobdescriptor: inmemory}
http: {addr: %s}
`, root, addr), 0o600)
}
