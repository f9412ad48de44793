package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/spf13/cobra"
)

// tokenCreateFlags are the options of `token create`.
type tokenCreateFlags struct {
	childFlags
	scopeMap        string
	repos, gateways multiValue
	status          string
	noPasswords     bool
	expiry          expiryFlags
}

func (a *app) newTokenCreateCommand() *cobra.Command {
	var f tokenCreateFlags
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a token associated with a scope map for an Azure Container Registry-style registry.",
		Long: `Create a token associated with a scope map, and generate its two passwords.

Give either an existing scope map (--scope-map) or the permissions (--repository, --gateway):
then a scope map named "<token>-scope-map" is created for the token, or reused if it
already holds exactly these permissions. Unless --no-passwords is given, both passwords are
generated and shown in the output; this is the only time they are shown. Running "token
create" for a token that already exists is refused: use "openacr token credential
generate" to replace its passwords and "openacr token update" to change it.`,
		Example: `  Create a token with repository permissions defined in the scope map "MyScopeMap".
    openacr token create -n MyToken -r myregistry --scope-map MyScopeMap

  Create a token which has read permissions on the repository "hello-world" and on every repository under "team/" (a scope map "MyToken-scope-map" is created).
    openacr token create -n MyToken -r myregistry --repository hello-world content/read metadata/read --repository 'team/*' content/read

  Create a token without passwords, disabled.
    openacr token create -n MyToken -r myregistry --scope-map MyScopeMap --status disabled --no-passwords

  Create a token whose passwords expire in 30 days.
    openacr token create -n MyToken -r myregistry --scope-map MyScopeMap --expiration-in-days 30`,
	}
	f.add(cmd, tokenHelp)
	cmd.Flags().StringVar(&f.scopeMap, "scope-map", "", "The `NAME` of the scope map with pre-configured repository permissions. Use \"--repository\" and/or \"--gateway\" if you would like the CLI to configure one for you.")
	addMultiFlag(cmd.Flags(), &f.repos, "repository", repositoryHelp)
	addMultiFlag(cmd.Flags(), &f.gateways, "gateway", gatewayHelp)
	cmd.Flags().StringVar(&f.status, "status", "enabled", "The `STATUS` of the token: enabled, disabled.")
	completeValues(cmd, "status", tokenStatuses...)
	cmd.Flags().BoolVar(&f.noPasswords, "no-passwords", false, "Do not generate passwords during token creation. You can generate the passwords after the token is created by using \"openacr token credential generate\".")
	f.expiry.add(cmd, false)
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		return a.tokenCreate(ctx, cmd, &f)
	})
	return cmd
}

func (a *app) tokenCreate(ctx context.Context, cmd *cobra.Command, f *tokenCreateFlags) (*result, error) {
	if err := requireFlags(cmd, "name"); err != nil {
		return nil, err
	}
	status, err := parseStatus(f.status)
	if err != nil {
		return nil, err
	}
	withPermissions := f.repos.groups != nil || f.gateways.groups != nil
	if (f.scopeMap != "") == withPermissions {
		return nil, usageErrorf("usage error: can't use --scope-map and --repository | --gateway")
	}
	if f.noPasswords && f.expiry.given(cmd) {
		return nil, usageErrorf("usage error: --no-passwords and expiration arguments are mutually exclusive.")
	}
	expiry, err := a.expiry(cmd, &f.expiry)
	if err != nil {
		return nil, err
	}
	var actions []string
	if withPermissions {
		if actions, err = parseActions(f.repos.groups, f.gateways.groups); err != nil {
			return nil, err
		}
	}
	t, err := a.childTarget(ctx, f.childFlags)
	if err != nil {
		return nil, err
	}
	c, err := a.connect()
	if err != nil {
		return nil, err
	}
	// Re-creating a token would regenerate its passwords (ACR does): refuse.
	if _, err := c.tokens.Get(ctx, t.group, t.registry, f.name, nil); err == nil {
		return nil, fmt.Errorf("Token '%s' already exists in registry '%s'. \"token create\" does not replace the passwords of an existing token: use \"openacr token credential generate -n %s -r %s\" to generate new passwords, or \"openacr token update\" to change its scope map or status.",
			f.name, t.registry, f.name, t.registry)
	} else if !isNotFound(err) {
		return nil, err
	}
	scopeMap := f.scopeMap
	if withPermissions {
		if scopeMap, err = a.defaultScopeMap(ctx, c, t, f.name, actions); err != nil {
			return nil, err
		}
	}
	regID := registryID(c.subscription, t)
	poller, err := c.tokens.BeginCreate(ctx, t.group, t.registry, f.name, armcontainerregistry.Token{
		Properties: &armcontainerregistry.TokenProperties{
			ScopeMapID: to.Ptr(regID + "/scopeMaps/" + scopeMap),
			Status:     to.Ptr(status),
		},
	}, nil)
	if err != nil {
		return nil, err
	}
	created, err := poller.PollUntilDone(ctx, pollOptions)
	if err != nil {
		return nil, err
	}
	if f.noPasswords {
		return a.tokenResult(created.Token)
	}
	res, err := a.tokenWithPasswords(ctx, c, t, created.Token, expiry)
	if err != nil {
		// Most often a credential policy refused the passwords (their
		// lifetime): a token without them is not what was asked for.
		a.undoTokenCreate(ctx, c, t, f.name)
	}
	return res, err
}

