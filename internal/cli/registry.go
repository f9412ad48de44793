package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/spf13/cobra"
)

var skus = []string{"Basic", "Standard", "Premium"}

// parseSKU accepts a SKU case-insensitively, as az's enum arguments do.
func parseSKU(s string) (armcontainerregistry.SKUName, error) {
	for _, k := range skus {
		if strings.EqualFold(s, k) {
			return armcontainerregistry.SKUName(k), nil
		}
	}
	return "", usageErrorf("argument --sku: invalid choice: '%s' (choose from %s)", s, quotedList(skus))
}

// registryFlags are the -n/-g options of the registry commands.
type registryFlags struct {
	name, group string
}

func (f *registryFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.name, "name", "n", "", registryNameFlagHelp)
	cmd.Flags().StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
}

func (a *app) registryCommands() []*cobra.Command {
	return []*cobra.Command{
		a.newRegistryCreateCommand(),
		a.newRegistryListCommand(),
		a.newRegistryShowCommand(),
		a.newRegistryUpdateCommand(),
		a.newRegistryDeleteCommand(),
	}
}

func (a *app) registryResult(r armcontainerregistry.Registry) (*result, error) {
	v, err := shape(r, kindRegistry)
	return &result{value: v, table: registryTable}, err
}

func (a *app) newRegistryCreateCommand() *cobra.Command {
	var f registryFlags
	var sku, location string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a container registry.",
		Long: `Create a container registry.

The SKU sets the registry's limits on tokens and scope maps (Basic 100, Standard 500,
Premium 50,000). Every registry starts with the five system scope maps
(_repositories_admin, _repositories_pull, _repositories_pull_metadata_read,
_repositories_push, _repositories_push_metadata_write).`,
		Example: `  Create a registry with the Basic SKU.
    openacr create -n myregistry -g MyResourceGroup --sku Basic

  Create a Premium registry with a location label.
    openacr create -n myregistry -g MyResourceGroup --sku Premium --location edge-1`,
	}
	f.add(cmd)
	cmd.Flags().StringVar(&sku, "sku", "", "The `SKU` of the container registry: Basic, Standard, Premium.")
	completeValues(cmd, "sku", skus...)
	cmd.Flags().StringVarP(&location, "location", "l", "local", "`LOCATION` label of the registry (free text; openacr serves every registry itself).")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := a.withDefaults(&f); err != nil {
			return nil, err
		}
		var missing []string
		for _, m := range []struct{ v, flag string }{{f.name, "--name/-n"}, {f.group, "--resource-group/-g"}, {sku, "--sku"}} {
			if m.v == "" {
				missing = append(missing, m.flag)
			}
		}
		if len(missing) > 0 {
			return nil, usageErrorf("the following arguments are required: %s", strings.Join(missing, ", "))
		}
		skuName, err := parseSKU(sku)
		if err != nil {
			return nil, err
		}
		if err := validateRegistryName(f.name); err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		poller, err := c.registries.BeginCreate(ctx, f.group, f.name, armcontainerregistry.Registry{
			Location:   to.Ptr(location),
			SKU:        &armcontainerregistry.SKU{Name: to.Ptr(skuName)},
			Properties: &armcontainerregistry.RegistryProperties{AdminUserEnabled: to.Ptr(false)},
		}, nil)
		if err != nil {
			return nil, err
		}
		resp, err := poller.PollUntilDone(ctx, pollOptions)
		if err != nil {
			return nil, err
		}
		return a.registryResult(resp.Registry)
	})
	return cmd
}

// withDefaults fills -n and -g from the configured defaults.
func (a *app) withDefaults(f *registryFlags) error {
	var err error
	if f.name == "" {
		if f.name, err = a.defaultValue("acr"); err != nil {
			return err
		}
	}
	if f.group == "" {
		f.group, err = a.defaultValue("group")
	}
	return err
}

