package arm

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// AuditLog is where the API records every change it is asked for, and
// reads the log back (access.AuditLog).
type AuditLog interface {
	access.Auditor
	// Flush returns once what was recorded before it is durable.
	Flush(ctx context.Context) error
	// List returns the entries q selects, newest first.
	List(ctx context.Context, q access.AuditQuery) ([]access.AuditEntry, error)
}

// maxAuditPage bounds the $top of an audit log page.
const maxAuditPage = 1000

// flushTimeout bounds how long an answer waits for its audit entry.
const flushTimeout = 10 * time.Second

type auditKey struct{}

// note returns the audit entry of the request being served, for handlers
// to add what only they know; nil when the request is not audited.
func note(r *http.Request) *access.AuditEntry {
	e, _ := r.Context().Value(auditKey{}).(*access.AuditEntry)
	return e
}

// audited sets up the audit entry of a request that may change something:
// the handlers complete it (note), and it is recorded, durably, when the
// response starts, so that no client learns of a change the log does not
// hold. Reads are not recorded.
func (a *API) audited(w http.ResponseWriter, r *http.Request) (*auditWriter, *http.Request) {
	if a.cfg.Audit == nil || !changes(r.Method) {
		return nil, r
	}
	e := &access.AuditEntry{Registry: strings.ToLower(r.PathValue("registry")), Actor: access.AuditAdmin,
		Operation: operationName(r.Method, r.Pattern, r.URL.Path), Target: r.URL.Path, Token: r.PathValue("token"),
		ClientAddress: clientAddress(r)}
	r = r.WithContext(context.WithValue(r.Context(), auditKey{}, e))
	return &auditWriter{ResponseWriter: w, a: a, r: r, e: e}, r
}

// auditWriter records its request's entry before the first byte of the
// response goes out.
type auditWriter struct {
	http.ResponseWriter
	a        *API
	r        *http.Request
	e        *access.AuditEntry
	recorded bool
}

