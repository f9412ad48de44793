package arm_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acr "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"

	"github.com/openacr/openacr/internal/arm"
)

func TestRegistryLifecycleThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{})
	ctx := t.Context()

	r := e.createRegistry(t, group, "MyRegistry")
	if got, want := *r.ID, registryID("myregistry"); got != want {
		t.Errorf("id %q, want %q", got, want)
	}
	if *r.Name != "myregistry" || *r.Type != "Microsoft.ContainerRegistry/registries" || *r.Location != "westeurope" {
		t.Errorf("got name %q type %q location %q", *r.Name, *r.Type, *r.Location)
	}
	if *r.SKU.Name != acr.SKUNameBasic || *r.SKU.Tier != acr.SKUTierBasic {
		t.Errorf("got sku %v/%v, want Basic/Basic", *r.SKU.Name, *r.SKU.Tier)
	}
	p := r.Properties
	if *p.LoginServer != "myregistry.example.test" || *p.ProvisioningState != acr.ProvisioningStateSucceeded || *p.AdminUserEnabled {
		t.Errorf("got loginServer %q state %q admin %v", *p.LoginServer, *p.ProvisioningState, *p.AdminUserEnabled)
	}
	if p.CreationDate == nil || time.Since(*p.CreationDate) > time.Minute {
		t.Errorf("creationDate %v, want about now", p.CreationDate)
	}
	if sd := r.SystemData; sd == nil || *sd.CreatedBy != "admin" || *sd.CreatedByType != acr.CreatedByTypeApplication {
		t.Errorf("systemData %+v, want created by admin (Application)", sd)
	}

	got, err := e.registries.Get(ctx, group, "myregistry", nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if *got.ID != *r.ID {
		t.Errorf("get id %q, want %q", *got.ID, *r.ID)
	}

	e.createRegistry(t, group, "second1")
	e.createRegistry(t, "other-group", "third1")
	byGroup := collect(t, e.registries.NewListByResourceGroupPager(group, nil),
		func(p acr.RegistriesClientListByResourceGroupResponse) []*acr.Registry {
			return p.Value
		})
	if n := len(byGroup); n != 2 {
		t.Errorf("group lists %d registries, want 2", n)
	}
	all := collect(t, e.registries.NewListPager(nil),
		func(p acr.RegistriesClientListResponse) []*acr.Registry { return p.Value })
	if n := len(all); n != 3 {
		t.Errorf("subscription lists %d registries, want 3", n)
	}

	up, err := e.registries.BeginUpdate(ctx, group, "myregistry", acr.RegistryUpdateParameters{
		SKU: &acr.SKU{Name: to.Ptr(acr.SKUNamePremium)},
	}, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	updated, err := up.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if *updated.SKU.Name != acr.SKUNamePremium {
		t.Errorf("sku after update %v, want Premium", *updated.SKU.Name)
	}

	for i := range 2 { // the second delete finds nothing and still succeeds
		del, err := e.registries.BeginDelete(ctx, group, "myregistry", nil)
		if err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
		if _, err := del.PollUntilDone(ctx, nil); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	_, err = e.registries.Get(ctx, group, "myregistry", nil)
	wantResponseError(t, err, http.StatusNotFound, "ResourceNotFound", "myregistry")
}

func TestRegistryRefusalsThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "taken1")
	tests := []struct {
		name   string
		group  string
		reg    string
		body   acr.Registry
		status int
		code   string
		msg    string
	}{
		{"name taken in another group", "elsewhere", "taken1",
			acr.Registry{Location: to.Ptr("x"), SKU: &acr.SKU{Name: to.Ptr(acr.SKUNameBasic)}},
			http.StatusConflict, "Conflict", "already in use"},
		{"invalid name", group, "bad_name",
			acr.Registry{Location: to.Ptr("x"), SKU: &acr.SKU{Name: to.Ptr(acr.SKUNameBasic)}},
			http.StatusBadRequest, "InvalidResourceName", "alpha numeric"},
		{"classic sku", group, "classic1",
			acr.Registry{Location: to.Ptr("x"), SKU: &acr.SKU{Name: to.Ptr(acr.SKUNameClassic)}},
			http.StatusBadRequest, "InvalidRequestContent", "Basic, Standard, Premium"},
		{"admin user", group, "admin1",
			acr.Registry{Location: to.Ptr("x"), SKU: &acr.SKU{Name: to.Ptr(acr.SKUNameBasic)},
				Properties: &acr.RegistryProperties{AdminUserEnabled: to.Ptr(true)}},
			http.StatusBadRequest, "BadRequest", "admin user is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.registries.BeginCreate(t.Context(), tt.group, tt.reg, tt.body, nil)
			wantResponseError(t, err, tt.status, tt.code, tt.msg)
		})
	}
}
