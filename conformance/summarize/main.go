// Command summarize reads the junit.xml of an OCI distribution-spec
// conformance run against openacr, and optionally one against stock
// distribution (the baseline), prints a one-line summary, the failing tests
// and (with -skips) the skipped and disabled ones with the suite's reason,
// and exits non-zero when openacr fails a test the baseline passes (or any
// test, with -strict).
package main

import (
	"encoding/xml"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// The suite marks each test case with a status attribute; the totals on
// <testsuites> also count the parent tests that have no case of their own.
type testcase struct {
	Name   string `xml:"name,attr"`
	Status string `xml:"status,attr"` // passed, skipped, failure, error
	// A skip says why in system-out; a test disabled by the suite's
	// configuration says so in system-err.
	SystemOut string `xml:"system-out"`
	SystemErr string `xml:"system-err"`
}

type suites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Disabled int `xml:"disabled,attr"`
	Suites   []struct {
		Cases []testcase `xml:"testcase"`
	} `xml:"testsuite"`
}

type result struct {
	totals  suites
	failed  []string // names of the failing test cases
	skipped []string // "name: reason" of the skipped and disabled ones
}

func load(path string) (result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return result{}, err
	}
	var s suites
	if err := xml.Unmarshal(b, &s); err != nil {
		return result{}, fmt.Errorf("parse %s: %w", path, err)
	}
	if s.Tests == 0 {
		return result{}, fmt.Errorf("%s: no tests ran", path)
	}
	r := result{totals: s}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			switch c.Status {
			case "failure", "error":
				r.failed = append(r.failed, c.Name)
			case "skipped":
				r.skipped = append(r.skipped, c.Name+": "+skipReason(c))
			}
		}
	}
	return r, nil
}

// skipReason is the suite's reason for skipping c, on one line.
func skipReason(c testcase) string {
	reason := strings.TrimSpace(c.SystemOut)
	if _, after, ok := strings.Cut(c.SystemErr, "skipping test:"); reason == "" && ok {
		reason = strings.TrimSpace(after)
	}
	if reason == "" {
		reason = "no reason given"
	}
	return strings.Join(strings.Fields(reason), " ")
}

func (r result) String() string {
	t := r.totals
	failed := t.Failures + t.Errors
	passed := t.Tests - failed - t.Skipped - t.Disabled
	return fmt.Sprintf("passed %d, failed %d, skipped %d, disabled %d of %d", passed, failed, t.Skipped, t.Disabled, t.Tests)
}

func counts(names []string) map[string]int {
	m := map[string]int{}
	for _, n := range names {
		m[n]++
	}
	return m
}

func main() {
	baseline := flag.String("baseline", "", "junit.xml of the same suite against stock distribution")
	strict := flag.Bool("strict", false, "fail on any failing test, not only on ones the baseline passes")
	list := flag.Bool("list", false, "list every failing test")
	skips := flag.Bool("skips", false, "list the skipped and disabled tests with the reason")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: summarize [-baseline junit.xml] [-strict] [-list] [-skips] junit.xml")
		os.Exit(2)
	}
	got, err := load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	line := "OCI conformance, openacr with token auth: " + got.String()
	var regressions []string
	if *baseline != "" {
		base, err := load(*baseline)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		line += "; stock distribution v3.1.2 without auth: " + base.String()
		// Names repeat across data sets, so compare counts per name.
		want := counts(base.failed)
		for name, n := range counts(got.failed) {
			if n > want[name] {
				regressions = append(regressions, fmt.Sprintf("%s (%d failures, stock %d)", name, n, want[name]))
			}
		}
		slices.Sort(regressions)
	}
	if *list {
		c := counts(got.failed)
		for _, name := range slices.Sorted(maps.Keys(c)) {
			fmt.Printf("  failed %3dx: %s\n", c[name], name)
		}
	}
	if *skips {
		for _, s := range got.skipped {
			fmt.Println("  skipped:", s)
		}
	}
	fmt.Println(line)
	switch {
	case len(regressions) > 0:
		fmt.Printf("openacr fails %d test(s) that stock distribution passes:\n", len(regressions))
		for _, f := range regressions {
			fmt.Println("  regression:", f)
		}
		os.Exit(1)
	case *strict && got.totals.Failures+got.totals.Errors > 0:
		fmt.Printf("openacr fails %d test(s); -strict allows none:\n", got.totals.Failures+got.totals.Errors)
		for _, name := range slices.Sorted(maps.Keys(counts(got.failed))) {
			fmt.Println("  failed:", name)
		}
		os.Exit(1)
	}
}
