package dataplane

import (
	"net/http"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	"github.com/distribution/reference"
	"github.com/gorilla/mux"
)

// badName answers, with 400 NAME_INVALID, a request whose repository name
// the routes matched but the reference grammar refuses: one longer than 255
// characters. distribution's app would answer it with 500 (the error it
// makes for that case carries no error code). It reports whether it
// answered.
func badName(w http.ResponseWriter, m mux.RouteMatch, matched bool) bool {
	name := m.Vars["name"]
	if !matched || name == "" {
		return false
	}
	if _, err := reference.WithName(name); err != nil {
		errcode.ServeJSON(w, errcode.ErrorCodeNameInvalid.WithDetail(err.Error()))
		return true
	}
	return false
}
