package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/arm"
	"github.com/openacr/openacr/internal/metrics"
	"github.com/openacr/openacr/internal/store"
)

// Server is one openacr node: the store, the credential service and the
// HTTP handlers over them.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	Access   *access.Service
	AdminKey string
	handler  http.Handler
	dp       *dataPlane
	cache    *access.Cache // the store as the Service and the data plane see it
	trust    *trust        // throttling, last use, metrics (trust.go)
	// audit is the audit log, running from Open to Close (audit.go).
	audit      *access.AuditLog
	closeAudit func()
	// port is the port Serve listens on, for login servers when the
	// configuration names none (--addr may say :0).
	port atomic.Value // string

	// follower applies other nodes' changes to cache, from the end of Open
	// to Close (follow.go).
	follower     *access.Follower
	stopFollower func()
}

// Open prepares a server from cfg: it creates the data directory, opens the
// database, loads or creates the keys, and seeds the first registry on an
// empty database. A newly generated admin key is printed once to out with
// how to use it; it is never logged. getenv supplies OPENACR_ADMIN_KEY.
func Open(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer, getenv func(string) string) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	adminKey, err := loadAdminKey(cfg, out, getenv)
	if err != nil {
		return nil, err
	}
	pwPath := cfg.PasswordKeyFile
	if pwPath == "" {
		pwPath = filepath.Join(cfg.Data, HashKeyFile)
	}
	pwKey, _, err := loadOrCreate(pwPath, newPasswordKey)
	if err != nil {
		return nil, fmt.Errorf("password hash key: %w", err)
	}
	st, err := store.Open(ctx, filepath.Join(cfg.Data, DatabaseFile))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// The Service writes through the cache, so that the data plane sees
	// every change before the change returns (DESIGN, revocation).
	cache := access.NewCache(st)
	svc, err := access.New(cache, []byte(pwKey), log)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, store: st, cache: cache, Access: svc, AdminKey: adminKey}
	if err := s.openFollower(ctx); err != nil {
		st.Close()
		return nil, err
	}
	s.trust = openTrust(cfg.Trust, st, cache, svc, log)
	s.openAudit()
	s.trust.audit = s.audit
	if err := s.seed(ctx); err != nil {
		s.closeAudit()
		st.Close()
		return nil, err
	}
	if s.dp, err = s.openDataPlane(ctx, cache, pwKey); err != nil {
		s.closeAudit()
		st.Close()
		return nil, fmt.Errorf("data plane: %w", err)
	}
	s.handler = s.routes(derive(pwKey, "openacr policy tokens"))
	s.startFollower()
	return s, nil
}

// loadAdminKey takes the admin key from --admin-key-file, OPENACR_ADMIN_KEY
// or <data>/admin.key, creating the last on first start.
func loadAdminKey(cfg Config, out io.Writer, getenv func(string) string) (string, error) {
	var key string
	switch {
	case cfg.AdminKeyFile != "":
		k, err := readKeyFile(cfg.AdminKeyFile)
		if err != nil {
			return "", fmt.Errorf("--admin-key-file: %w", err)
		}
		key = k
	case getenv("OPENACR_ADMIN_KEY") != "":
		key = strings.TrimSpace(getenv("OPENACR_ADMIN_KEY"))
	default:
		path := filepath.Join(cfg.Data, AdminKeyFile)
		k, created, err := loadOrCreate(path, newAdminKey)
		if err != nil {
			return "", fmt.Errorf("admin key: %w", err)
		}
		if created {
			fmt.Fprintf(out, "Created the admin key of this server (shown once; kept in %s, mode 0600):\n\n    %s\n\n"+
				"The openacr CLI on this machine finds it there. From elsewhere:\n"+
				"    export OPENACR_SERVER=http://<this host>:<port> OPENACR_ADMIN_KEY=<the key>\n\n", path, k)
		}
		key = k
	}
	if len(key) < minAdminKey {
		return "", fmt.Errorf("the admin key is %d characters long; it must be at least %d", len(key), minAdminKey)
	}
	return key, nil
}

