package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// target is one of issue #6's targets: a figure the suite measured, the
// bound, and which side of it is good.
type target struct {
	what    string
	key     string  // in suite.results
	bound   float64 // in the figure's unit
	atLeast bool    // the figure must be >= bound (else <=)
	show    func(float64) string
}

var targets = []target{
	{"issuance ≥ 10,000 req/s at 64 clients", "issue-c64", 10000, true, rate},
	{"issuance p99 ≤ 20 ms at 64 clients", "issue-c64-p99", 0.020, false, secs},
	{"(the same, informational) every request signed: ≥ 10,000 req/s at 64 clients", "issue-mint-c64", 10000, true, rate},
	{"(the same, informational) every request signed: p99 ≤ 20 ms at 64 clients", "issue-mint-c64-p99", 0.020, false, secs},
	{"issuance ≥ stock distribution's small-manifest GET rate (same rounds)", "issue-vs-stock", 1, true, pct},
	{"authorized manifest GET ≥ 90 % of auth off", "manifest-ratio", 0.90, true, pct},
	{"64 MiB blob GET ≥ 95 % of auth off", "blob-ratio", 0.95, true, pct},
	{"many tokens: issuance within 10 % of 10 tokens", "many-issue-ratio", 0.90, true, pct},
	{"many tokens: manifest GET within 10 % of 10 tokens", "many-manifest-ratio", 0.90, true, pct},
	{"start-up < 3 s, empty data directory", "startup-empty", 3, false, secs},
	{"start-up < 3 s, many tokens", "startup-many", 3, false, secs},
	{"resident memory < 1 GiB, many tokens (peak)", "rss-many", 1 << 30, false, mib},
	{"revocation ≤ 1 s (worst of the deletes)", "revocation-max", 1, false, secs},
}

func rate(v float64) string { return fmt.Sprintf("%.0f req/s", v) }
func secs(v float64) string { return ms(time.Duration(v * float64(time.Second))) }
func pct(v float64) string  { return fmt.Sprintf("%.1f %%", 100*v) }
func mib(v float64) string  { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }

// derive computes the ratios the targets are judged on.
func (s *suite) derive() {
	r := s.results
	ratio := func(key, a, b string) {
		if r[a] > 0 && r[b] > 0 {
			r[key] = r[a] / r[b]
		}
	}
	ratio("issue-vs-stock", "stock-issue", "stock-manifest")
	ratio("manifest-ratio", "manifest-on", "manifest-off")
	ratio("blob-ratio", "blob-on", "blob-off")
}

// header is the line that says where and how the figures were measured.
func (s *suite) header() string {
	mode := "full run"
	if s.opts.quick {
		mode = "quick run (-quick)"
	}
	return fmt.Sprintf("Machine: %s. Go %s. %s, %s per load measurement, %d tokens in the many-token registry; took %s.\n",
		machine(), runtime.Version(), mode, s.opts.d, s.opts.tokens, s.elapsed.Round(time.Second))
}

// report renders the machine, the results and the targets as Markdown.
func (s *suite) report() string {
	s.derive()
	var b strings.Builder
	b.WriteString(s.header() + "\n")
	b.WriteString("| measurement | result | reproduce |\n|---|---|---|\n")
	for _, r := range s.rows {
		fmt.Fprintf(&b, "| %s | %s | `%s` |\n", r.what, r.result, r.cmd)
	}
	b.WriteString("\n" + s.targetTable())
	return b.String()
}

// targetTable is the targets the run measured, met or missed.
func (s *suite) targetTable() string {
	var b strings.Builder
	b.WriteString("| target (issue #6) | measured | |\n|---|---|---|\n")
	for _, t := range targets {
		v, ok := s.results[t.key]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.what, t.show(v), verdict(t, v))
	}
	return b.String()
}

// README markers around the summary a full run writes there.
const (
	readmeStart = "<!-- bench:start (written by go run ./bench) -->"
	readmeEnd   = "<!-- bench:end -->"
)

// updateReadme replaces the summary between the markers of README.md with
// this run's machine and targets. A README without the markers is left alone.
func (s *suite) updateReadme(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	text := string(b)
	i, j := strings.Index(text, readmeStart), strings.Index(text, readmeEnd)
	if i < 0 || j < i {
		return false, nil
	}
	summary := readmeStart + "\n" + s.header() + "\n" + s.targetTable() + readmeEnd
	return true, os.WriteFile(path, []byte(text[:i]+summary+text[j+len(readmeEnd):]), 0o644)
}

