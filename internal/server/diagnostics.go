package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// Diagnostics are settings for measuring the server, never for serving
// users. They are hidden flags of `openacr serve` with no key in the
// configuration file, and both refuse anything but a loopback address.
type Diagnostics struct {
	// InsecureNoAuth serves /v2/ with no authentication at all: every
	// request is allowed. It exists so that the benchmark suite (bench/)
	// can measure what authentication costs against the very same
	// registry code and storage; Addr must be a loopback address.
	InsecureNoAuth bool `yaml:"-"`
	// PprofAddr, when set, serves net/http/pprof on this loopback
	// host:port, for profiling the server under load.
	PprofAddr string `yaml:"-"`
}

func (d Diagnostics) validate(addr string) error {
	if d.InsecureNoAuth && !loopback(addr) {
		return fmt.Errorf("--insecure-no-auth serves every repository to anyone: it is for benchmarks and only binds a loopback address (127.0.0.1:port, [::1]:port, localhost:port), not %q", addr)
	}
	if d.PprofAddr != "" && !loopback(d.PprofAddr) {
		return fmt.Errorf("--pprof-addr %q: profiles reveal the server's internals; only a loopback address is allowed", d.PprofAddr)
	}
	return nil
}

// loopback reports whether addr (host:port) names a loopback host; an
// empty host means every interface and is not.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServePprof serves the runtime profiles on addr until ctx ends. Errors are
// logged: profiling is never worth stopping the server for.
func ServePprof(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Warn("serving profiles (diagnostics only)", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve profiles", "addr", addr, "err", err)
	}
}
