package cli

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/spf13/cobra"
)

const tokenHelp = "The `NAME` of the token."

var tokenStatuses = []string{"disabled", "enabled"}

func parseStatus(s string) (armcontainerregistry.TokenStatus, error) {
	for _, v := range tokenStatuses {
		if strings.EqualFold(s, v) {
			return armcontainerregistry.TokenStatus(v), nil
		}
	}
	return "", usageErrorf("argument --status: invalid choice: '%s' (choose from %s)", s, quotedList(tokenStatuses))
}

func (a *app) newTokenCommand() *cobra.Command {
	cmd := groupCommand("token", "Manage tokens for an Azure Container Registry-style registry.",
		`Manage tokens: named credentials with two passwords whose permissions come from one scope map.

A client logs in with the token name as user name and either password. For using a token
with "docker login" and other OCI clients, see "openacr token create".`)
	cmd.AddCommand(
		a.newTokenCreateCommand(),
		a.newTokenUpdateCommand(),
		a.newTokenShowCommand(),
		a.newTokenListCommand(),
		a.newTokenDeleteCommand(),
		a.newCredentialCommand(),
	)
	return cmd
}

func (a *app) tokenResult(t armcontainerregistry.Token) (*result, error) {
	v, err := shape(t, kindToken)
	return &result{value: v, table: tokenTable}, err
}

func (a *app) newTokenUpdateCommand() *cobra.Command {
	var f childFlags
	var scopeMap, status string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a token (replace associated scope map) for an Azure Container Registry-style registry.",
		Long: `Update a token: replace its scope map, or enable or disable it.

Only what is given changes: unlike az, a disabled token stays disabled unless --status is
given. Changes take effect on the registry within a second, also for access tokens that
were already issued.`,
		Example: `  Update the token "MyToken", making it associated with the scope map "MyNewScopeMap".
    openacr token update -n MyToken -r myregistry --scope-map MyNewScopeMap

  Disable the token "MyToken".
    openacr token update -n MyToken -r myregistry --status disabled`,
	}
	f.add(cmd, tokenHelp)
	cmd.Flags().StringVar(&scopeMap, "scope-map", "", "The `NAME` of the scope map to associate with the token.")
	cmd.Flags().StringVar(&status, "status", "", "The `STATUS` of the token: enabled, disabled.")
	completeValues(cmd, "status", tokenStatuses...)
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		var props armcontainerregistry.TokenUpdateProperties
		if changed(cmd, "status") {
			s, err := parseStatus(status)
			if err != nil {
				return nil, err
			}
			props.Status = to.Ptr(s)
		}
		if !changed(cmd, "scope-map") && props.Status == nil {
			return nil, errors.New("No token properties to update.")
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		if changed(cmd, "scope-map") {
			props.ScopeMapID = to.Ptr(registryID(c.subscription, t) + "/scopeMaps/" + scopeMap)
		}
		poller, err := c.tokens.BeginUpdate(ctx, t.group, t.registry, f.name, armcontainerregistry.TokenUpdateParameters{Properties: &props}, nil)
		if err != nil {
			return nil, err
		}
		resp, err := poller.PollUntilDone(ctx, pollOptions)
		if err != nil {
			return nil, err
		}
		return a.tokenResult(resp.Token)
	})
	return cmd
}

func (a *app) newTokenShowCommand() *cobra.Command {
	var f childFlags
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show details and attributes of a token for an Azure Container Registry-style registry.",
		Long:  "Show details and attributes of a token. Password values are never shown again.",
		Example: `  Get the details of the token "MyToken".
    openacr token show -n MyToken -r myregistry`,
	}
	f.add(cmd, tokenHelp)
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
		var raw *http.Response
		resp, err := c.tokens.Get(runtime.WithCaptureResponse(ctx, &raw), t.group, t.registry, f.name, nil)
		if err != nil {
			return nil, err
		}
		res, err := a.tokenResult(resp.Token)
		if err != nil {
			return nil, err
		}
		return res, addLastUsed(res.value, raw)
	})
	return cmd
}

func (a *app) newTokenListCommand() *cobra.Command {
	var f childFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List all tokens for an Azure Container Registry-style registry.",
		Long: `List all tokens of a registry.

Each password carries, besides az's attributes, lastUsedTime and lastUsedAddress: when and
from which address it last authenticated (null if never since it was generated). With
--expiring-within, only the tokens with a password that expires within that time (or has
expired) are listed.`,
		Example: `  List the tokens of the registry "myregistry".
    openacr token list -r myregistry -o table

  List the tokens with a password that expires within a week.
    openacr token list -r myregistry --expiring-within 7d -o table`,
	}
	var within string
	cmd.Flags().StringVarP(&f.registry, "registry", "r", "", registryFlagHelp)
	cmd.Flags().StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
	cmd.Flags().StringVar(&within, "expiring-within", "", "Only tokens with a password that expires within `DURATION` (days such as 7d, or a Go duration such as 36h), or has expired.")
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		var horizon time.Duration
		if changed(cmd, "expiring-within") {
			var err error
			if horizon, err = parseWithin(within); err != nil {
				return nil, err
			}
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		list := []*armcontainerregistry.Token{}
		var raws []*http.Response
		pager := c.tokens.NewListPager(t.group, t.registry, nil)
		for pager.More() {
			var raw *http.Response
			page, err := pager.NextPage(runtime.WithCaptureResponse(ctx, &raw))
			if err != nil {
				return nil, err
			}
			list = append(list, page.Value...)
			raws = append(raws, raw)
		}
		v, err := shape(list, kindToken)
		if err == nil {
			err = addLastUsed(v, raws...)
		}
		if err == nil && changed(cmd, "expiring-within") {
			v = expiringBefore(v, a.env.now().Add(horizon))
		}
		return &result{value: v, table: tokenTable}, err
	})
	return cmd
}

func (a *app) newTokenDeleteCommand() *cobra.Command {
	var f childFlags
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a token for an Azure Container Registry-style registry.",
		Long: `Delete a token. Its passwords stop working within a second; the scope map it used is kept.

Without --yes the command asks for confirmation, and refuses to run without a terminal.`,
		Example: `  Delete the token "MyToken".
    openacr token delete -n MyToken -r myregistry --yes`,
	}
	f.add(cmd, tokenHelp)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "Do not prompt for confirmation.")
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		ok, err := a.confirm("Deleting the token '"+f.name+"' will invalidate access to anyone using its credentials. Proceed?", yes)
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
		poller, err := c.tokens.BeginDelete(ctx, t.group, t.registry, f.name, nil)
		if err != nil {
			return nil, err
		}
		_, err = poller.PollUntilDone(ctx, pollOptions)
		return nil, err
	})
	return cmd
}
