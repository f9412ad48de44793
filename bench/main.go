// Command bench is openacr's benchmark suite: it builds the openacr binary
// (and stock distribution's registry, as the baseline), runs them on
// temporary data directories on 127.0.0.1, and measures what every pull and
// push pays for: the token endpoint, the access controller on /v2/ against
// the same registry with authentication off, password generation,
// revocation, start-up, and all of it again in a registry of a million
// tokens. It prints one table row per measurement, each with the command
// that reproduces it, and a table of the targets of issue #6; the full run
// also writes docs/performance.md and the summary in README.md.
//
//	go run ./bench              # the full suite, under 10 minutes
//	go run ./bench -quick       # the CI subset, under a minute
//	go run ./bench -run '^issue/c=64$' -d 10s
//
// The load generator is in-process: a closed loop of workers over one
// shared http.Transport. It shares the machine with the server, as wrk
// would.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// defaultOut is where a full run writes its results; it also updates the
// summary in README.md.
const defaultOut = "docs/performance.md"

// options are the command-line settings of one run.
type options struct {
	quick      bool
	d          time.Duration // each load measurement
	run        *regexp.Regexp
	tokens     int // in the many-token registry
	out        string
	keep       bool
	serveFlags []string // extra flags for every openacr serve
}

func main() {
	if err := mainErr(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func mainErr(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "the CI subset: 1 s measurements, 20,000 tokens instead of 1,000,000")
	d := fs.Duration("d", 0, "length of each load measurement (default 4s, 1s with -quick)")
	run := fs.String("run", "", "run only the scenarios whose name matches this regular expression (see -list)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	tokens := fs.Int("tokens", 0, "tokens in the many-token registry (default 1,000,000, 20,000 with -quick)")
	out := fs.String("out", "", `write the results as Markdown to this file (default docs/performance.md, and the summary in README.md, for a full run; "-" for none)`)
	keep := fs.Bool("keep", false, "keep the temporary directory (data directories, server logs)")
	serveFlags := fs.String("serve-flags", "", "extra flags for every openacr serve, space-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, sc := range scenarios {
			fmt.Fprintf(stdout, "%-22s %s\n", sc.name, sc.what)
		}
		return nil
	}
	o := options{quick: *quick, d: *d, tokens: *tokens, out: *out, keep: *keep, serveFlags: strings.Fields(*serveFlags)}
	if o.d == 0 {
		o.d = 4 * time.Second
		if o.quick {
			o.d = time.Second
		}
	}
	if o.tokens == 0 {
		o.tokens = 1_000_000
		if o.quick {
			o.tokens = 20_000
		}
	}
	re, err := regexp.Compile(*run)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	o.run = re
	if o.out == "" && !o.quick && *run == "" {
		o.out = defaultOut
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSuite(ctx, o, stdout)
}

func runSuite(ctx context.Context, o options, stdout io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "openacr-bench-")
	if err != nil {
		return err
	}
	s := &suite{opts: o, root: root, work: work, out: stdout, results: map[string]float64{}}
	defer func() {
		s.close()
		if o.keep {
			fmt.Fprintln(stdout, "kept", work)
		} else {
			os.RemoveAll(work)
		}
	}()
	started := time.Now()
	fmt.Fprintf(stdout, "openacr benchmark suite on %s (Go %s)\n", machine(), runtime.Version())
	if err := s.setup(ctx); err != nil {
		return err
	}
	for _, sc := range scenarios {
		if !o.run.MatchString(sc.name) {
			continue
		}
		t0 := time.Now()
		s.cur = sc.name
		if err := sc.run(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		fmt.Fprintf(stdout, "   (%s took %s)\n", sc.name, time.Since(t0).Round(100*time.Millisecond))
	}
	s.elapsed = time.Since(started)
	r := s.report()
	fmt.Fprint(stdout, "\n"+r)
	if o.out != "" && o.out != "-" {
		path := o.out
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if err := os.WriteFile(path, []byte(performanceDoc(r)), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", path)
		if o.out == defaultOut {
			readme := filepath.Join(root, "README.md")
			if ok, err := s.updateReadme(readme); err != nil {
				return err
			} else if ok {
				fmt.Fprintln(stdout, "updated the performance summary in", readme)
			}
		}
	}
	return nil
}

// moduleRoot is the directory of openacr's go.mod, found upwards from the
// working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/openacr/openacr\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run the suite inside the openacr repository (no go.mod of github.com/openacr/openacr above %s)", dir)
		}
		dir = parent
	}
}

func cpus() int      { return runtime.NumCPU() }
func goarch() string { return runtime.GOARCH }
