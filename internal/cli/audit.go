package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

const auditGroupLong = `Read the audit log of a registry.

The server records every management change (who, what, target, change reference, result)
and every authentication decision of the registry (token, password, repository, action,
client address, result and its precise reason). No entry holds a secret. Repeated successful
logins of one credential from one address within a second share one entry whose "count" says
how many it stands for. Entries are kept for the retention the server is configured with
("openacr serve --audit-retention").`

func (a *app) newAuditCommand() *cobra.Command {
	cmd := groupCommand("audit", "Read the audit log of an Azure Container Registry-style registry.", auditGroupLong)
	cmd.AddCommand(a.newAuditListCommand())
	return cmd
}

// auditResults are the values of --result.
var auditResults = []string{"failure", "success"}

func (a *app) newAuditListCommand() *cobra.Command {
	var registry, group, token, since, res string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the audit log of an Azure Container Registry-style registry, newest first.",
		Long: `List the audit log of a registry, newest first.

--since takes a UTC time (2025-12-31T12:59:59Z) or an age: 90m, 24h, 7d.`,
		Example: `  List what happened to the token "MyToken" in the last day.
    openacr audit list -r myregistry --token MyToken --since 1d -o table

  List the refusals, with their reasons.
    openacr audit list -r myregistry --result failure --query '[].[time, token, reason]' -o tsv`,
	}
	fs := cmd.Flags()
	fs.StringVarP(&registry, "registry", "r", "", registryFlagHelp)
	fs.StringVarP(&group, "resource-group", "g", "", groupFlagHelp)
	fs.StringVar(&token, "token", "", "Only the entries of the token `NAME`.")
	fs.StringVar(&since, "since", "", "Only the entries from `TIME` on: a UTC time such as 2025-12-31T12:59:59Z, or an age such as 90m, 24h or 7d.")
	fs.StringVar(&res, "result", "", "Only the entries with this `RESULT`: success, failure.")
	completeValues(cmd, "result", auditResults...)
	a.addGlobalFlags(cmd)
	cmd.RunE = a.clientCommand(func(ctx context.Context, cmd *cobra.Command) (*result, error) {
		q := url.Values{}
		if token != "" {
			q.Set("token", token)
		}
		if changed(cmd, "since") {
			at, err := parseSince(a.env.now(), since)
			if err != nil {
				return nil, err
			}
			q.Set("since", at.UTC().Format(time.RFC3339Nano))
		}
		if changed(cmd, "result") {
			r := strings.ToLower(res)
			if r != "success" && r != "failure" {
				return nil, usageErrorf("argument --result: invalid choice: '%s' (choose from %s)", res, quotedList(auditResults))
			}
			q.Set("result", r)
		}
		t, err := a.resolveTarget(ctx, registry, group, "--registry/-r")
		if err != nil {
			return nil, err
		}
		c, err := a.connect()
		if err != nil {
			return nil, err
		}
		entries, err := a.auditEntries(ctx, c, registryID(c.subscription, t)+"/auditLogs", q)
		if err != nil {
			return nil, err
		}
		return &result{value: entries, table: auditTable}, nil
	})
	return cmd
}

// auditEntries reads every page of an audit log query.
func (a *app) auditEntries(ctx context.Context, c *clients, path string, q url.Values) ([]any, error) {
	out := []any{}
	for i := 0; path != ""; i++ {
		var page struct {
			Value    []any  `json:"value"`
			NextLink string `json:"nextLink"`
		}
		if err := a.callJSON(ctx, c, http.MethodGet, path, q, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Value...)
		path, q = page.NextLink, nil
	}
	return out, nil
}

// parseSince reads --since: an absolute UTC time in az's format or RFC
// 3339, or an age before now in minutes, hours or days ("90m", "24h",
// "7d").
func parseSince(now time.Time, s string) (time.Time, error) {
	bad := fmt.Errorf("Input '%s' is not valid for --since. Valid examples: 2025-12-31T12:59:59Z, 90m, 24h, 7d", s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if len(s) < 2 {
		return time.Time{}, bad
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
	if err != nil {
		return time.Time{}, bad
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 || n > uint64(100*365*24*time.Hour/unit) {
		return time.Time{}, bad
	}
	return now.UTC().Add(-time.Duration(n) * unit), nil
}

func auditTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		target := str(m, "target")
		if _, rest, ok := strings.Cut(target, "/providers/Microsoft.ContainerRegistry/"); ok {
			target = rest
		}
		t.add("TIME", tableTime(str(m, "time")))
		t.add("ACTOR", str(m, "actor"))
		t.add("OPERATION", str(m, "operation"))
		t.add("TARGET", target)
		t.add("RESULT", str(m, "result"))
		t.add("COUNT", str(m, "count"))
		t.add("CHANGE REFERENCE", str(m, "changeReference"))
		t.add("CLIENT ADDRESS", str(m, "clientAddress"))
		t.add("REASON", str(m, "reason"))
		t.endRow()
	}
	return t
}
