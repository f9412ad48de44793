package arm_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acr "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"

	"github.com/openacr/openacr/internal/arm"
)

func scopeMapPage(p acr.ScopeMapsClientListResponse) []*acr.ScopeMap {
	return p.Value
}

func TestSystemScopeMapsArePresentAndImmutable(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "sysmaps1")
	ctx := t.Context()

	maps := collect(t, e.scopeMaps.NewListPager(group, "sysmaps1", nil), scopeMapPage)
	want := map[string][]string{
		"_repositories_admin": {"repositories/*/content/delete", "repositories/*/content/read",
			"repositories/*/content/write", "repositories/*/metadata/read", "repositories/*/metadata/write"},
		"_repositories_pull":                {"repositories/*/content/read"},
		"_repositories_pull_metadata_read":  {"repositories/*/content/read", "repositories/*/metadata/read"},
		"_repositories_push":                {"repositories/*/content/read", "repositories/*/content/write"},
		"_repositories_push_metadata_write": {"repositories/*/content/read", "repositories/*/content/write", "repositories/*/metadata/read", "repositories/*/metadata/write"},
	}
	if len(maps) != len(want) {
		t.Fatalf("got %d scope maps, want %d", len(maps), len(want))
	}
	for _, m := range maps {
		actions := values(m.Properties.Actions)
		slices.Sort(actions)
		if !slices.Equal(actions, want[*m.Name]) {
			t.Errorf("%s: actions %v, want %v", *m.Name, actions, want[*m.Name])
		}
		if *m.Properties.Type != "SystemDefined" || *m.Type != "Microsoft.ContainerRegistry/registries/scopeMaps" {
			t.Errorf("%s: type %q / %q", *m.Name, *m.Properties.Type, *m.Type)
		}
		if *m.ID != registryID("sysmaps1")+"/scopeMaps/"+*m.Name {
			t.Errorf("%s: id %q", *m.Name, *m.ID)
		}
		if m.Properties.Description == nil || *m.Properties.Description == "" {
			t.Errorf("%s: no description", *m.Name)
		}
	}

	_, err := e.scopeMaps.BeginUpdate(ctx, group, "sysmaps1", "_repositories_pull", acr.ScopeMapUpdateParameters{
		Properties: &acr.ScopeMapPropertiesUpdateParameters{Description: to.Ptr("mine now")},
	}, nil)
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "SystemDefined", "cannot be changed")

	_, err = e.scopeMaps.BeginCreate(ctx, group, "sysmaps1", "_repositories_pull", acr.ScopeMap{
		Properties: &acr.ScopeMapProperties{Actions: to.SliceOfPtrs("repositories/*/content/write")},
	}, nil)
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "cannot be changed")

	_, err = e.scopeMaps.BeginDelete(ctx, group, "sysmaps1", "_repositories_admin", nil)
	wantResponseError(t, err, http.StatusBadRequest, "BadRequest", "cannot be deleted")

	_, err = e.scopeMaps.BeginCreate(ctx, group, "sysmaps1", "_mine_reserved", acr.ScopeMap{
		Properties: &acr.ScopeMapProperties{Actions: to.SliceOfPtrs("repositories/a/content/read")},
	}, nil)
	wantResponseError(t, err, http.StatusBadRequest, "InvalidResourceName", "reserved")
}

func TestScopeMapCRUDThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "maps1")
	ctx := t.Context()

	p, err := e.scopeMaps.BeginCreate(ctx, group, "maps1", "team-a_readers", acr.ScopeMap{
		Properties: &acr.ScopeMapProperties{
			Description: to.Ptr("Team A reads"),
			Actions:     to.SliceOfPtrs("repositories/Team-A/*/content/read", "repositories/app/metadata/read"),
		},
	}, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	created, err := p.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if *created.Name != "team-a_readers" || *created.Properties.Type != "UserDefined" ||
		*created.Properties.ProvisioningState != acr.ProvisioningStateSucceeded || *created.Properties.Description != "Team A reads" {
		t.Errorf("created %+v", *created.Properties)
	}
	if got := values(created.Properties.Actions); !slices.Contains(got, "repositories/team-a/*/content/read") {
		t.Errorf("actions %v, want the repository lower-cased", got)
	}

	up, err := e.scopeMaps.BeginUpdate(ctx, group, "maps1", "team-a_readers", acr.ScopeMapUpdateParameters{
		Properties: &acr.ScopeMapPropertiesUpdateParameters{Actions: to.SliceOfPtrs("repositories/app/content/write", "repositories/app/content/read")},
	}, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	updated, err := up.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if n := len(updated.Properties.Actions); n != 2 || *updated.Properties.Description != "Team A reads" {
		t.Errorf("after update: %d actions, description %q; want 2 and the description kept", n, *updated.Properties.Description)
	}

	got, err := e.scopeMaps.Get(ctx, group, "maps1", "team-a_readers", nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if !got.Properties.CreationDate.Equal(*created.Properties.CreationDate) {
		t.Errorf("creationDate changed from %v to %v", *created.Properties.CreationDate, *got.Properties.CreationDate)
	}

	del, err := e.scopeMaps.BeginDelete(ctx, group, "maps1", "team-a_readers", nil)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := del.PollUntilDone(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = e.scopeMaps.Get(ctx, group, "maps1", "team-a_readers", nil)
	wantResponseError(t, err, http.StatusNotFound, "ResourceNotFound", "team-a_readers")
}

func TestScopeMapInUseCannotBeDeleted(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "inuse1")
	m := e.createScopeMap(t, "inuse1", "shared-map", "repositories/app/content/read")
	e.createToken(t, "inuse1", "ci-robot", *m.ID)

	_, err := e.scopeMaps.BeginDelete(t.Context(), group, "inuse1", "shared-map", nil)
	wantResponseError(t, err, http.StatusConflict, "Conflict", "shared-map", "ci-robot")
}

func TestScopeMapPagingThroughSDK(t *testing.T) {
	e := newEnv(t, arm.Config{PageSize: 2})
	e.createRegistry(t, group, "paging1")
	for i := range 5 {
		e.createScopeMap(t, "paging1", fmt.Sprintf("map-%02d", i), "repositories/app/content/read")
	}

	pages := 0
	var names []string
	pager := e.scopeMaps.NewListPager(group, "paging1", nil)
	for pager.More() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(page.Value) > 2 {
			t.Errorf("page %d has %d items, want at most 2", pages, len(page.Value))
		}
		for _, m := range page.Value {
			names = append(names, *m.Name)
		}
	}
	if len(names) != 10 || pages != 5 {
		t.Errorf("got %d scope maps on %d pages, want 10 on 5: %v", len(names), pages, names)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(names)))) != 10 {
		t.Errorf("duplicates across pages: %v", names)
	}
}

func TestActionsQuotaExceeded(t *testing.T) {
	e := newEnv(t, arm.Config{})
	e.createRegistry(t, group, "quota1")
	actions := make([]string, 501)
	for i := range actions {
		actions[i] = fmt.Sprintf("repositories/app%d/content/read", i)
	}
	_, err := e.scopeMaps.BeginCreate(t.Context(), group, "quota1", "too-many", acr.ScopeMap{
		Properties: &acr.ScopeMapProperties{Actions: to.SliceOfPtrs(actions...)},
	}, nil)
	wantResponseError(t, err, http.StatusConflict, "QuotaExceeded", "500")
}
