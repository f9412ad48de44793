package arm

import (
	"net/http"
	"slices"
	"strings"
)

// registryVersions are the api-versions accepted for registries, scope
// maps, tokens and generateCredentials: the ones ACR lists in its
// api-supported-versions header for these resources (reference/acr-tokens.md
// §5.1), plus the stable 2023-07-01 (armcontainerregistry v1.2.0),
// 2025-04-01 and 2025-11-01 (Terraform) and 2026-01-01-preview (the latest
// Go SDK). The bodies of these resources are the same in all of them.
var registryVersions = []string{
	"2019-05-01-preview",
	"2020-11-01-preview",
	"2021-06-01-preview",
	"2021-08-01-preview",
	"2021-12-01-preview",
	"2022-02-01-preview",
	"2022-12-01",
	"2023-01-01-preview",
	"2023-06-01-preview",
	"2023-07-01",
	"2023-08-01-preview",
	"2023-11-01-preview",
	"2024-01-01-preview",
	"2024-11-01-preview",
	"2025-04-01",
	"2025-11-01",
	"2026-01-01-preview",
}

// policyVersions are the api-versions of acquirePolicyToken (the one
// azure-cli sends).
var policyVersions = []string{"2025-03-01"}

// checkVersion refuses a request without a supported api-version.
func checkVersion(r *http.Request, supported []string) error {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return refuse(http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
	}
	if !slices.Contains(supported, strings.ToLower(v)) {
		return refuse(http.StatusBadRequest, "InvalidApiVersionParameter",
			"The api-version '%s' is invalid. The supported versions are '%s'.", v, strings.Join(supported, ","))
	}
	return nil
}
