package cli

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// target is the registry a command works on and its resource group.
type target struct {
	registry, group string
}

var registryNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]{5,50}$`)

// validateRegistryName is az's validate_registry_name.
func validateRegistryName(name string) error {
	if !registryNamePattern.MatchString(name) {
		return fmt.Errorf("Registry names may contain only alpha numeric characters and must be between 5 and 50 characters")
	}
	return nil
}

// resolveTarget completes the registry name and group given on the
// command line (either may be empty) as az does: the configured defaults
// (acr, group), then, without a group, a search of the subscription's
// registries by name. flag is how the registry option is spelled in the
// "required" message.
func (a *app) resolveTarget(ctx context.Context, registry, group, flag string) (target, error) {
	var err error
	if registry == "" {
		if registry, err = a.defaultValue("acr"); err != nil {
			return target{}, err
		}
		if registry == "" {
			return target{}, usageErrorf("the following arguments are required: %s", flag)
		}
	}
	if err := validateRegistryName(registry); err != nil {
		return target{}, err
	}
	if group == "" {
		if group, err = a.defaultValue("group"); err != nil {
			return target{}, err
		}
	}
	if group != "" {
		return target{registry: registry, group: group}, nil
	}
	group, err = a.lookupGroup(ctx, registry)
	return target{registry: registry, group: group}, err
}

// lookupGroup finds the resource group of the registry called name
// (case-insensitively) among all registries of the subscription.
func (a *app) lookupGroup(ctx context.Context, name string) (string, error) {
	c, err := a.connect()
	if err != nil {
		return "", err
	}
	var groups []string
	pager := c.registries.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, r := range page.Value {
			if r != nil && r.Name != nil && r.ID != nil && strings.EqualFold(*r.Name, name) {
				groups = append(groups, groupFromID(*r.ID))
			}
		}
	}
	switch len(groups) {
	case 0:
		return "", fmt.Errorf("The resource with name '%s' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription '%s'.", name, c.subscription)
	case 1:
		a.debugf("Registry '%s' is in resource group '%s'", name, groups[0])
		return groups[0], nil
	}
	return "", fmt.Errorf("More than one resources with type 'Microsoft.ContainerRegistry/registries' are found with name '%s'.", name)
}