func (a *app) newRegistryListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List container registries and their properties.",
		Long: `List container registries and their properties.

Without -g (and without a configured default group) every registry of the server is listed.`,
		Example: `  List container registries and show the results in a table.
    openacr list -o table

  List container registries in a resource group and show the results in a table.
    openacr list -g MyResourceGroup -o table`,
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "Name of resource `GROUP` to list. You can configure the default group using \"openacr configure --defaults group=<name>\". Without one, every registry is listed.")
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if group == "" {
			var err error
			if group, err = a.defaultValue("group"); err != nil {
				return nil, err
			}
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		var list []*armcontainerregistry.Registry
		if group == "" {
			list, err = collect(ctx, c.registries.NewListPager(nil),
				func(p armcontainerregistry.RegistriesClientListResponse) []*armcontainerregistry.Registry {
					return p.Value
				})
		} else {
			list, err = collect(ctx, c.registries.NewListByResourceGroupPager(group, nil),
				func(p armcontainerregistry.RegistriesClientListByResourceGroupResponse) []*armcontainerregistry.Registry {
					return p.Value
				})
		}
		if err != nil {
			return nil, err
		}
		v, err := shape(list, kindRegistry)
		return &result{value: v, table: registryTable}, err
	})
	return cmd
}

// registryTarget resolves -n/-g of show, update and delete.
func (a *app) registryTarget(ctx context.Context, f registryFlags) (target, error) {
	return a.resolveTarget(ctx, f.name, f.group, "--name/-n")
}

func (a *app) newRegistryShowCommand() *cobra.Command {
	var f registryFlags
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Get the details of a container registry.",
		Long:  "Get the details of a container registry.",
		Example: `  Get the login server for a container registry.
    openacr show -n myregistry --query loginServer -o tsv`,
	}
	f.add(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		t, err := a.registryTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		resp, err := c.registries.Get(ctx, t.group, t.registry, nil)
		if err != nil {
			return nil, err
		}
		return a.registryResult(resp.Registry)
	})
	return cmd
}

func (a *app) newRegistryUpdateCommand() *cobra.Command {
	var f registryFlags
	var sku string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a container registry.",
		Long: `Update a container registry.

Changing the SKU changes the registry's limits on tokens and scope maps; moving to a
smaller SKU is refused while the registry holds more than its limits allow.`,
		Example: `  Move a registry to the Premium SKU.
    openacr update -n myregistry --sku Premium`,
	}
	f.add(cmd)
	cmd.Flags().StringVar(&sku, "sku", "", "The `SKU` of the container registry: Basic, Standard, Premium.")
	completeValues(cmd, "sku", skus...)
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		var params armcontainerregistry.RegistryUpdateParameters
		if changed(cmd, "sku") {
			skuName, err := parseSKU(sku)
			if err != nil {
				return nil, err
			}
			params.SKU = &armcontainerregistry.SKU{Name: to.Ptr(skuName)}
		}
		if params.SKU == nil {
			return nil, errors.New("No registry properties to update.")
		}
		t, err := a.registryTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		poller, err := c.registries.BeginUpdate(ctx, t.group, t.registry, params, nil)
		if err != nil {
			return nil, err
		}
		resp, err := poller.PollUntilDone(ctx, pollOptions)
		if err != nil {
			return nil, err
		}
		return a.registryResult(resp.Registry)
	})
	return cmd
}

func (a *app) newRegistryDeleteCommand() *cobra.Command {
	var f registryFlags
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a container registry.",
		Long: `Delete a container registry.

This deletes the registry's scope maps, tokens and content. Without --yes the command asks
for confirmation, and refuses to run without a terminal.`,
		Example: `  Delete a container registry.
    openacr delete -n myregistry -g MyResourceGroup --yes`,
	}
	f.add(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := a.withDefaults(&f); err != nil {
			return nil, err
		}
		if f.name == "" {
			return nil, usageErrorf("the following arguments are required: --name/-n")
		}
		ok, err := a.confirm("Are you sure you want to delete the registry '"+f.name+"'?", yes)
		if err != nil || !ok {
			return nil, err
		}
		t, err := a.registryTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		poller, err := c.registries.BeginDelete(ctx, t.group, t.registry, nil)
		if err != nil {
			return nil, err
		}
		_, err = poller.PollUntilDone(ctx, pollOptions)
		return nil, err
	})
	return cmd
}