func (w *auditWriter) WriteHeader(status int) {
	w.finish(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *auditWriter) Write(b []byte) (int, error) {
	w.finish(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// finish records the entry once, with the result status tells.
func (w *auditWriter) finish(status int) {
	if w.recorded {
		return
	}
	w.recorded = true
	e := *w.e
	e.Time, e.Result = w.a.cfg.Now(), access.AuditSuccess
	if status >= 400 {
		e.Result = access.AuditFailure
	} else {
		e.Reason = ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.r.Context()), flushTimeout)
	defer cancel()
	w.a.cfg.Audit.Record(ctx, e)
	if err := w.a.cfg.Audit.Flush(ctx); err != nil {
		w.a.log.ErrorContext(ctx, "audit entry of a management change not written", "operation", e.Operation,
			"target", e.Target, "result", e.Result, "err", err)
	}
}

// recordAuthFailure records a request refused for its admin key. It is not
// flushed: nothing changed, and a flood of them must not queue up writes.
func (a *API) recordAuthFailure(r *http.Request, reason string) {
	if a.cfg.Audit == nil {
		return
	}
	_, pattern := a.mux.Handler(r)
	a.cfg.Audit.Record(r.Context(), access.AuditEntry{Time: a.cfg.Now(), Registry: registryInPath(r.URL.Path),
		Actor: "unauthenticated", Operation: operationName(r.Method, pattern, r.URL.Path), Target: r.URL.Path,
		Result: access.AuditFailure, Reason: "admin API: " + reason, ClientAddress: clientAddress(r)})
}

// operationName is the ARM operation a route serves, as Azure names them
// for RBAC and the activity log: the provider and resource types of the
// route followed by read, write, delete or, for a POST, action
// ("Microsoft.ContainerRegistry/registries/tokens/write"). A request that
// matched no route is named by its method and path.
func operationName(method, pattern, path string) string {
	_, p, found := strings.Cut(pattern, " ")
	if !found {
		p = pattern
	}
	_, provider, ok := strings.Cut(p, "/providers/")
	if !ok {
		return method + " " + path
	}
	var segs []string
	for s := range strings.SplitSeq(provider, "/") {
		if s != "" && !strings.HasPrefix(s, "{") {
			segs = append(segs, s)
		}
	}
	verb := map[string]string{http.MethodPut: "write", http.MethodPatch: "write", http.MethodDelete: "delete",
		http.MethodPost: "action", http.MethodGet: "read"}[method]
	if verb == "" {
		verb = strings.ToLower(method)
	}
	return strings.Join(segs, "/") + "/" + verb
}

// registryInPath is the registry a management path names, lower case.
func registryInPath(path string) string {
	segs := strings.Split(canonicalPath(path), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "registries" && i > 0 && segs[i-1] == "Microsoft.ContainerRegistry" {
			return strings.ToLower(segs[i+1])
		}
	}
	return ""
}

// auditEntry is an audit log entry on the wire. Every field is always
// present; an unknown one is "".
type auditEntry struct {
	Time            armTime `json:"time"`
	Registry        string  `json:"registry"`
	Actor           string  `json:"actor"`
	Operation       string  `json:"operation"`
	Target          string  `json:"target"`
	Token           string  `json:"token"`
	Password        string  `json:"password"`
	Repository      string  `json:"repository"`
	Action          string  `json:"action"`
	ChangeReference string  `json:"changeReference"`
	Result          string  `json:"result"`
	Reason          string  `json:"reason"`
	ClientAddress   string  `json:"clientAddress"`
	// Count is how many identical decisions the entry stands for, from
	// Time on (repeated successful logins within a second are merged); 1
	// for most.
	Count int `json:"count"`
}

func toAuditEntry(e access.AuditEntry) auditEntry {
	return auditEntry{Time: armTime(e.Time), Registry: e.Registry, Actor: e.Actor, Operation: e.Operation,
		Target: e.Target, Token: e.Token, Password: e.Password, Repository: e.Repository, Action: e.Action,
		ChangeReference: e.ChangeReference, Result: e.Result, Reason: e.Reason, ClientAddress: e.ClientAddress,
		Count: max(e.Count, 1)}
}

// auditQuery reads the filters and the page of an audit log request:
// token, since (RFC 3339), result (success or failure), $top, $skipToken.
func (a *API) auditQuery(r *http.Request, reg access.Registry) (access.AuditQuery, int, error) {
	v := r.URL.Query()
	q := access.AuditQuery{Registry: reg.Name, Token: v.Get("token"), Result: strings.ToLower(v.Get("result"))}
	if q.Result != "" && q.Result != access.AuditSuccess && q.Result != access.AuditFailure {
		return q, 0, badRequest("The value '%s' of 'result' is not valid. Allowed values: success, failure.", v.Get("result"))
	}
	if s := v.Get("since"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			return q, 0, badRequest("The value '%s' of 'since' is not valid datetime. Valid example: 2025-12-31T12:59:59Z", s)
		}
		q.Since = t
	}
	size := a.cfg.PageSize
	if s := v.Get("$top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAuditPage {
			return q, 0, badRequest("The value '%s' of '$top' is not valid: give a number from 1 to %d.", s, maxAuditPage)
		}
		size = n
	}
	if tok := v.Get(skipToken); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		id, perr := strconv.ParseInt(string(b), 10, 64)
		if err != nil || perr != nil || id <= 0 {
			return q, 0, badRequest("The %s '%s' is not valid; follow the nextLink of the previous page as it is.", skipToken, tok)
		}
		q.BeforeID = id
	}
	q.Limit = size + 1 // one more, to learn whether a next page exists
	return q, size, nil
}

// listAuditLogs serves one page of a registry's audit log, newest first;
// nextLink keeps the filters.
func (a *API) listAuditLogs(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.parent(r, nil)
	if err != nil {
		return err
	}
	q, size, err := a.auditQuery(r, reg)
	if err != nil {
		return err
	}
	var es []access.AuditEntry
	if a.cfg.Audit != nil {
		if es, err = a.cfg.Audit.List(r.Context(), q); err != nil {
			return err
		}
	}
	out := list[auditEntry]{Value: make([]auditEntry, 0, min(len(es), size))}
	for i, e := range es {
		if i == size {
			out.NextLink = auditNextLink(r, es[size-1].ID)
			break
		}
		out.Value = append(out.Value, toAuditEntry(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func auditNextLink(r *http.Request, lastID int64) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	q.Set(skipToken, base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(lastID, 10))))
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
