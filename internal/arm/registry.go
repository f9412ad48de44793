package arm

import (
	"errors"
	"net/http"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// registryRequest is the body of a registry PUT.
type registryRequest struct {
	Location   string            `json:"location"`
	SKU        *skuRequest       `json:"sku"`
	Properties *registrySettings `json:"properties"`
}

// registryPatch is the body of a registry PATCH; absent fields are kept.
type registryPatch struct {
	SKU        *skuRequest       `json:"sku"`
	Properties *registrySettings `json:"properties"`
}

type skuRequest struct {
	Name string `json:"name"`
}

// registrySettings holds the settable registry properties openacr knows;
// the others (network rules, encryption, ...) are accepted and ignored.
type registrySettings struct {
	AdminUserEnabled *bool `json:"adminUserEnabled"`
}

func (p *registrySettings) validate() error {
	if p != nil && p.AdminUserEnabled != nil && *p.AdminUserEnabled {
		return badRequest("The admin user is not supported: properties.adminUserEnabled must be false. Use scope maps and tokens for credentials.")
	}
	return nil
}

func (s *skuRequest) parse() (access.SKU, error) {
	k, ok := access.ParseSKU(s.Name)
	if !ok {
		return "", invalidContent("The value '%s' of 'sku.name' is not valid. Allowed values: Basic, Standard, Premium.", s.Name)
	}
	return k, nil
}

func (q *registryRequest) validate() (access.SKU, error) {
	if q.Location == "" {
		return "", badRequest("The registry needs a location: set 'location'.")
	}
	if q.SKU == nil || q.SKU.Name == "" {
		return "", badRequest("The registry needs a SKU: set 'sku.name' to Basic, Standard or Premium.")
	}
	if err := q.Properties.validate(); err != nil {
		return "", err
	}
	return q.SKU.parse()
}

func (q *registryPatch) validate() (*access.SKU, error) {
	if err := q.Properties.validate(); err != nil {
		return nil, err
	}
	if q.SKU == nil {
		return nil, nil
	}
	k, err := q.SKU.parse()
	return &k, err
}

// firstErr returns the first non-nil error, so that a handler can check
// every name of its path in order in one statement.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// registryNames validates the resource group and registry of the path.
func registryNames(r *http.Request) (group, name string, err error) {
	group, name = r.PathValue("group"), r.PathValue("registry")
	return group, name, firstErr(access.ValidateGroupName(group), access.ValidateRegistryName(name))
}

func (a *API) putRegistry(w http.ResponseWriter, r *http.Request) error {
	group, name, err := registryNames(r)
	if err != nil {
		return err
	}
	var req registryRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	k, err := req.validate()
	if err != nil {
		return err
	}
	reg, created, err := a.svc.PutRegistry(r.Context(), group, name, req.Location, k)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), a.toRegistry(reg))
	return nil
}

func (a *API) getRegistry(w http.ResponseWriter, r *http.Request) error {
	group, name, err := registryNames(r)
	if err != nil {
		return err
	}
	reg, err := a.svc.GetRegistry(r.Context(), group, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toRegistry(reg))
	return nil
}

func (a *API) updateRegistry(w http.ResponseWriter, r *http.Request) error {
	group, name, err := registryNames(r)
	if err != nil {
		return err
	}
	var req registryPatch
	if err := readJSON(r, &req); err != nil {
		return err
	}
	k, err := req.validate()
	if err != nil {
		return err
	}
	reg, err := a.svc.UpdateRegistry(r.Context(), group, name, k)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toRegistry(reg))
	return nil
}

func (a *API) deleteRegistry(w http.ResponseWriter, r *http.Request) error {
	group, name, err := registryNames(r)
	if err != nil {
		return err
	}
	return deleted(w, a.svc.DeleteRegistry(r.Context(), group, name))
}

// listRegistries lists the registries of a resource group. A group exists
// while it holds a registry (SPEC §1), so an empty one is not found.
func (a *API) listRegistries(w http.ResponseWriter, r *http.Request) error {
	group := r.PathValue("group")
	if err := access.ValidateGroupName(group); err != nil {
		return err
	}
	all, err := a.svc.ListRegistries(r.Context(), "")
	if err != nil {
		return err
	}
	out := list[registry]{Value: []registry{}}
	for _, reg := range all {
		if strings.EqualFold(reg.ResourceGroup, group) {
			out.Value = append(out.Value, a.toRegistry(reg))
		}
	}
	if len(out.Value) == 0 {
		return refuse(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", group)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAllRegistries lists every registry of the subscription.
func (a *API) listAllRegistries(w http.ResponseWriter, r *http.Request) error {
	all, err := a.svc.ListRegistries(r.Context(), "")
	if err != nil {
		return err
	}
	out := list[registry]{Value: make([]registry, 0, len(all))}
	for _, reg := range all {
		out.Value = append(out.Value, a.toRegistry(reg))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createdStatus is the status of a PUT: 201 when it created the resource.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// deleted answers a DELETE: 200 when something was deleted, 204 when there
// was nothing to delete.
func deleted(w http.ResponseWriter, err error) error {
	switch {
	case errors.Is(err, access.ErrNotFound):
		w.WriteHeader(http.StatusNoContent)
		return nil
	case err != nil:
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