// undoTokenCreate deletes the token this command just created, when its
// passwords could not be generated, so that running the command again
// (with a valid expiry) works.
func (a *app) undoTokenCreate(ctx context.Context, c *clients, t target, token string) {
	poller, err := c.tokens.BeginDelete(ctx, t.group, t.registry, token, nil)
	if err == nil {
		_, err = poller.PollUntilDone(ctx, pollOptions)
	}
	if err != nil {
		a.warnf("The token '%s' was created, but its passwords were not, and deleting it failed: %s", token, errorMessage(err))
		return
	}
	a.warnf("The token '%s' was not kept: its passwords could not be generated.", token)
}

// defaultScopeMap creates (or reuses, when it has the same actions) the
// scope map "<token>-scope-map" that az makes for --repository/--gateway.
func (a *app) defaultScopeMap(ctx context.Context, c *clients, t target, token string, actions []string) (string, error) {
	name := token + "-scope-map"
	cur, err := c.scopeMaps.Get(ctx, t.group, t.registry, name, nil)
	switch {
	case err == nil:
		var have []string
		if cur.Properties != nil {
			for _, s := range cur.Properties.Actions {
				if s != nil {
					have = append(have, *s)
				}
			}
		}
		if !sameActions(have, actions) {
			return "", fmt.Errorf("The default scope map was already configured with different repository permissions.\nPlease use \"openacr scope-map update -r %s -n %s --add-repository <REPO> <ACTION> --remove-repository <REPO> <ACTION>\" to update.", t.registry, name)
		}
		a.infof("Reusing the scope map '%s', which has the same permissions.", name)
		return name, nil
	case !isNotFound(err):
		return "", err
	}
	poller, err := c.scopeMaps.BeginCreate(ctx, t.group, t.registry, name, armcontainerregistry.ScopeMap{
		Properties: &armcontainerregistry.ScopeMapProperties{
			Actions:     to.SliceOfPtrs(actions...),
			Description: to.Ptr("Created by token: " + token),
		},
	}, nil)
	if err != nil {
		return "", err
	}
	_, err = poller.PollUntilDone(ctx, pollOptions)
	return name, err
}

// tokenWithPasswords generates both passwords of a new token and returns
// the token with them, as az's token create does.
func (a *app) tokenWithPasswords(ctx context.Context, c *clients, t target, tok armcontainerregistry.Token, expiry *time.Time) (*result, error) {
	gen, err := a.generateCredentials(ctx, c, t, *tok.Name, "", expiry)
	if err != nil {
		return nil, err
	}
	res, err := a.tokenResult(tok)
	if err != nil {
		return nil, err
	}
	creds, err := shape(gen, kindCredentials)
	if err != nil {
		return nil, err
	}
	m, _ := res.value.(map[string]any)
	cm, _ := creds.(map[string]any)
	if m != nil && cm != nil {
		cred, _ := m["credentials"].(map[string]any)
		if cred == nil {
			cred = map[string]any{"certificates": []any{}}
			m["credentials"] = cred
		}
		cred["username"] = cm["username"]
		cred["passwords"] = cm["passwords"]
	}
	loginServer := t.registry
	if reg, err := c.registries.Get(ctx, t.group, t.registry, nil); err == nil && reg.Properties != nil && reg.Properties.LoginServer != nil {
		loginServer = *reg.Properties.LoginServer
	}
	a.warnf("Please store your generated credentials safely. Meanwhile you can use it through \"docker login %s -u %s -p <password1>\".", loginServer, *tok.Name)
	if a.g.output == "table" && a.g.query == "" {
		// az's token table has no password values: they would be lost.
		a.warnf("The table output does not show the generated passwords, and they cannot be retrieved later. Use \"-o json\" or \"--query\", or replace them with \"openacr token credential generate\".")
	}
	return res, nil
}
