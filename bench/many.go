package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"time"
)

// workingSet is how many of the many tokens the warm measurements use: a
// registry's active clients are far fewer than its tokens.
const workingSet = 1000

// manyData is the many-token data directory.
func (s *suite) manyData() string { return filepath.Join(s.work, "many") }

// ensureMany makes the many-token registry once (the image, then the
// seeded tokens) and has its server running.
func (s *suite) ensureMany(ctx context.Context) error {
	if s.seeder.key == nil {
		if err := s.seedMany(ctx); err != nil {
			return err
		}
	}
	if s.many != nil {
		return nil
	}
	var err error
	if s.many, err = s.serve(ctx, "openacr-many", s.manyData()); err != nil {
		return err
	}
	s.manyAPI = newAPI(s.many.url(), s.adminKey)
	if s.settled, s.settleCPU, err = s.many.settle(); err != nil {
		return err
	}
	return nil
}

// seedMany starts openacr on an empty directory to make the registry, the
// scope map and the small image, stops it, and seeds the tokens through the
// store.
func (s *suite) seedMany(ctx context.Context) error {
	data := s.manyData()
	p, err := s.serve(ctx, "openacr-many", data)
	if err != nil {
		return err
	}
	defer p.stop()
	a := newAPI(p.url(), s.adminKey)
	if err := a.putScopeMap(ctx, scopeMapName, "repositories/"+repo+"/content/read",
		"repositories/"+repo+"/content/write", "repositories/"+repo+"/metadata/read", "repositories/mint/*/content/read"); err != nil {
		return err
	}
	if s.img.manifest == nil {
		s.img = newImage(0)
	}
	if err := a.putToken(ctx, "bench-pusher"); err != nil {
		return err
	}
	pw, err := a.generate(ctx, "bench-pusher")
	if err != nil {
		return err
	}
	if err := s.pushImage(ctx, a, cred{"bench-pusher", pw}, false); err != nil {
		return err
	}
	if err := p.stop(); err != nil {
		return err
	}
	hashKey, err := readHashKey(data)
	if err != nil {
		return err
	}
	sd := seeder{key: make([]byte, 32), hashKey: hashKey}
	rand.Read(sd.key)
	before := dbSize(data)
	s.logf("seeding %d tokens", s.opts.tokens)
	t0 := time.Now()
	if err := sd.seed(ctx, data, 0, s.opts.tokens); err != nil {
		return err
	}
	took := time.Since(t0)
	s.seeder = sd
	after := dbSize(data)
	saved := s.cur
	s.cur = "many/seed"
	s.add(fmt.Sprintf("seed %d tokens through the store (batches of %d)", s.opts.tokens, seedBatch),
		"%s (%.0f tokens/s)", took.Round(100*time.Millisecond), float64(s.opts.tokens)/took.Seconds())
	s.add("database size", "%.0f MiB, %d bytes per token", float64(after)/(1<<20), (after-before)/int64(s.opts.tokens))
	s.cur = saved
	return nil
}

func manySeed(ctx context.Context, s *suite) error {
	if s.seeder.key != nil {
		return nil
	}
	return s.seedMany(ctx)
}

// manyStartup restarts the many-token server and times it to ready.
func manyStartup(ctx context.Context, s *suite) error {
	if err := s.ensureMany(ctx); err != nil {
		return err
	}
	n := 3
	if s.opts.quick {
		n = 1
	}
	var ds []time.Duration
	for range n {
		if err := s.many.stop(); err != nil {
			return err
		}
		s.many = nil
		if err := s.ensureMany(ctx); err != nil {
			return err
		}
		ds = append(ds, s.many.ready)
	}
	slices.Sort(ds)
	s.results["startup-many"] = ds[len(ds)/2].Seconds()
	s.add(fmt.Sprintf("start-up to ready, %d tokens", s.opts.tokens), "median %s, max %s (%d starts)", ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), n)
	s.add(fmt.Sprintf("background work after ready, %d tokens (the password-expiry index reads every token)", s.opts.tokens),
		"idle after %s, %s of CPU", s.settled.Round(100*time.Millisecond), s.settleCPU.Round(10*time.Millisecond))
	return nil
}

// working returns the indexes of the working set, spread over all tokens.
func (s *suite) working() []int {
	n := min(workingSet, s.opts.tokens)
	out := make([]int, n)
	for i := range out {
		out[i] = i * s.opts.tokens / n
	}
	return out
}

