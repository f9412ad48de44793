package arm

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// skipToken is the query parameter that carries the position of a page.
const skipToken = "$skipToken"

// page reads the page a list request asks for. One more item than a page
// holds is asked of the store, to learn whether a next page exists.
func (a *API) page(r *http.Request) (access.Page, error) {
	p := access.Page{Limit: a.cfg.PageSize + 1}
	if tok := r.URL.Query().Get(skipToken); tok != "" {
		after, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(after) == 0 {
			return access.Page{}, badRequest("The %s '%s' is not valid; follow the nextLink of the previous page as it is.", skipToken, tok)
		}
		p.After = string(after)
	}
	return p, nil
}

// pageOf converts one page of items, fetched with a.page, to its wire form
// and sets nextLink when more items follow.
func pageOf[T, W any](a *API, r *http.Request, items []T, name func(T) string, conv func(T) W) list[W] {
	out := list[W]{Value: make([]W, 0, min(len(items), a.cfg.PageSize))}
	more := len(items) > a.cfg.PageSize
	if more {
		items = items[:a.cfg.PageSize]
	}
	for _, it := range items {
		out.Value = append(out.Value, conv(it))
	}
	if more {
		out.NextLink = nextLink(r, name(items[len(items)-1]))
	}
	return out
}

// nextLink is the absolute URL of the page after the item named last, on
// the scheme and host the client used.
func nextLink(r *http.Request, last string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := url.Values{}
	q.Set("api-version", r.URL.Query().Get("api-version"))
	q.Set(skipToken, base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(last))))
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
