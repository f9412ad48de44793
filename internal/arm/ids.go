package arm

import (
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// ARM resource types.
const (
	registryType = "Microsoft.ContainerRegistry/registries"
	scopeMapType = "Microsoft.ContainerRegistry/registries/scopeMaps"
	tokenType    = "Microsoft.ContainerRegistry/registries/tokens"
)

// registryID is the ARM id of a registry, spelt as stored.
func (a *API) registryID(r access.Registry) string {
	return "/subscriptions/" + a.cfg.SubscriptionID + "/resourceGroups/" + r.ResourceGroup +
		"/providers/Microsoft.ContainerRegistry/registries/" + r.Name
}

func (a *API) scopeMapID(r access.Registry, name string) string {
	return a.registryID(r) + "/scopeMaps/" + name
}

func (a *API) tokenID(r access.Registry, name string) string {
	return a.registryID(r) + "/tokens/" + name
}

// childName parses id, the value of field, as the ARM id of a child of
// registry r of the given collection ("scopeMaps" or "tokens"), and returns
// the child's name. Ids are compared case-insensitively, as in Azure.
func (a *API) childName(field, id string, r access.Registry, collection string) (string, error) {
	what := map[string]string{"scopeMaps": "scope map", "tokens": "token"}[collection]
	want := "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}/" +
		collection + "/{name}"
	segs := strings.Split(strings.TrimPrefix(id, "/"), "/")
	shape := []string{"subscriptions", "", "resourceGroups", "", "providers", "Microsoft.ContainerRegistry", "registries", "", collection, ""}
	ok := strings.HasPrefix(id, "/") && len(segs) == len(shape)
	for i := 0; ok && i < len(shape); i++ {
		ok = segs[i] != "" && (shape[i] == "" || strings.EqualFold(segs[i], shape[i]))
	}
	if !ok {
		return "", badRequest("The %s '%s' is not the resource ID of a %s; expected '%s'.", field, id, what, want)
	}
	if !strings.EqualFold(segs[1], a.cfg.SubscriptionID) || !strings.EqualFold(segs[3], r.ResourceGroup) ||
		!strings.EqualFold(segs[7], r.Name) {
		return "", badRequest("The %s '%s' names a %s outside registry '%s' of resource group '%s'; it must be a %s of the same registry.",
			field, id, what, r.Name, r.ResourceGroup, what)
	}
	return segs[9], nil
}