// verdict says whether v meets t, and by how much it misses.
func verdict(t target, v float64) string {
	if (t.atLeast && v >= t.bound) || (!t.atLeast && v <= t.bound) {
		return "met"
	}
	return fmt.Sprintf("missed by %.0f %%", 100*abs(v-t.bound)/t.bound)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// performanceDoc is docs/performance.md around the latest report.
func performanceDoc(report string) string {
	return `# Performance

The benchmark suite in ` + "`bench/`" + ` starts openacr itself (the binary, ` + "`openacr serve`" + `, on a
temporary data directory on 127.0.0.1) and measures the token endpoint, the access controller on
` + "`/v2/`" + ` against the same registry with authentication off (a second
` + "`openacr serve --insecure-no-auth`" + ` on the same data directory), stock distribution on the same
storage, revocation, start-up and a registry of a million tokens seeded through the store. Every
row says how to reproduce it.

` + "```sh\ngo run ./bench            # everything, under 10 minutes; rewrites this file\ngo run ./bench -quick     # the CI subset, under a minute\ngo run ./bench -list      # the scenarios\n```" + `

The load generator is a closed loop of Go workers over one shared ` + "`http.Transport`" + ` (one kept-alive
connection per worker). It runs on the same machine as the server and takes its share of the CPU, as
wrk would; on a 2-core machine that share is large, so the absolute rates are lower bounds. Ratios come
from alternating rounds (a, b, a, b, …), so that other load on the machine weighs on both sides
alike.

## Latest results

` + report + `
## What the figures mean

- **issuance**: ` + "`GET /oauth2/token?service=…&scope=repository:app:pull`" + ` with HTTP Basic: a
  password check (one HMAC-SHA-256 and a constant-time compare against the token's state in memory),
  the scope-map decision, and an ES256-signed access token.
- **refused**: the same with a well-formed password that matches no password of the token.
- **many tokens**: the registry holds that many tokens, seeded through the store; the warm rows use a
  working set of 1,000 of them spread over the whole key range, the cold row a token not used before
  on every request (each one a database read).
- **revocation delay**: from ` + "`openacr token credential delete`" + ` returning to the first ` + "`401`" + ` seen by a
  client pulling in a loop with an access token minted before the delete; 0 when the refusal came
  first.
- **server CPU per request**: the server process's user and system time over the run (from
  ` + "`/proc/<pid>/stat`" + `) divided by the requests sent; it depends far less on other load than the rates.

` + whereTimeGoes
}

// whereTimeGoes is the profile of the hot paths, as taken for issue #6 with
// the hidden --pprof-addr flag while the suite ran. It is text, not a
// measurement of this run: profile again when the code changes.
const whereTimeGoes = `## Where the time goes

Profiled with ` + "`openacr serve --pprof-addr 127.0.0.1:6060`" + ` (hidden, loopback only) under the suite's load,
e.g. ` + "`go run ./bench -run '^issue/c=64$' -d 20s -serve-flags '--pprof-addr 127.0.0.1:6060'`" + ` and
` + "`go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=10`" + `. Shares are of the server's CPU.

- **Token issuance, access token reused** (about 30 µs of server CPU per request at 64 clients):
  reading and writing the connection and net/http, about 45 %; the login itself about 14 % (the
  password's HMAC-SHA-256, the guard's HMAC of the credential, the decision hooks, the token state
  from memory); garbage collection 9 %; the JSON response 6 %; parsing the form and scope 5 %; the
  reuse lookup 3 %; the audit log about 5 % (2 % recording the decision, 3 % the background writer,
  which commits a batch every 10 ms at most and writes a client's repeated logins within a second as
  one row with a count). Before the writer lingered and merged, it wrote a row per login and was
  about 25 % of 40 µs at 64 clients, and half of 120 µs at 1 client, where each login was a synced
  transaction of its own.
- **Token issuance, every request signed** (about 110 µs): the ES256 signature is 37 % (Go's hedged
  nonce, an HMAC-DRBG, is a fifth of that), go-jose's JWS assembly and the claims' JSON 12 %, the rest
  as above. ` + "`BenchmarkSign`" + `: a signature is about two thirds of ` + "`signing.Keys.Sign`" + `, and signing the claims
  JSON directly is about a fifth faster than go-jose's JWT builder, which round-trips the claims
  through a map. ` + "`BenchmarkToken`" + `: a minted token request in-process costs about 1.25 signatures.
- **Manifest GET with an access token** (about 120 µs against 110 µs with auth off): distribution's
  manifest handler (tag link, revision link, blob read from the filesystem) is about half; the auth
  adds about 5 %: distribution's ` + "`App.authorized`" + ` (half of which is building a logger with the user
  name), the access controller, the guard's decision hook, and the verified-token lookup, about
  0.2 µs (` + "`BenchmarkAccessToken`" + `: a map probe and the generation from memory, against about 90 µs to
  verify the signature).
- **A million tokens**: nothing reads the tokens before the server is ready (about 25 ms); the
  password-expiry index then reads every token once in the background (about 3 s of CPU) and again
  every ten minutes. A token's first use costs two primary-key reads (the token, its scope map) and
  a signature, about 210 µs; after that it is served from memory, about 460 bytes per token
  (` + "`BenchmarkCacheMemory`" + `; tokens of one scope map share its compiled form).

The hot functions have ` + "`Benchmark`" + ` functions that report ratios against a baseline measured in the same
run: ` + "`go test -run '^$' -bench . ./internal/...`" + ` (` + "`x-store`" + `: a login from the cache against one reading the
database; ` + "`x-compile`" + `: a compiled scope-map decision against compiling per request; ` + "`x-verify`" + `: a cached
access token against verifying it; ` + "`x-jwt-builder`" + `, ` + "`ecdsa-share`" + `, ` + "`signatures`" + `: minting against go-jose's
builder and the bare signature).
`
