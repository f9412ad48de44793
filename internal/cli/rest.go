package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// restAPIVersion is the api-version of the requests made without the SDK.
const restAPIVersion = "2023-07-01"

// callJSON sends a request the SDK has no client for through the clients'
// pipeline (authentication, retries, --debug, the Global Policy hook) and
// decodes the JSON answer into out. path is relative to the server, or an
// absolute URL (a nextLink) used as is. query is added to a relative path
// with the api-version.
func (a *app) callJSON(ctx context.Context, c *clients, method, path string, query url.Values, body, out any) error {
	u := path
	if parsed, err := url.Parse(path); err != nil || !parsed.IsAbs() {
		u = runtime.JoinPaths(c.raw.Endpoint(), path)
	}
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return fmt.Errorf("build request %s %s: %w", method, path, err)
	}
	if parsed, _ := url.Parse(path); parsed == nil || !parsed.IsAbs() {
		q := req.Raw().URL.Query()
		for k, vs := range query {
			q[k] = vs
		}
		q.Set("api-version", restAPIVersion)
		req.Raw().URL.RawQuery = q.Encode()
	}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return fmt.Errorf("encode request body: %w", err)
		}
	}
	resp, err := c.raw.Pipeline().Do(req)
	if err != nil {
		return err
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return runtime.NewResponseError(resp)
	}
	if out == nil {
		return nil
	}
	return runtime.UnmarshalAsJSON(resp, out)
}
