package arm

import (
	"net/http"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// A registry's credential policy is one child resource, named "default"
// (docs/decisions.md): GET reads it (every policy off until it is set), PUT
// replaces it, PATCH changes the properties it names.
const (
	credentialPoliciesPath = registryPath + "/credentialPolicies"
	credentialPolicyType   = "Microsoft.ContainerRegistry/registries/credentialPolicies"
	credentialPolicyName   = "default"
)

type credentialPolicy struct {
	ID         string                     `json:"id"`
	Name       string                     `json:"name"`
	Type       string                     `json:"type"`
	SystemData *systemData                `json:"systemData"`
	Properties credentialPolicyProperties `json:"properties"`
}

type credentialPolicyProperties struct {
	MaxPasswordLifetimeDays int    `json:"maxPasswordLifetimeDays"`
	RequireExpiry           bool   `json:"requireExpiry"`
	RequireChangeReference  bool   `json:"requireChangeReference"`
	RequirePolicyToken      bool   `json:"requirePolicyToken"`
	ProvisioningState       string `json:"provisioningState"`
}

// credentialPolicyRequest is the body of a PUT or PATCH; absent properties
// are off in a PUT and kept in a PATCH.
type credentialPolicyRequest struct {
	Properties *struct {
		MaxPasswordLifetimeDays *int  `json:"maxPasswordLifetimeDays"`
		RequireExpiry           *bool `json:"requireExpiry"`
		RequireChangeReference  *bool `json:"requireChangeReference"`
		RequirePolicyToken      *bool `json:"requirePolicyToken"`
	} `json:"properties"`
}

// apply sets p from q: every property in a PUT (replace), the given ones
// in a PATCH.
func (q *credentialPolicyRequest) apply(p *access.Policy, replace bool) {
	if replace {
		*p = access.Policy{Registry: p.Registry}
	}
	pp := q.Properties
	if pp == nil {
		return
	}
	if pp.MaxPasswordLifetimeDays != nil {
		p.MaxPasswordLifetimeDays = *pp.MaxPasswordLifetimeDays
	}
	if pp.RequireExpiry != nil {
		p.RequireExpiry = *pp.RequireExpiry
	}
	if pp.RequireChangeReference != nil {
		p.RequireChangeReference = *pp.RequireChangeReference
	}
	if pp.RequirePolicyToken != nil {
		p.RequirePolicyToken = *pp.RequirePolicyToken
	}
}

func (a *API) toCredentialPolicy(r access.Registry, p access.Policy) credentialPolicy {
	modified := p.Modified
	if modified.IsZero() {
		modified = r.Created // never set: as old as the registry
	}
	return credentialPolicy{
		ID: a.registryID(r) + "/credentialPolicies/" + credentialPolicyName, Name: credentialPolicyName,
		Type: credentialPolicyType, SystemData: newSystemData(modified, modified),
		Properties: credentialPolicyProperties{
			MaxPasswordLifetimeDays: p.MaxPasswordLifetimeDays, RequireExpiry: p.RequireExpiry,
			RequireChangeReference: p.RequireChangeReference, RequirePolicyToken: p.RequirePolicyToken,
			ProvisioningState: succeeded,
		},
	}
}

// policyParent returns the registry of a credential policy request, whose
// policy must be the one named "default".
func (a *API) policyParent(r *http.Request) (access.Registry, error) {
	var nameErr error
	if name := r.PathValue("policy"); !strings.EqualFold(name, credentialPolicyName) {
		nameErr = refuse(http.StatusNotFound, "ResourceNotFound",
			"The credential policy '%s' could not be found: a registry has one credential policy, named '%s'.", name, credentialPolicyName)
	}
	return a.parent(r, nameErr)
}

func (a *API) getCredentialPolicy(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.policyParent(r)
	if err != nil {
		return err
	}
	p, err := a.svc.GetPolicy(r.Context(), reg.ResourceGroup, reg.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toCredentialPolicy(reg, p))
	return nil
}

func (a *API) putCredentialPolicy(w http.ResponseWriter, r *http.Request) error {
	return a.writeCredentialPolicy(w, r, true)
}

func (a *API) updateCredentialPolicy(w http.ResponseWriter, r *http.Request) error {
	return a.writeCredentialPolicy(w, r, false)
}

func (a *API) writeCredentialPolicy(w http.ResponseWriter, r *http.Request, replace bool) error {
	reg, err := a.policyParent(r)
	if err != nil {
		return err
	}
	var req credentialPolicyRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	p, err := a.svc.UpdatePolicy(r.Context(), reg.ResourceGroup, reg.Name, func(p *access.Policy) { req.apply(p, replace) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toCredentialPolicy(reg, p))
	return nil
}