// manyIssue alternates issuance on the ten-token server and on the
// many-token one, for the working set.
func manyIssue(ctx context.Context, s *suite) error {
	if err := s.ensureMany(ctx); err != nil {
		return err
	}
	var reqs []*http.Request
	for _, i := range s.working() {
		req, err := s.manyAPI.tokenRequest(tokenName(i), s.seeder.password(i), "pull")
		if err != nil {
			return err
		}
		reqs = append(reqs, req)
	}
	cycle := func(w, i int) *http.Request { return reqs[(w+64*i)%len(reqs)] }
	half := s.opts.d / 2
	ten, many, err := alternate(ctx, s.rounds(),
		func(ctx context.Context) (result, error) { return s.issueLoad(ctx, s.srv, s.api, 64, false, half) },
		func(ctx context.Context) (result, error) {
			return withCPU(s.many, func() (result, error) { return run(ctx, 64, warmup(half), half, http.StatusOK, cycle) })
		})
	if err != nil {
		return err
	}
	s.results["many-issue-ratio"] = many.rate() / ten.rate()
	s.add("issuance, 10 tokens, 64 clients", "%s", ten)
	s.add(fmt.Sprintf("issuance, %d tokens (%d in use), 64 clients", s.opts.tokens, len(reqs)), "%s", many)
	s.add("issuance: many tokens / 10 tokens", "%.1f %%", 100*many.rate()/ten.rate())
	return nil
}

// manyIssueCold sends every request as a token not used before, as far as
// the tokens go: each is a miss of the server's token cache, so a read of
// the database.
func manyIssueCold(ctx context.Context, s *suite) error {
	if err := s.ensureMany(ctx); err != nil {
		return err
	}
	const c = 64
	region := s.opts.tokens / c
	base, err := s.manyAPI.tokenRequest("x", "x", "pull")
	if err != nil {
		return err
	}
	used := make([]int, c) // requests per worker; each worker runs alone
	build := func(w, i int) *http.Request {
		used[w] = i + 1
		k := w*region + i%region
		req := base.Clone(ctx)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(tokenName(k)+":"+s.seeder.password(k))))
		return req
	}
	r, err := withCPU(s.many, func() (result, error) { return run(ctx, c, 0, s.opts.d, http.StatusOK, build) })
	if err != nil {
		return err
	}
	distinct := 0
	for _, n := range used {
		distinct += min(n, region)
	}
	s.results["many-issue-cold"] = r.rate()
	s.add(fmt.Sprintf("issuance, %d tokens, cold (%d tokens, each first use), 64 clients", s.opts.tokens, distinct), "%s", r)
	return nil
}

// manyManifest alternates manifest GETs on the ten-token server and on the
// many-token one, with access tokens of the working set.
func manyManifest(ctx context.Context, s *suite) error {
	if err := s.ensureMany(ctx); err != nil {
		return err
	}
	ten, err := s.userTokens(ctx, s.api)
	if err != nil {
		return err
	}
	var many []string
	for _, i := range s.working() {
		at, err := s.manyAPI.accessToken(ctx, tokenName(i), s.seeder.password(i), "pull")
		if err != nil {
			return err
		}
		many = append(many, at)
	}
	half := s.opts.d / 2
	rt, rm, err := alternate(ctx, s.rounds(),
		func(ctx context.Context) (result, error) { return manifestLoad(ctx, s.srv, 64, ten, half) },
		func(ctx context.Context) (result, error) { return manifestLoad(ctx, s.many, 64, many, half) })
	if err != nil {
		return err
	}
	s.results["many-manifest-ratio"] = rm.rate() / rt.rate()
	s.add("manifest GET, 10 tokens, 64 clients", "%s", rt)
	s.add(fmt.Sprintf("manifest GET, %d tokens (%d in use), 64 clients", s.opts.tokens, len(many)), "%s", rm)
	s.add("manifest GET: many tokens / 10 tokens", "%.1f %%", 100*rm.rate()/rt.rate())
	return nil
}

// manyMemory reports the resident memory of both servers after the load.
func manyMemory(ctx context.Context, s *suite) error {
	if err := s.ensureMany(ctx); err != nil {
		return err
	}
	for _, p := range []struct {
		what string
		p    *proc
		key  string
	}{{"10 tokens", s.srv, "rss-ten"}, {fmt.Sprintf("%d tokens", s.opts.tokens), s.many, "rss-many"}} {
		rss, peak, err := p.p.memory()
		if err != nil {
			return err
		}
		s.results[p.key] = float64(peak)
		s.add("server resident memory, "+p.what, "%.0f MiB now, %.0f MiB peak", float64(rss)/(1<<20), float64(peak)/(1<<20))
	}
	return nil
}
