package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/openacr/openacr/internal/access"
)

// apiError is a refusal decided by this package: a bad api-version, a
// malformed body, a wrong subscription. Its message is for the caller.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func refuse(status int, code, format string, args ...any) error {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// badRequest refuses a request whose values are wrong though well-formed.
func badRequest(format string, args ...any) error {
	return refuse(http.StatusBadRequest, "BadRequest", format, args...)
}

// invalidContent refuses a body that is not the JSON this API takes:
// malformed, of the wrong JSON types, or with an unknown enum value.
func invalidContent(format string, args ...any) error {
	return refuse(http.StatusBadRequest, "InvalidRequestContent", format, args...)
}

// statusFor maps every error a handler can return to its HTTP status and
// ARM error code. It is the only place that does.
func statusFor(err error) (status int, code string) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code
	case errors.Is(err, access.ErrNotFound):
		return http.StatusNotFound, "ResourceNotFound"
	case errors.Is(err, access.ErrInvalidName):
		return http.StatusBadRequest, "InvalidResourceName"
	case errors.Is(err, access.ErrInvalid), errors.Is(err, access.ErrImmutable):
		return http.StatusBadRequest, "BadRequest"
	case errors.Is(err, access.ErrExists), errors.Is(err, access.ErrInUse):
		return http.StatusConflict, "Conflict"
	case errors.Is(err, access.ErrQuotaExceeded):
		return http.StatusConflict, "QuotaExceeded"
	case errors.Is(err, access.ErrUnauthorized):
		return http.StatusUnauthorized, "AuthenticationFailed"
	case errors.Is(err, access.ErrDisallowedByPolicy):
		return http.StatusForbidden, "RequestDisallowedByPolicy"
	}
	return http.StatusInternalServerError, "InternalServerError"
}

// message returns what the caller is told about err: the client-facing
// message of a refusal, or a generic text for anything else.
func message(err error, status int) string {
	var (
		ae    *apiError
		ce    *access.Error
		inUse *access.InUseError
	)
	switch {
	case errors.As(err, &ae):
		return ae.msg
	case errors.As(err, &ce):
		return ce.Msg
	case errors.As(err, &inUse):
		return inUse.Error()
	case status == http.StatusInternalServerError:
		return "The server encountered an internal error. Please retry the request."
	}
	return http.StatusText(status)
}

// errorBody is ARM's error envelope; ACR adds the top-level status.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Status string `json:"status"`
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusFor(err)
	if e := note(r); e != nil {
		e.Reason = err.Error() // the real cause, for the audit log
	}
	if status == http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "management request failed", "method", r.Method, "path", r.URL.Path,
			"request_id", w.Header().Get("x-ms-request-id"), "err", err)
	} else {
		a.log.DebugContext(r.Context(), "management request refused", "method", r.Method, "path", r.URL.Path,
			"status", status, "code", code, "err", err)
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Status = code, message(err, status), "Failed"
	w.Header().Set("x-ms-error-code", code)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}

// readJSON decodes the request body into v. The body must be present, at
// most MaxBodyBytes long, and JSON of the shape of v.
func readJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return refuse(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"The request body is larger than the limit of %d bytes.", tooLarge.Limit)
	}
	if err != nil {
		return badRequest("The request body could not be read: %v.", err)
	}
	if len(data) == 0 {
		return invalidContent("The request content is empty; a JSON body is required.")
	}
	err = json.Unmarshal(data, v)
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return invalidContent("The request content is not valid JSON: %v (at byte %d).", syntax, syntax.Offset)
	case errors.As(err, &typeErr):
		field := "the request body"
		if typeErr.Field != "" {
			field = "'" + typeErr.Field + "'"
		}
		return invalidContent("The request content is invalid: %s must be %s, not %s.",
			field, jsonKind(typeErr.Type), typeErr.Value)
	}
	return invalidContent("The request content is not valid JSON: %v.", err)
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Float32:
		return "a number"
	}
	return "a " + t.Kind().String()
}
