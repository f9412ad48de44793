package arm

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// tokenRequest is the body of a token PUT or PATCH.
type tokenRequest struct {
	Properties *struct {
		ScopeMapID  *string `json:"scopeMapId"`
		Status      *string `json:"status"`
		Credentials *struct {
			// Passwords is, in a PATCH, the full list of the passwords to
			// keep; nil (absent or null) keeps them all.
			Passwords    []passwordRequest `json:"passwords"`
			Certificates []json.RawMessage `json:"certificates"`
		} `json:"credentials"`
	} `json:"properties"`
}

// passwordRequest is a password named in a token PATCH. Its creationTime
// and expiry are ignored; a value is refused.
type passwordRequest struct {
	Name  string  `json:"name"`
	Value *string `json:"value"`
}

// tokenChange is a validated tokenRequest in the service's terms.
type tokenChange struct {
	ScopeMap      *string // name of a scope map of the token's registry
	Status        *access.Status
	KeepPasswords *[]string
}

// validate checks q for a token of registry reg.
func (q *tokenRequest) validate(a *API, reg access.Registry) (tokenChange, error) {
	var c tokenChange
	p := q.Properties
	if p == nil {
		return c, nil
	}
	if p.Status != nil {
		st := access.Status(strings.ToLower(*p.Status))
		if st != access.Enabled && st != access.Disabled {
			return c, invalidContent("The value '%s' of 'properties.status' is not valid. Allowed values: enabled, disabled.", *p.Status)
		}
		c.Status = &st
	}
	if p.ScopeMapID != nil {
		if *p.ScopeMapID == "" {
			return c, badRequest("'properties.scopeMapId' cannot be empty: a token needs a scope map of registry '%s'.", reg.Name)
		}
		name, err := a.childName("properties.scopeMapId", *p.ScopeMapID, reg, "scopeMaps")
		if err == nil {
			err = access.ValidateScopeMapName(name)
		}
		if err != nil {
			return c, err
		}
		c.ScopeMap = &name
	}
	if cr := p.Credentials; cr != nil {
		if len(cr.Certificates) > 0 {
			return c, badRequest("Token certificates are not supported; authenticate with passwords (generateCredentials).")
		}
		if cr.Passwords != nil {
			keep := []string{}
			for _, pw := range cr.Passwords {
				if pw.Value != nil && *pw.Value != "" {
					return c, badRequest("Passwords cannot be set; use generateCredentials to create them.")
				}
				slot := strings.ToLower(pw.Name)
				if slot != access.Password1 && slot != access.Password2 {
					return c, invalidContent("The value '%s' of 'properties.credentials.passwords[].name' is not valid. Allowed values: password1, password2.", pw.Name)
				}
				keep = append(keep, slot)
			}
			c.KeepPasswords = &keep
		}
	}
	return c, nil
}

func tokenName(r *http.Request) (string, error) {
	name := r.PathValue("token")
	return name, access.ValidateTokenName(name)
}

// putToken creates a token or sets the scope map and status of an existing
// one. Passwords listed in the body are ignored, so that a resource read
// with GET can be sent back; passwords are only created by
// generateCredentials and only deleted by PATCH.
func (a *API) putToken(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := tokenName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	c, err := req.validate(a, reg)
	if err != nil {
		return err
	}
	if c.ScopeMap == nil {
		return badRequest("A token needs a scope map: set 'properties.scopeMapId' to the resource ID of a scope map of registry '%s'.", reg.Name)
	}
	var status access.Status
	if c.Status != nil {
		status = *c.Status
	}
	t, created, err := a.svc.PutToken(r.Context(), reg.ResourceGroup, reg.Name, name, *c.ScopeMap, status)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(created), a.toToken(reg, t))
	return nil
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := tokenName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	t, err := a.svc.GetToken(r.Context(), reg.ResourceGroup, reg.Name, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toToken(reg, t))
	return nil
}

// updateToken changes the scope map or status of a token, or deletes
// passwords: properties.credentials.passwords lists the ones to keep.
func (a *API) updateToken(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := tokenName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	c, err := req.validate(a, reg)
	if err != nil {
		return err
	}
	t, err := a.svc.UpdateToken(r.Context(), reg.ResourceGroup, reg.Name, name,
		access.TokenUpdate{ScopeMap: c.ScopeMap, Status: c.Status, KeepPasswords: c.KeepPasswords})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.toToken(reg, t))
	return nil
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) error {
	name, nameErr := tokenName(r)
	reg, err := a.parent(r, nameErr)
	if err != nil {
		return err
	}
	return deleted(w, a.svc.DeleteToken(r.Context(), reg.ResourceGroup, reg.Name, name))
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.parent(r, nil)
	if err != nil {
		return err
	}
	page, err := a.page(r)
	if err != nil {
		return err
	}
	ts, err := a.svc.ListTokens(r.Context(), reg.ResourceGroup, reg.Name, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(a, r, ts,
		func(t access.Token) string { return t.Name },
		func(t access.Token) token { return a.toToken(reg, t) }))
	return nil
}

// generateRequest is the body of generateCredentials.
type generateRequest struct {
	TokenID string  `json:"tokenId"`
	Name    *string `json:"name"`
	Expiry  *string `json:"expiry"`
}

// validate returns the token name, the slot ("" for both) and the expiry.
func (q *generateRequest) validate(a *API, reg access.Registry) (tok, slot string, expiry *time.Time, err error) {
	if q.TokenID == "" {
		return "", "", nil, badRequest("'tokenId' is required: the resource ID of a token of registry '%s'.", reg.Name)
	}
	if tok, err = a.childName("tokenId", q.TokenID, reg, "tokens"); err != nil {
		return "", "", nil, err
	}
	if err := access.ValidateTokenName(tok); err != nil {
		return "", "", nil, err
	}
	if q.Name != nil && *q.Name != "" {
		slot = strings.ToLower(*q.Name)
		if slot != access.Password1 && slot != access.Password2 {
			return "", "", nil, invalidContent("The value '%s' of 'name' is not valid. Allowed values: password1, password2.", *q.Name)
		}
	}
	if q.Expiry != nil && *q.Expiry != "" {
		t, err := parseTime(*q.Expiry)
		if err != nil {
			return "", "", nil, invalidContent("Input '%s' is not valid datetime. Valid example: 2025-12-31T12:59:59Z", *q.Expiry)
		}
		expiry = &t
	}
	return tok, slot, expiry, nil
}

// parseTime reads an RFC 3339 time; one without an offset is UTC, as the
// SDK reads them.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	return t.UTC(), err
}

// generateCredentials generates one or both passwords of a token and
// returns them with their values, the only time they are ever shown.
func (a *API) generateCredentials(w http.ResponseWriter, r *http.Request) error {
	reg, err := a.parent(r, nil)
	if err != nil {
		return err
	}
	var req generateRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	tok, slot, expiry, err := req.validate(a, reg)
	if err != nil {
		return err
	}
	if e := note(r); e != nil {
		e.Token, e.Target, e.Password = tok, a.tokenID(reg, tok), slot
		if slot == "" {
			e.Password = access.Password1 + "," + access.Password2
		}
	}
	g, err := a.svc.GenerateCredentials(r.Context(), reg.ResourceGroup, reg.Name, tok, slot, expiry)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, toGenerateResult(g))
	return nil
}
