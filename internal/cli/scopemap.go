package cli

import (
	"context"
	"errors"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/spf13/cobra"
)

// childFlags are the -n/-r/-g options of scope-map and token commands.
type childFlags struct {
	name, registry, group string
}

func (f *childFlags) add(cmd *cobra.Command, nameHelp string) {
	cmd.Flags().StringVarP(&f.name, "name", "n", "", nameHelp)
	cmd.Flags().StringVarP(&f.registry, "registry", "r", "", registryFlagHelp)
	cmd.Flags().StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
}

func (a *app) childTarget(ctx context.Context, f childFlags) (target, error) {
	return a.resolveTarget(ctx, f.registry, f.group, "--registry/-r")
}

const (
	registryFlagHelp     = "The `NAME` of the container registry. You can configure the default registry name using \"openacr configure --defaults acr=<registry name>\"."
	registryNameFlagHelp = "The `NAME` of the container registry. You can configure the default registry name using \"openacr configure --defaults acr=<registry name>\"."
	groupFlagHelp        = "Name of resource `GROUP`. You can configure the default group using \"openacr configure --defaults group=<name>\". Without one, the group is looked up from the registry name."
	repositoryHelp       = "Repository permissions, as `REPO ACTION [ACTION ...]`; repeat the flag for more repositories. REPO may be * (every repository) or end in /* (every repository under it). Valid actions: content/read, content/write, content/delete, metadata/read, metadata/write."
	gatewayHelp          = "Connected registry permissions, as `GATEWAY ACTION [ACTION ...]`; repeatable. Valid actions: config/read, config/write, message/read, message/write."
	scopeMapHelp         = "The `NAME` of the scope map."
)

func (a *app) newScopeMapCommand() *cobra.Command {
	cmd := groupCommand("scope-map", "Manage scope access maps for Azure Container Registry-style tokens.",
		`Manage scope maps: named sets of repository permissions that tokens use.

A scope map lists actions such as repositories/app/content/read. A token has exactly one
scope map; every registry also has five read-only system scope maps (_repositories_*).`)
	cmd.AddCommand(
		a.newScopeMapCreateCommand(),
		a.newScopeMapUpdateCommand(),
		a.newScopeMapShowCommand(),
		a.newScopeMapListCommand(),
		a.newScopeMapDeleteCommand(),
	)
	return cmd
}

func (a *app) scopeMapResult(s armcontainerregistry.ScopeMap) (*result, error) {
	v, err := shape(s, kindScopeMap)
	return &result{value: v, table: scopeMapTable}, err
}

func (a *app) newScopeMapCreateCommand() *cobra.Command {
	var f childFlags
	var repos, gateways multiValue
	var description string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a scope map for an Azure Container Registry-style registry.",
		Long: `Create a scope map for a registry.

Repository names and actions are lower-cased. A repository may be * or end in /* to grant
the actions on every repository (under that prefix), existing or not; rules add up.`,
		Example: `  Create a scope map that allows content/write and metadata/read actions for repository "hello-world", and content/read action for "hello-world-again".
    openacr scope-map create -n MyScopeMap -r myregistry --repository hello-world content/write metadata/read --repository hello-world-again content/read --description "Sample scope map."

  Create a scope map that allows pulling every repository under "team/".
    openacr scope-map create -n TeamReaders -r myregistry --repository 'team/*' content/read metadata/read`,
	}
	f.add(cmd, scopeMapHelp)
	addMultiFlag(cmd.Flags(), &repos, "repository", repositoryHelp)
	addMultiFlag(cmd.Flags(), &gateways, "gateway", gatewayHelp)
	cmd.Flags().StringVar(&description, "description", "", "Description `TEXT` for the scope map. Maximum 256 characters are allowed.")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		actions, err := parseActions(repos.groups, gateways.groups)
		if err != nil {
			return nil, err
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		props := &armcontainerregistry.ScopeMapProperties{Actions: to.SliceOfPtrs(actions...)}
		if description != "" {
			props.Description = to.Ptr(description)
		}
		poller, err := c.scopeMaps.BeginCreate(ctx, t.group, t.registry, f.name, armcontainerregistry.ScopeMap{Properties: props}, nil)
		if err != nil {
			return nil, err
		}
		resp, err := poller.PollUntilDone(ctx, pollOptions)
		if err != nil {
			return nil, err
		}
		return a.scopeMapResult(resp.ScopeMap)
	})
	return cmd
}

