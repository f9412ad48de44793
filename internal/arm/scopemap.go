package arm

import (
	"net/http"

	"github.com/openacr/openacr/internal/access"
)

// scopeMapRequest is the body of a scope map PUT or PATCH.
type scopeMapRequest struct {
	Properties *struct {
		Description *string  `json:"description"`
		Actions     []string `json:"actions"`
	} `json:"properties"`
}

// parent validates every name of a child resource's path, childErr being
// the check of the child's own name, and loads the child's registry.
func (a *API) parent(r *http.Request, childErr error) (access.Registry, error) {
	group, name, err := registryNames(r)
	if err := firstErr(err, childErr); err != nil {
		return access.Registry{}, err
	}
	return a.svc.GetRegistry(r.Context(), group, name)
}

func scopeMapName(r *http.Request) (string, error) {
	name := r.PathValue("scopeMap")
	return name, access.ValidateScopeMapName(name)
}

func (a *API) putScopeMap(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := scopeMapName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	var req scopeMapRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	if req.Properties == nil || req.Properties.Actions == nil {
		return badRequest("A scope map needs 'properties.actions', such as [\"repositories/<repository>/content/read\"].")
	}
	m, created, err := a.svc.PutScopeMap(r.Context(), reg.ResourceGroup, reg.Name, name,
		req.Properties.Description, req.Properties.Actions)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), a.toScopeMap(reg, m))
	return nil
}

func (a *API) getScopeMap(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := scopeMapName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	m, err := a.svc.GetScopeMap(r.Context(), reg.ResourceGroup, reg.Name, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toScopeMap(reg, m))
	return nil
}

func (a *API) updateScopeMap(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := scopeMapName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	var req scopeMapRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	var (
		description *string
		actions     *[]string
	)
	if p := req.Properties; p != nil {
		description = p.Description
		if p.Actions != nil {
			actions = &p.Actions
		}
	}
	m, err := a.svc.UpdateScopeMap(r.Context(), reg.ResourceGroup, reg.Name, name, description, actions)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toScopeMap(reg, m))
	return nil
}

func (a *API) deleteScopeMap(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := scopeMapName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	return deleted(w, a.svc.DeleteScopeMap(r.Context(), reg.ResourceGroup, reg.Name, name))
}

func (a *API) listScopeMaps(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.parent(r, nil)
	if err != nil {
		return err
	}
	page, err := a.page(r)
	if err != nil {
		return err
	}
	ms, err := a.svc.ListScopeMaps(r.Context(), reg.ResourceGroup, reg.Name, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(a, r, ms,
		func(m access.ScopeMap) string { return m.Name },
		func(m access.ScopeMap) scopeMap { return a.toScopeMap(reg, m) }))
	return nil
}
