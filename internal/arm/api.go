package arm

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// DefaultSubscriptionID is the subscription id of a server that is not
// configured with one.
const DefaultSubscriptionID = "00000000-0000-0000-0000-000000000000"

// DefaultPageSize is how many scope maps or tokens one list page holds.
const DefaultPageSize = 100

// MaxBodyBytes caps request bodies; larger ones get 413 RequestEntityTooLarge.
const MaxBodyBytes = 1 << 20

// Config configures an API. The zero value of every field but AdminKey has
// a usable default.
type Config struct {
	// SubscriptionID is the server's one subscription; requests for any
	// other get 404 SubscriptionNotFound. Default DefaultSubscriptionID.
	SubscriptionID string
	// AdminKey is the bearer token every request must carry. Empty refuses
	// every request.
	AdminKey string
	// LoginServer returns the login server of a registry (its
	// properties.loginServer). Default: the registry name.
	LoginServer func(registry string) string
	// PageSize is the number of scope maps or tokens per list page.
	// Default DefaultPageSize.
	PageSize int
	// Now is the clock of policy token expiry (the access.Service has its
	// own for everything else). Default time.Now.
	Now func() time.Time
	// PolicyKey signs the tokens of acquirePolicyToken; it must be the same
	// on every node. Default: a random key per API (tokens then only verify
	// on the node that issued them).
	PolicyKey []byte
	// Audit receives every request that may change something, before its
	// answer goes out, and serves the audit log route. nil: no audit log.
	Audit AuditLog
}

// API is the ARM-format management API. It is an http.Handler, safe for
// concurrent use.
type API struct {
	svc      *access.Service
	cfg      Config
	log      *slog.Logger
	adminKey [sha256.Size]byte // hashed so that comparing takes constant time
	mux      *http.ServeMux
}

// New returns the API over svc. log receives refusals at debug level and
// internal errors at error level; the admin key and passwords are never
// logged.
func New(svc *access.Service, cfg Config, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.SubscriptionID == "" {
		cfg.SubscriptionID = DefaultSubscriptionID
	}
	if cfg.LoginServer == nil {
		cfg.LoginServer = func(registry string) string { return registry }
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.PolicyKey) == 0 {
		cfg.PolicyKey = make([]byte, 32)
		rand.Read(cfg.PolicyKey) // never fails (crypto/rand since Go 1.24)
	}
	if cfg.AdminKey == "" {
		log.Warn("management API has no admin key: every request will be refused")
	}
	a := &API{svc: svc, cfg: cfg, log: log, adminKey: sha256.Sum256([]byte(cfg.AdminKey))}
	a.mux = a.routes()
	return a
}

// Path prefixes of the routes.
const (
	subscriptionPath = "/subscriptions/{sub}"
	groupPath        = subscriptionPath + "/resourceGroups/{group}/providers/Microsoft.ContainerRegistry/registries"
	registryPath     = groupPath + "/{registry}"
	scopeMapsPath    = registryPath + "/scopeMaps"
	tokensPath       = registryPath + "/tokens"
)

// routes lists every route of the API. Each handler runs behind checkRoute
// (api-version, subscription); authentication and the body cap apply to
// every request, matched or not, in ServeHTTP.
func (a *API) routes() *http.ServeMux {
	mux := http.NewServeMux()
	arm := func(pattern string, h handlerFunc) { mux.Handle(pattern, a.checkRoute(registryVersions, h)) }

	arm("GET "+subscriptionPath+"/providers/Microsoft.ContainerRegistry/registries", a.listAllRegistries)
	arm("GET "+groupPath, a.listRegistries)
	arm("PUT "+registryPath, a.putRegistry)
	arm("GET "+registryPath, a.getRegistry)
	arm("PATCH "+registryPath, a.updateRegistry)
	arm("DELETE "+registryPath, a.deleteRegistry)

	arm("GET "+scopeMapsPath, a.listScopeMaps)
	arm("PUT "+scopeMapsPath+"/{scopeMap}", a.putScopeMap)
	arm("GET "+scopeMapsPath+"/{scopeMap}", a.getScopeMap)
	arm("PATCH "+scopeMapsPath+"/{scopeMap}", a.updateScopeMap)
	arm("DELETE "+scopeMapsPath+"/{scopeMap}", a.deleteScopeMap)

	arm("GET "+tokensPath, a.listTokens)
	arm("PUT "+tokensPath+"/{token}", a.putToken)
	arm("GET "+tokensPath+"/{token}", a.getToken)
	arm("PATCH "+tokensPath+"/{token}", a.updateToken)
	arm("DELETE "+tokensPath+"/{token}", a.deleteToken)
	arm("POST "+registryPath+"/generateCredentials", a.generateCredentials)

	arm("GET "+credentialPoliciesPath+"/{policy}", a.getCredentialPolicy)
	arm("PUT "+credentialPoliciesPath+"/{policy}", a.putCredentialPolicy)
	arm("PATCH "+credentialPoliciesPath+"/{policy}", a.updateCredentialPolicy)
	arm("GET "+registryPath+"/auditLogs", a.listAuditLogs)

	mux.Handle("POST "+subscriptionPath+"/providers/Microsoft.Authorization/acquirePolicyToken",
		a.checkRoute(policyVersions, a.acquirePolicyToken))
	return mux
}