func (a *app) newScopeMapUpdateCommand() *cobra.Command {
	var f childFlags
	var addRepos, removeRepos, addGateways, removeGateways multiValue
	var description string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a scope map for an Azure Container Registry-style registry.",
		Long: `Update a scope map: add or remove repository and gateway permissions, or change its
description. The new actions are (current + added) - removed; an action that is both added
and removed is refused. Tokens using the scope map get the new permissions within a second.`,
		Example: `  Update the scope map "MyScopeMap", removing metadata/read and content/write actions for "hello-world" and adding content/read for "hello-world-again".
    openacr scope-map update -n MyScopeMap -r myregistry --add-repository hello-world-again content/read --remove-repository hello-world metadata/read content/write`,
	}
	f.add(cmd, scopeMapHelp)
	addMultiFlag(cmd.Flags(), &addRepos, "add-repository", "Repository permissions to add, as `REPO ACTION [ACTION ...]`; repeatable.", "add", "add-repo")
	addMultiFlag(cmd.Flags(), &removeRepos, "remove-repository", "Repository permissions to remove, as `REPO ACTION [ACTION ...]`; repeatable.", "remove", "remove-repo")
	addMultiFlag(cmd.Flags(), &addGateways, "add-gateway", "Connected registry permissions to add, as `GATEWAY ACTION [ACTION ...]`; repeatable.")
	addMultiFlag(cmd.Flags(), &removeGateways, "remove-gateway", "Connected registry permissions to remove, as `GATEWAY ACTION [ACTION ...]`; repeatable.")
	cmd.Flags().StringVar(&description, "description", "", "Description `TEXT` for the scope map. Maximum 256 characters are allowed.")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		a.deprecatedAlias(cmd, "add", "add-repository")
		a.deprecatedAlias(cmd, "remove", "remove-repository")
		editActions := addRepos.groups != nil || removeRepos.groups != nil || addGateways.groups != nil || removeGateways.groups != nil
		if !editActions && !changed(cmd, "description") {
			return nil, errors.New("No scope map properties to update.")
		}
		add, err := parseActions(addRepos.groups, addGateways.groups)
		if err != nil {
			return nil, err
		}
		remove, err := parseActions(removeRepos.groups, removeGateways.groups)
		if err != nil {
			return nil, err
		}
		if _, err := updateActions(nil, add, remove); err != nil {
			return nil, err
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		props := &armcontainerregistry.ScopeMapPropertiesUpdateParameters{}
		if changed(cmd, "description") {
			props.Description = to.Ptr(description)
		}
		if editActions {
			cur, err := c.scopeMaps.Get(ctx, t.group, t.registry, f.name, nil)
			if err != nil {
				return nil, err
			}
			var current []string
			if cur.Properties != nil {
				for _, s := range cur.Properties.Actions {
					if s != nil {
						current = append(current, *s)
					}
				}
			}
			actions, err := updateActions(current, add, remove)
			if err != nil {
				return nil, err
			}
			props.Actions = to.SliceOfPtrs(actions...)
		}
		poller, err := c.scopeMaps.BeginUpdate(ctx, t.group, t.registry, f.name, armcontainerregistry.ScopeMapUpdateParameters{Properties: props}, nil)
		if err != nil {
			return nil, err
		}
		resp, err := poller.PollUntilDone(ctx, pollOptions)
		if err != nil {
			return nil, err
		}
		return a.scopeMapResult(resp.ScopeMap)
	})
	return cmd
}

func (a *app) newScopeMapShowCommand() *cobra.Command {
	var f childFlags
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show details and attributes of a scope map for an Azure Container Registry-style registry.",
		Long:  "Show details and attributes of a scope map.",
		Example: `  Get information for the scope map "MyScopeMap".
    openacr scope-map show -n MyScopeMap -r myregistry`,
	}
	f.add(cmd, scopeMapHelp)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		resp, err := c.scopeMaps.Get(ctx, t.group, t.registry, f.name, nil)
		if err != nil {
			return nil, err
		}
		return a.scopeMapResult(resp.ScopeMap)
	})
	return cmd
}

func (a *app) newScopeMapListCommand() *cobra.Command {
	var f childFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List all scope maps for an Azure Container Registry-style registry.",
		Long:  "List all scope maps of a registry, the system-defined ones included.",
		Example: `  List scope maps under the registry "myregistry".
    openacr scope-map list -r myregistry -o table`,
	}
	cmd.Flags().StringVarP(&f.registry, "registry", "r", "", registryFlagHelp)
	cmd.Flags().StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		list, err := collect(ctx, c.scopeMaps.NewListPager(t.group, t.registry, nil),
			func(p armcontainerregistry.ScopeMapsClientListResponse) []*armcontainerregistry.ScopeMap {
				return p.Value
			})
		if err != nil {
			return nil, err
		}
		v, err := shape(list, kindScopeMap)
		return &result{value: v, table: scopeMapTable}, err
	})
	return cmd
}

func (a *app) newScopeMapDeleteCommand() *cobra.Command {
	var f childFlags
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a scope map for an Azure Container Registry-style registry.",
		Long: `Delete a scope map. A scope map that tokens still use cannot be deleted.

Without --yes the command asks for confirmation, and refuses to run without a terminal.`,
		Example: `  Delete the scope map "MyScopeMap".
    openacr scope-map delete -n MyScopeMap -r myregistry --yes`,
	}
	f.add(cmd, scopeMapHelp)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		ok, err := a.confirm("Deleting the scope map '"+f.name+"' will remove its permissions with associated tokens. Proceed?", yes)
		if err != nil || !ok {
			return nil, err
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		poller, err := c.scopeMaps.BeginDelete(ctx, t.group, t.registry, f.name, nil)
		if err != nil {
			return nil, err
		}
		_, err = poller.PollUntilDone(ctx, pollOptions)
		return nil, err
	})
	return cmd
}
