package authserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/scope"
)

// FuzzParse sends any query, form body and Basic credentials to the token
// endpoint's request parser. It never panics; what it accepts is a
// password grant (every GET is one, with the Basic credentials) or a
// refresh grant with a refresh token, and every scope it keeps is one the
// scope parser reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []struct {
		post            bool
		query, body     string
		user, pw        string
		form, withBasic bool
	}{
		{false, "service=myregistry.example&scope=repository:app:pull", "", "robot", "oacr_x", false, true},
		{false, "scope=repository:app:pull+repository:lib:pull,push&scope=registry:catalog:*", "", "robot", "pw", false, true},
		{true, "", "grant_type=password&username=robot&password=pw&scope=repository%3Aapp%3Apull", "", "", true, false},
		{true, "", "grant_type=password&scope=repository:app:push", "robot", "pw", true, true},
		{true, "", "grant_type=refresh_token&refresh_token=eyJ.x.y&service=s", "", "", true, false},
		{true, "", "grant_type=refresh_token", "", "", true, false},
		{true, "", "grant_type=client_credentials", "", "", true, false},
		{true, "", "%zz", "", "", true, false},
		{false, "scope=(plugin):x:pull", "", "", "", false, false},
		{false, "scope=%", "", "", "", false, false},
		{true, "grant_type=password", "", "u:ser", "p:w", false, true},
	} {
		f.Add(s.post, s.query, s.body, s.user, s.pw, s.form, s.withBasic)
	}
	f.Fuzz(func(t *testing.T, post bool, query, body, user, pw string, form, withBasic bool) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/oauth2/token", strings.NewReader(body))
		r.URL.RawQuery = query
		if form {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if withBasic {
			r.SetBasicAuth(user, pw)
		}
		req, err := parse(r)
		if err != nil {
			return
		}
		switch req.grantType {
		case "password":
			if !post {
				gotUser, gotPW, _ := r.BasicAuth()
				if req.username != gotUser || req.password != gotPW {
					t.Fatalf("GET: credentials %q/%q, want the Basic ones %q/%q", req.username, req.password, gotUser, gotPW)
				}
			}
			if post && !req.wantRefresh {
				t.Fatal("a password grant by POST does not ask for a refresh token")
			}
		case "refresh_token":
			if req.refreshToken == "" || !post {
				t.Fatalf("refresh grant %+v without a refresh token, or by GET", req)
			}
		default:
			t.Fatalf("accepted grant type %q", req.grantType)
		}
		for _, sc := range req.scopes {
			again, err := scope.ParseRequest(sc.String())
			if err != nil || !reflect.DeepEqual(again, sc) {
				t.Fatalf("scope %+v reads back as %+v, %v", sc, again, err)
			}
		}
		if q, err := url.ParseQuery(query); err == nil && req.service != q.Get("service") && !post {
			t.Fatalf("service %q, want %q from the query", req.service, q.Get("service"))
		}
	})
}