// handlerFunc is a route handler: it writes a success response itself and
// returns any refusal for writeError to map.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP authenticates the caller, then routes the request. Unknown
// paths get 404 and known paths with another method 405, in ARM's envelope.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = withCanonicalPath(r)
	w.Header().Set("x-ms-request-id", rand.Text())
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	}
	if err := a.authenticate(r); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="openacr", error="invalid_token"`)
		a.writeError(w, r, err)
		return
	}
	if h, pattern := a.mux.Handler(r); pattern == "" {
		a.serveUnmatched(w, r, h)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// authenticate checks the admin key in constant time. The reason for a
// refusal is logged, never the key.
func (a *API) authenticate(r *http.Request) error {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	reason := ""
	switch {
	case !ok || !strings.EqualFold(scheme, "Bearer"):
		reason = "no bearer token"
	case a.cfg.AdminKey == "":
		reason = "the server has no admin key"
	default:
		got := sha256.Sum256([]byte(strings.TrimSpace(key)))
		if subtle.ConstantTimeCompare(got[:], a.adminKey[:]) == 1 {
			return nil
		}
		reason = "wrong admin key"
	}
	a.log.WarnContext(r.Context(), "management request refused", "reason", reason,
		"method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
	a.recordAuthFailure(r, reason)
	if reason == "no bearer token" {
		return refuse(http.StatusUnauthorized, "AuthenticationFailed",
			"Authentication failed. The 'Authorization' header is missing or is not a Bearer token.")
	}
	return refuse(http.StatusUnauthorized, "AuthenticationFailed",
		"Authentication failed. The admin key in the 'Authorization' header is not valid.")
}

// checkRoute wraps a route handler with the checks every ARM route makes
// before touching anything: the api-version and the subscription id.
func (a *API) checkRoute(versions []string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aw, r := a.audited(w, r)
		if aw != nil {
			w = aw
			defer aw.finish(http.StatusOK) // a handler that wrote nothing answered 200
		}
		w.Header().Set("api-supported-versions", strings.Join(versions, ", "))
		err := checkVersion(r, versions)
		if err == nil && !strings.EqualFold(r.PathValue("sub"), a.cfg.SubscriptionID) {
			err = refuse(http.StatusNotFound, "SubscriptionNotFound",
				"The subscription '%s' could not be found.", r.PathValue("sub"))
		}
		if err == nil && changes(r.Method) {
			r, err = a.withChange(r)
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// serveUnmatched answers a request no route matched: the mux's own answer
// (404, or 405 with an Allow header) rewritten into ARM's envelope.
func (a *API) serveUnmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		a.writeError(w, r, refuse(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"The HTTP method '%s' is not supported on '%s'. Supported methods: %s.", r.Method, r.URL.Path, allow))
		return
	}
	a.writeError(w, r, refuse(http.StatusNotFound, "NotFound",
		"No route matches '%s %s'.", r.Method, r.URL.Path))
}

// statusRecorder keeps the status and headers a handler writes, and drops
// its body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}
func (s *statusRecorder) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}

// literals are the fixed path segments, by lower-cased spelling. Azure
// treats them case-insensitively; ServeMux does not, so ServeHTTP rewrites
// them to the spelling of the routes.
var literals = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{"subscriptions", "resourceGroups", "providers", "Microsoft.ContainerRegistry",
		"Microsoft.Authorization", "registries", "scopeMaps", "tokens", "generateCredentials", "acquirePolicyToken",
		"credentialPolicies", "auditLogs"} {
		m[strings.ToLower(s)] = s
	}
	return m
}()

// withCanonicalPath returns r with the fixed segments of its path spelled
// as in the routes. Only the positions that hold fixed segments are
// rewritten, so a resource named "tokens" keeps its name.
func withCanonicalPath(r *http.Request) *http.Request {
	p := canonicalPath(r.URL.Path)
	if p == r.URL.Path {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = p, ""
	r2.URL = &u
	return r2
}

func canonicalPath(p string) string {
	segs := strings.Split(p, "/") // segs[0] is "" for an absolute path
	fix := func(idx ...int) {
		for _, i := range idx {
			if i < len(segs) {
				if c, ok := literals[strings.ToLower(segs[i])]; ok {
					segs[i] = c
				}
			}
		}
	}
	fix(1, 3)
	if len(segs) > 3 {
		switch segs[3] {
		case "providers": // /subscriptions/{sub}/providers/{namespace}/{type}
			fix(4, 5)
		case "resourceGroups": // .../resourceGroups/{g}/providers/{ns}/registries/{r}/{child}
			fix(5, 6, 7, 9)
		}
	}
	return strings.Join(segs, "/")
}
