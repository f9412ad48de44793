package cli

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

const policyGroupLong = `Manage the credential policies of a registry.

A registry's credential policies govern every operation that creates, changes or deletes a
token or its passwords ("token create", "token update", "token delete", "token credential
generate", "token credential delete"):

  --max-password-lifetime-days N   passwords may live at most N days (0: no maximum); a
                                   password that never expires exceeds any maximum
  --require-expiry                 passwords must have an expiry
  --require-change-reference       the operation must carry --change-reference
  --require-policy-token           the operation must carry a policy token issued for it
                                   (--acquire-policy-token)

An operation that a policy refuses fails with "(RequestDisallowedByPolicy)" and a message
naming the policy. With --acquire-policy-token the server judges the operation before it is
sent, and the operation carries the proof; the server judges it again when it runs. Every
change, with its change reference, is recorded in the audit log ("openacr audit list").`

func (a *app) newPolicyCommand() *cobra.Command {
	cmd := groupCommand("policy", "Manage the credential policies of an Azure Container Registry-style registry.", policyGroupLong)
	cmd.AddCommand(a.newPolicyUpdateCommand(), a.newPolicyShowCommand())
	return cmd
}

// policyPath is the management API path of a registry's credential policy.
func policyPath(c *clients, t target) string {
	return registryID(c.subscription, t) + "/credentialPolicies/default"
}

// boolChoice reads a true/false option value, as az's three-state flags do.
func boolChoice(flag, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, usageErrorf("argument --%s: invalid choice: '%s' (choose from 'false', 'true')", flag, v)
}

func (a *app) newPolicyUpdateCommand() *cobra.Command {
	var registry, group, maxDays string
	bools := map[string]*string{"require-expiry": new(string), "require-change-reference": new(string), "require-policy-token": new(string)}
	props := map[string]string{"require-expiry": "requireExpiry", "require-change-reference": "requireChangeReference",
		"require-policy-token": "requirePolicyToken"}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update the credential policies of an Azure Container Registry-style registry.",
		Long: `Update the credential policies of a registry. Only the policies given change.

See "openacr policy --help" for what each policy does.`,
		Example: `  Allow passwords of at most 90 days, and require a change reference on every credential operation.
    openacr policy update -r myregistry --max-password-lifetime-days 90 --require-change-reference true

  Remove the maximum lifetime.
    openacr policy update -r myregistry --max-password-lifetime-days 0`,
	}
	fs := cmd.Flags()
	fs.StringVarP(&registry, "registry", "r", "", registryFlagHelp)
	fs.StringVarP(&group, "resource-group", "g", "", groupFlagHelp)
	fs.StringVar(&maxDays, "max-password-lifetime-days", "", "Maximum lifetime of a password in days (`N`); 0 removes the maximum.")
	fs.StringVar(bools["require-expiry"], "require-expiry", "", "Refuse passwords that never expire: `BOOL` (true, false).")
	fs.StringVar(bools["require-change-reference"], "require-change-reference", "", "Refuse credential operations without --change-reference: `BOOL` (true, false).")
	fs.StringVar(bools["require-policy-token"], "require-policy-token", "", "Refuse credential operations without a policy token issued for them (--acquire-policy-token): `BOOL` (true, false).")
	for name := range bools {
		completeValues(cmd, name, "false", "true")
	}
	a.addPolicyFlags(cmd)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		set := map[string]any{}
		if changed(cmd, "max-password-lifetime-days") {
			n, err := strconv.Atoi(maxDays)
			if err != nil {
				return nil, usageErrorf("argument --max-password-lifetime-days: invalid int value: '%s'", maxDays)
			}
			set["maxPasswordLifetimeDays"] = n
		}
		for name, v := range bools {
			if changed(cmd, name) {
				b, err := boolChoice(name, *v)
				if err != nil {
					return nil, err
				}
				set[props[name]] = b
			}
		}
		if len(set) == 0 {
			return nil, errors.New("No policy properties to update.")
		}
		t, err := a.resolveTarget(ctx, registry, group, "--registry/-r")
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		var out map[string]any
		if err := a.callJSON(ctx, c, http.MethodPatch, policyPath(c, t), nil, map[string]any{"properties": set}, &out); err != nil {
			return nil, err
		}
		return policyResult(out)
	})
	return cmd
}

func (a *app) newPolicyShowCommand() *cobra.Command {
	var registry, group string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the credential policies of an Azure Container Registry-style registry.",
		Long:  "Show the credential policies of a registry. A registry that never set them has every policy off.",
		Example: `  Show the credential policies of the registry "myregistry".
    openacr policy show -r myregistry -o table`,
	}
	cmd.Flags().StringVarP(&registry, "registry", "r", "", registryFlagHelp)
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", groupFlagHelp)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		t, err := a.resolveTarget(ctx, registry, group, "--registry/-r")
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		var out map[string]any
		if err := a.callJSON(ctx, c, http.MethodGet, policyPath(c, t), nil, nil, &out); err != nil {
			return nil, err
		}
		return policyResult(out)
	})
	return cmd
}

func policyResult(v map[string]any) (*result, error) {
	s, err := shape(v, kindOther)
	return &result{value: s, table: policyTable}, err
}

func policyTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		id := str(m, "id")
		reg := strings.TrimSuffix(id, "/credentialPolicies/default")
		maxDays := str(m, "maxPasswordLifetimeDays")
		if maxDays == "0" || maxDays == "" {
			maxDays = "None"
		}
		t.add("REGISTRY", reg[strings.LastIndex(reg, "/")+1:])
		t.add("MAX PASSWORD LIFETIME DAYS", maxDays)
		t.add("REQUIRE EXPIRY", str(m, "requireExpiry"))
		t.add("REQUIRE CHANGE REFERENCE", str(m, "requireChangeReference"))
		t.add("REQUIRE POLICY TOKEN", str(m, "requirePolicyToken"))
		t.endRow()
	}
	return t
}
