package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/spf13/cobra"
)

func (a *app) newCredentialCommand() *cobra.Command {
	cmd := groupCommand("credential", "Manage credentials of a token for an Azure Container Registry-style registry.",
		`Manage the two passwords of a token.

Each password has its own creation time and expiry and can be replaced or deleted on its
own, so that a client can move to a new password before the old one is removed.`)
	cmd.AddCommand(a.newCredentialGenerateCommand(), a.newCredentialDeleteCommand())
	return cmd
}

// slotFlags are --password1 and --password2.
type slotFlags struct {
	password1, password2 bool
}

func (s *slotFlags) add(cmd *cobra.Command, verb string) {
	cmd.Flags().BoolVar(&s.password1, "password1", false, "Flag indicating if password1 should be "+verb+".")
	cmd.Flags().BoolVar(&s.password2, "password2", false, "Flag indicating if password2 should be "+verb+".")
}

func (a *app) newCredentialGenerateCommand() *cobra.Command {
	var f childFlags
	var slots slotFlags
	var expiry expiryFlags
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate or replace one or both passwords of a token for an Azure Container Registry-style registry.",
		Long: `Generate or replace one or both passwords of a token.

With --password1 or --password2 only that password is replaced and the other keeps working;
with both or neither, both are replaced. The new values are shown only in this command's
output; the replaced ones stop working within a second. For using token and password to
access a registry, see "openacr token create".`,
		Example: `  Generate a password for the token "MyToken", valid for 30 days, and print only the password.
    openacr token credential generate -n MyToken -r myregistry --password1 --expiration-in-days 30 --query 'passwords[0].value' -o tsv

  Generate both passwords for the token "MyToken", expiring at a given time.
    openacr token credential generate -n MyToken -r myregistry --expiration 2025-12-31T12:59:59Z`,
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.name, "name", "n", "", tokenHelp)
	fs.StringVarP(&f.registry, "registry", "r", "", registryFlagHelp)
	slots.add(cmd, "generated")
	expiry.add(cmd, true)
	fs.StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		at, err := a.expiry(cmd, &expiry)
		if err != nil {
			return nil, err
		}
		slot := ""
		switch {
		case slots.password1 && !slots.password2:
			slot = "password1"
		case slots.password2 && !slots.password1:
			slot = "password2"
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		gen, err := a.generateCredentials(ctx, c, t, f.name, slot, at)
		if err != nil {
			return nil, err
		}
		v, err := shape(gen, kindCredentials)
		return &result{value: v, table: credentialsTable}, err
	})
	return cmd
}

// generateCredentials calls generateCredentials for token; slot "" means
// both passwords.
func (a *app) generateCredentials(ctx context.Context, c *clients, t target, token, slot string, expiry *time.Time) (armcontainerregistry.GenerateCredentialsResult, error) {
	params := armcontainerregistry.GenerateCredentialsParameters{
		TokenID: to.Ptr(registryID(c.subscription, t) + "/tokens/" + token),
		Expiry:  expiry,
	}
	if slot != "" {
		params.Name = to.Ptr(armcontainerregistry.TokenPasswordName(slot))
	}
	poller, err := c.registries.BeginGenerateCredentials(ctx, t.group, t.registry, params, nil)
	if err != nil {
		return armcontainerregistry.GenerateCredentialsResult{}, err
	}
	resp, err := poller.PollUntilDone(ctx, pollOptions)
	return resp.GenerateCredentialsResult, err
}

func (a *app) newCredentialDeleteCommand() *cobra.Command {
	var f childFlags
	var slots slotFlags
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a token credential for an Azure Container Registry-style registry.",
		Long: `Delete one or both passwords of a token. The token stays; a deleted password stops
working within a second, and a new one can be generated with "token credential generate".`,
		Example: `  Delete both passwords of the token "MyToken".
    openacr token credential delete -n MyToken -r myregistry --password1 --password2`,
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.name, "name", "n", "", tokenHelp)
	fs.StringVarP(&f.registry, "registry", "r", "", registryFlagHelp)
	slots.add(cmd, "deleted")
	fs.StringVarP(&f.group, "resource-group", "g", "", groupFlagHelp)
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		if err := requireFlags(cmd, "name"); err != nil {
			return nil, err
		}
		if !slots.password1 && !slots.password2 {
			return nil, fmt.Errorf("No credentials to delete.")
		}
		t, err := a.childTarget(ctx, f)
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		cur, err := c.tokens.Get(ctx, t.group, t.registry, f.name, nil)
		if err != nil {
			return nil, err
		}
		keep, err := passwordsToKeep(cur.Token, slots)
		if err != nil {
			return nil, err
		}
		poller, err := c.tokens.BeginUpdate(ctx, t.group, t.registry, f.name, armcontainerregistry.TokenUpdateParameters{
			Properties: &armcontainerregistry.TokenUpdateProperties{
				Credentials: &armcontainerregistry.TokenCredentialsProperties{Passwords: keep},
			},
		}, nil)
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

// passwordsToKeep is az's credential delete: every requested slot must
// exist; the token PATCH lists, by name, the passwords that stay.
func passwordsToKeep(tok armcontainerregistry.Token, slots slotFlags) ([]*armcontainerregistry.TokenPassword, error) {
	have := map[string]bool{}
	if tok.Properties != nil && tok.Properties.Credentials != nil {
		for _, p := range tok.Properties.Credentials.Passwords {
			if p != nil && p.Name != nil {
				have[string(*p.Name)] = true
			}
		}
	}
	del := map[string]bool{"password1": slots.password1, "password2": slots.password2}
	for _, s := range []string{"password1", "password2"} {
		if del[s] && !have[s] {
			return nil, fmt.Errorf("Unable to perform operation. %s credential doesn't exist.", titleCase(s))
		}
	}
	keep := []*armcontainerregistry.TokenPassword{}
	for _, s := range []string{"password1", "password2"} {
		if have[s] && !del[s] {
			keep = append(keep, &armcontainerregistry.TokenPassword{Name: to.Ptr(armcontainerregistry.TokenPasswordName(s))})
		}
	}
	return keep, nil
}
