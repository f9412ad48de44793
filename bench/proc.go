package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// build compiles the openacr binary and, from the conformance module (which
// pins it with a tool directive), stock distribution's registry into dir.
// The Go build cache makes every build after the first cheap.
func build(ctx context.Context, root, dir string, stock bool) (openacr, registry string, err error) {
	openacr = filepath.Join(dir, "openacr")
	if err := goBuild(ctx, root, openacr, "./cmd/openacr"); err != nil {
		return "", "", err
	}
	if stock {
		registry = filepath.Join(dir, "registry")
		err := goBuild(ctx, filepath.Join(root, "conformance"), registry, "github.com/distribution/distribution/v3/cmd/registry")
		if err != nil {
			return "", "", err
		}
	}
	return openacr, registry, nil
}

func goBuild(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// proc is a server process the suite started.
type proc struct {
	name  string
	cmd   *exec.Cmd
	addr  string // 127.0.0.1:port
	ready time.Duration
	exit  chan error
	log   string
}

func (p *proc) url() string { return "http://" + p.addr }

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start runs bin with args, which make it listen on addr, logging to
// logPath, and waits until GET readyPath answers; ready is the time from
// exec to that answer.
func start(ctx context.Context, name, bin, addr, logPath, readyPath string, env []string, args ...string) (*proc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child keeps its own descriptor
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, addr: addr, exit: make(chan error, 1), log: logPath}
	go func() { p.exit <- cmd.Wait() }()
	if err := p.waitReady(ctx, readyPath); err != nil {
		p.stop()
		return nil, err
	}
	p.ready = time.Since(t0)
	return p, nil
}

// waitReady polls GET path every two milliseconds until it answers 200.
func (p *proc) waitReady(ctx context.Context, path string) error {
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exit:
			p.exit <- err
			return fmt.Errorf("%s exited before it was ready (%v); its log: %s\n%s", p.name, err, p.log, tail(p.log))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := hc.Get(p.url() + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after a minute; its log: %s\n%s", p.name, p.log, tail(p.log))
}

// stop asks the process to shut down (SIGTERM) and waits for it; after ten
// seconds it is killed.
func (p *proc) stop() error {
	if p == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exit:
		p.exit <- err
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return err
		}
		return nil
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		return fmt.Errorf("%s did not stop within 10 s; killed", p.name)
	}
}

// memory returns the resident set size and its peak (VmRSS, VmHWM), bytes.
func (p *proc) memory() (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s of /proc/%d/status: %w", k, p.cmd.Process.Pid, err)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak, s.Err()
}

// cpu returns the CPU time (user and system) the process has used, from
// /proc/<pid>/stat, in clock ticks of 10 ms.
func (p *proc) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is the 3rd field, utime and stime the 14th and 15th.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("parse /proc/%d/stat", p.cmd.Process.Pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("parse /proc/%d/stat: %w", p.cmd.Process.Pid, err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// settle waits, up to a minute, until p is idle (under 5 % of a core over
// half a second): what it does in the background after start (it reads
// every token to index password expiries) should not weigh on what is
// measured next. It returns how long that took and the CPU it used.
func (p *proc) settle() (took, used time.Duration, err error) {
	t0 := time.Now()
	c0, err := p.cpu()
	if err != nil {
		return 0, 0, err
	}
	last := c0
	for time.Since(t0) < time.Minute {
		time.Sleep(500 * time.Millisecond)
		c, err := p.cpu()
		if err != nil {
			return 0, 0, err
		}
		if c-last <= 25*time.Millisecond {
			return time.Since(t0), c - c0, nil
		}
		last = c
	}
	return time.Since(t0), last - c0, nil
}

// withCPU runs f and adds the CPU time p spent meanwhile to its result
// (divided by every request sent, the warm-up's too).
func withCPU(p *proc, f func() (result, error)) (result, error) {
	c0, err := p.cpu()
	if err != nil {
		return result{}, err
	}
	r, err := f()
	c1, cerr := p.cpu()
	if err == nil && cerr == nil {
		r.cpu = c1 - c0
	}
	return r, err
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// machine describes the CPU the suite ran on, from /proc/cpuinfo.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%s, %d cores%s, linux/%s", model, cpus(), mem, goarch())
}
