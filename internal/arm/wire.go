package arm

import (
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// The response bodies, mirroring armcontainerregistry's models. Request
// bodies are in the files of their resources, with their validation.

// timeFormat is how ACR writes times: UTC with a "+00:00" offset and up to
// six fractional digits, trailing zeros dropped.
const timeFormat = "2006-01-02T15:04:05.999999-07:00"

// armTime is a time in ACR's format.
type armTime time.Time

func (t armTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(timeFormat) + `"`), nil
}

const (
	succeeded = "Succeeded"
	// admin is who created and last modified everything: the one principal
	// of the management API.
	admin     = "admin"
	adminType = "Application"
)

type systemData struct {
	CreatedBy          string  `json:"createdBy"`
	CreatedByType      string  `json:"createdByType"`
	CreatedAt          armTime `json:"createdAt"`
	LastModifiedBy     string  `json:"lastModifiedBy"`
	LastModifiedByType string  `json:"lastModifiedByType"`
	LastModifiedAt     armTime `json:"lastModifiedAt"`
}

func newSystemData(created, modified time.Time) *systemData {
	return &systemData{CreatedBy: admin, CreatedByType: adminType, CreatedAt: armTime(created),
		LastModifiedBy: admin, LastModifiedByType: adminType, LastModifiedAt: armTime(modified)}
}

type sku struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type registry struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Location   string             `json:"location"`
	Tags       map[string]string  `json:"tags"`
	SKU        sku                `json:"sku"`
	SystemData *systemData        `json:"systemData"`
	Properties registryProperties `json:"properties"`
}

type registryProperties struct {
	LoginServer         string  `json:"loginServer"`
	CreationDate        armTime `json:"creationDate"`
	ProvisioningState   string  `json:"provisioningState"`
	AdminUserEnabled    bool    `json:"adminUserEnabled"`
	PublicNetworkAccess string  `json:"publicNetworkAccess"`
	ZoneRedundancy      string  `json:"zoneRedundancy"`
}

func (a *API) toRegistry(r access.Registry) registry {
	return registry{
		ID: a.registryID(r), Name: r.Name, Type: registryType, Location: r.Location, Tags: map[string]string{},
		SKU:        sku{Name: string(r.SKU), Tier: string(r.SKU)},
		SystemData: newSystemData(r.Created, r.Modified),
		Properties: registryProperties{
			LoginServer: a.cfg.LoginServer(r.Name), CreationDate: armTime(r.Created), ProvisioningState: succeeded,
			PublicNetworkAccess: "Enabled", ZoneRedundancy: "Disabled",
		},
	}
}

type scopeMap struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	SystemData *systemData        `json:"systemData"`
	Properties scopeMapProperties `json:"properties"`
}

type scopeMapProperties struct {
	Description       string   `json:"description,omitempty"`
	Type              string   `json:"type"`
	CreationDate      armTime  `json:"creationDate"`
	ProvisioningState string   `json:"provisioningState"`
	Actions           []string `json:"actions"`
}

func (a *API) toScopeMap(r access.Registry, m access.ScopeMap) scopeMap {
	kind := "UserDefined"
	if m.System {
		kind = "SystemDefined"
	}
	actions := m.Actions
	if actions == nil {
		actions = []string{}
	}
	return scopeMap{
		ID: a.scopeMapID(r, m.Name), Name: m.Name, Type: scopeMapType,
		SystemData: newSystemData(m.Created, m.Modified),
		Properties: scopeMapProperties{Description: m.Description, Type: kind, CreationDate: armTime(m.Created),
			ProvisioningState: succeeded, Actions: actions},
	}
}

type token struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	SystemData *systemData     `json:"systemData"`
	Properties tokenProperties `json:"properties"`
}

type tokenProperties struct {
	CreationDate      armTime     `json:"creationDate"`
	ProvisioningState string      `json:"provisioningState"`
	ScopeMapID        string      `json:"scopeMapId"`
	Status            string      `json:"status"`
	Credentials       credentials `json:"credentials"`
}

type credentials struct {
	Passwords []password `json:"passwords"`
}

// password is a token password as shown. Value is set only in the result
// of generateCredentials, and only for the passwords it generated.
type password struct {
	Name         string  `json:"name"`
	CreationTime armTime `json:"creationTime"`
	Expiry       armTime `json:"expiry"`
	Value        string  `json:"value,omitempty"`
	// LastUsedTime and LastUsedAddress are openacr's extension: when and
	// from where the password last authenticated (absent if never). ARM
	// clients ignore fields they do not know.
	LastUsedTime    *armTime `json:"lastUsedTime,omitempty"`
	LastUsedAddress string   `json:"lastUsedAddress,omitempty"`
}

func toPassword(p access.Password) password {
	w := password{Name: p.Name, CreationTime: armTime(p.Created), Expiry: armTime(p.Expiry)}
	if !p.LastUsed.IsZero() {
		w.LastUsedTime, w.LastUsedAddress = (*armTime)(&p.LastUsed), p.LastUsedAddress
	}
	return w
}

func (a *API) toToken(r access.Registry, t access.Token) token {
	ps := make([]password, 0, len(t.Passwords))
	for _, p := range t.Passwords {
		ps = append(ps, toPassword(p))
	}
	return token{
		ID: a.tokenID(r, t.Name), Name: t.Name, Type: tokenType,
		SystemData: newSystemData(t.Created, t.Modified),
		Properties: tokenProperties{CreationDate: armTime(t.Created), ProvisioningState: succeeded,
			ScopeMapID: a.scopeMapID(r, t.ScopeMap), Status: strings.ToLower(string(t.Status)),
			Credentials: credentials{Passwords: ps}},
	}
}

type generateResult struct {
	Username  string     `json:"username"`
	Passwords []password `json:"passwords"`
}

func toGenerateResult(g access.Generated) generateResult {
	ps := make([]password, 0, len(g.Passwords))
	for _, p := range g.Passwords {
		wp := toPassword(p.Password)
		wp.Value = p.Value
		ps = append(ps, wp)
	}
	return generateResult{Username: g.Username, Passwords: ps}
}

// list is a page of a collection; NextLink is absent on the last page.
type list[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}