// seed creates the first registry on an empty database.
func (s *Server) seed(ctx context.Context) error {
	rs, err := s.Access.ListRegistries(ctx, "")
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		return nil
	}
	_, _, err = s.Access.PutRegistry(ctx, s.cfg.Group, s.cfg.Registry, s.cfg.Location, access.SKU(s.cfg.SKU))
	if err != nil {
		return fmt.Errorf("create first registry %q: %w", s.cfg.Registry, err)
	}
	s.log.Info("created the first registry", "registry", s.cfg.Registry, "group", s.cfg.Group, "sku", s.cfg.SKU)
	return nil
}

// defaultRegistry is the configured default, or the first registry created.
// It reads the cached registry list: it runs on every data-plane request.
func (s *Server) defaultRegistry(ctx context.Context) string {
	if s.cfg.DefaultRegistry != "" {
		return strings.ToLower(s.cfg.DefaultRegistry)
	}
	rs, err := s.cache.Registries(ctx)
	if err != nil || len(rs) == 0 {
		return ""
	}
	return rs[0].Name
}

// baseHost is the host the login servers are built on: --domain, else
// --login-server, else localhost and the port the server listens on.
func (s *Server) baseHost() string {
	switch {
	case s.cfg.Domain != "":
		return strings.ToLower(s.cfg.Domain)
	case s.cfg.LoginServer != "":
		return strings.ToLower(s.cfg.LoginServer)
	}
	port, _ := s.port.Load().(string)
	if port == "" {
		_, port, _ = net.SplitHostPort(s.cfg.Addr)
	}
	return net.JoinHostPort("localhost", port)
}

// loginServer is the host clients use for registry (SPEC §5).
func (s *Server) loginServer(registry string) string {
	if s.cfg.Domain == "" && registry == s.defaultRegistry(context.Background()) {
		return s.baseHost()
	}
	return registry + "." + s.baseHost()
}

func (s *Server) routes(policyKey []byte) http.Handler {
	api := arm.New(s.Access, arm.Config{
		SubscriptionID: s.cfg.SubscriptionID,
		AdminKey:       s.AdminKey,
		LoginServer:    s.loginServer,
		PolicyKey:      policyKey,
		Audit:          s.audit,
	}, s.log)
	m := s.trust.metrics
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.Handle("GET /metrics", adminOnly(s.AdminKey, m.Handler()))
	// The data plane: the OCI distribution API and its token endpoint.
	mux.Handle("/v2/", m.Instrument(metrics.APIRegistry, s.dp.router))
	tokens := m.Instrument(metrics.APIToken, http.HandlerFunc(s.dp.tokens.Token))
	mux.Handle("GET /oauth2/token", tokens)
	mux.Handle("POST /oauth2/token", tokens)
	mux.Handle("GET /oauth2/jwks", m.Instrument(metrics.APIToken, http.HandlerFunc(s.dp.tokens.JWKS)))
	mux.Handle("/", m.Instrument(metrics.APIManagement, api))
	return mux
}

// derive returns a key for one purpose from a root key, so that one secret
// in the data directory serves several uses without their keys coinciding.
func derive(root, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(root))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Handler serves the management API (and, later, the data plane).
func (s *Server) Handler() http.Handler { return s.handler }

// Close writes what is pending (the last use of passwords) and releases
// the store.
func (s *Server) Close() error {
	s.stopFollower()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.trust.usage.Flush(ctx); err != nil {
		s.log.Error("flush password uses", "err", err)
	}
	s.closeAudit()
	return s.store.Close()
}

// Serve accepts connections on l until ctx ends, then shuts down cleanly,
// giving requests in flight up to ten seconds. It records the management URL
// in <data>/endpoint for the CLI and removes it on the way out.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	endpoint := filepath.Join(s.cfg.Data, EndpointFile)
	if err := os.WriteFile(endpoint, []byte(endpointURL(l.Addr())+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", endpoint, err)
	}
	defer os.Remove(endpoint)
	if _, port, err := net.SplitHostPort(l.Addr().String()); err == nil {
		s.port.Store(port)
	}
	// The background work outlives ctx until the requests in flight are
	// drained, so that their password uses reach the last flush.
	bg, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	waitBg, err := s.trust.start(bg)
	if err != nil {
		stopBg()
		return err
	}
	defer func() { stopBg(); waitBg() }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	s.log.Info("openacr listening", "addr", l.Addr().String(), "data", s.cfg.Data)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// endpointURL is the URL a local client uses to reach a listener: an
// unspecified address (":5000") is reached through loopback.
func endpointURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
