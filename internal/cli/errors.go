package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// usageError is a mistake in the command line. Like az (argparse), Main
// exits with status 2 for these and 1 for every other error.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Exit statuses, decided only in Main.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

// errorMessage renders err for the `ERROR: ` line. A management API
// refusal reads as az prints one: `(<code>) <message>`.
func errorMessage(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return responseErrorMessage(re)
	}
	if errors.Is(err, context.Canceled) {
		return "Operation cancelled."
	}
	return err.Error()
}

// armError is the ARM error envelope: {"error":{"code":…,"message":…}}.
type armError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func responseErrorMessage(re *azcore.ResponseError) string {
	code, msg := re.ErrorCode, ""
	if re.RawResponse != nil && re.RawResponse.Body != nil {
		body, _ := runtime.Payload(re.RawResponse)
		var e armError
		if json.Unmarshal(body, &e) == nil {
			if e.Error.Code != "" {
				code = e.Error.Code
			}
			msg = e.Error.Message
		} else if s := strings.TrimSpace(string(body)); s != "" && len(s) < 500 {
			msg = s
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("The server answered %d %s.", re.StatusCode, http.StatusText(re.StatusCode))
	}
	if code == "" {
		return msg
	}
	return fmt.Sprintf("(%s) %s", code, msg)
}

// isNotFound reports whether err is the management API's 404.
func isNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}
