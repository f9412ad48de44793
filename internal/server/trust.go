package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/guard"
	"github.com/openacr/openacr/internal/metrics"
)

// trust is what the server does beyond serving: throttling failed logins,
// recording the last use of each password, and metrics.
type trust struct {
	cfg      TrustConfig
	log      *slog.Logger
	guard    *guard.Guard
	usage    *access.Usage
	expiries *access.Expiries
	metrics  *metrics.Metrics
	cache    *access.Cache
	audit    *access.AuditLog // nil: no audit log (audit.go)
}

// expiryResync is how often the expiry index is read again from the
// store, for what reaches it outside the change feed (bulk loads); other
// nodes' changes arrive through the feed.
const expiryResync = 10 * time.Minute

// openTrust wires the guard, the usage recorder and the metrics to the
// store, the cache and the Service.
func openTrust(cfg TrustConfig, st access.UsageStore, cache *access.Cache, svc *access.Service, log *slog.Logger) *trust {
	tr := &trust{cfg: cfg, log: log, usage: access.NewUsage(st, log), expiries: access.NewExpiries(cache), cache: cache}
	tr.metrics = metrics.New(expirySource{tr.expiries}, cfg.MetricsMaxPasswordSeries)
	tr.guard = guard.New(cfg.guard(), tr.observe)
	tr.guard.Now = func() time.Time { return svc.Now() }
	svc.Usage = tr.usage
	return tr
}

// observe hears every authentication decision: it counts it, and records
// the use of the password that proved the caller. It only touches memory.
func (tr *trust) observe(ctx context.Context, d guard.Decision) {
	tr.metrics.Decided(d)
	tr.auditDecision(ctx, d)
	if d.Result == guard.Success && d.Password != "" {
		tr.usage.Record(access.PasswordUse{Registry: d.Registry, Token: d.Token, Password: d.Password,
			PasswordCreated: d.PasswordCreated, Time: d.Time, Address: d.Address})
	}
}

// start runs the background work until ctx ends: flushing password uses,
// keeping the expiry index, and serving the metrics listener if configured.
// The returned wait blocks until all of it has stopped, the last flush
// included.
func (tr *trust) start(ctx context.Context) (wait func(), err error) {
	var ml net.Listener
	if tr.cfg.MetricsAddr != "" {
		if ml, err = net.Listen("tcp", tr.cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("metrics listener: %w", err)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { tr.usage.Run(ctx, tr.cfg.LastUsedFlushInterval) })
	wg.Go(func() { tr.expiries.Run(ctx, tr.cache, expiryResync, tr.log) })
	if ml != nil {
		wg.Go(func() { tr.serveMetrics(ctx, ml) })
	}
	return wg.Wait, nil
}

// serveMetrics serves /metrics alone, without authentication, on l.
func (tr *trust) serveMetrics(ctx context.Context, l net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tr.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	tr.log.Info("metrics listening", "addr", l.Addr().String())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		tr.log.Error("serve metrics", "err", err)
	}
}

// adminOnly lets through requests that carry the admin key as a bearer
// token (compared in constant time), and refuses the others with 401.
func adminOnly(adminKey string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(adminKey))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		got := sha256.Sum256([]byte(strings.TrimSpace(key)))
		if !strings.EqualFold(scheme, "Bearer") || adminKey == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openacr"`)
			http.Error(w, "401 unauthorized: /metrics needs the admin key as a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// expirySource adapts the expiry index to what the metrics read.
type expirySource struct{ x *access.Expiries }

func (s expirySource) EachExpiry(fn func(metrics.Expiry)) {
	s.x.Each(func(p access.PasswordExpiry) {
		fn(metrics.Expiry{Registry: p.Registry, Token: p.Token, Password: p.Password, At: p.Expiry})
	})
}
