package cli

import (
	"strings"
	"time"
	"unicode/utf8"
)

// table is knack's table output (tabulate's "simple" format): headers, a
// dashed rule under each, then rows; columns two spaces apart. Trailing
// blanks are trimmed.
type table struct {
	columns []string
	rows    []map[string]string
	cur     map[string]string
}

// add sets column col of the row being built; the first row decides the
// column order.
func (t *table) add(col, value string) {
	if t.cur == nil {
		t.cur = map[string]string{}
	}
	found := false
	for _, c := range t.columns {
		if c == col {
			found = true
			break
		}
	}
	if !found {
		t.columns = append(t.columns, col)
	}
	t.cur[col] = value
}

func (t *table) endRow() {
	if t.cur != nil {
		t.rows = append(t.rows, t.cur)
	}
	t.cur = nil
}

func (t *table) String() string {
	if len(t.columns) == 0 {
		return ""
	}
	widths := make([]int, len(t.columns))
	for i, c := range t.columns {
		widths[i] = utf8.RuneCountInString(c)
		for _, r := range t.rows {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[c]))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, cell := range cells {
			if i > 0 {
				l.WriteString("  ")
			}
			l.WriteString(cell)
			l.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(t.columns)
	rule := make([]string, len(widths))
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	line(rule)
	for _, r := range t.rows {
		cells := make([]string, len(t.columns))
		for i, c := range t.columns {
			cells[i] = r[c]
		}
		line(cells)
	}
	return b.String()
}

// The command layouts of az's acr/_format.py.

func registryTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		t.add("NAME", str(m, "name"))
		t.add("RESOURCE GROUP", str(m, "resourceGroup"))
		t.add("LOCATION", str(m, "location"))
		t.add("SKU", str(m, "sku", "name"))
		t.add("LOGIN SERVER", str(m, "loginServer"))
		t.add("CREATION DATE", tableTime(str(m, "creationDate")))
		t.add("ADMIN ENABLED", str(m, "adminUserEnabled"))
		t.endRow()
	}
	return t
}

func scopeMapTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		desc := str(m, "description")
		if utf8.RuneCountInString(desc) > 60 {
			desc = string([]rune(desc)[:57]) + "..."
		}
		t.add("NAME", str(m, "name"))
		t.add("TYPE", str(m, "scopeMapType"))
		t.add("CREATION DATE", tableTime(str(m, "creationDate")))
		t.add("DESCRIPTION", desc)
		t.endRow()
	}
	return t
}

func tokenTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		scopeMap := str(m, "scopeMapId")
		scopeMap = scopeMap[strings.LastIndex(scopeMap, "/")+1:]
		expiry := map[string]string{}
		for _, p := range list(m, "credentials", "passwords") {
			expiry[str(p, "name")] = tableExpiry(str(p, "expiry"))
		}
		t.add("NAME", str(m, "name"))
		t.add("SCOPE MAP", scopeMap)
		t.add("PASSWORD1 EXPIRY", expiry["password1"])
		t.add("PASSWORD2 EXPIRY", expiry["password2"])
		t.add("STATUS", titleCase(str(m, "status")))
		t.add("PROVISIONING STATE", str(m, "provisioningState"))
		t.add("CREATION DATE", tableTime(str(m, "creationDate")))
		t.endRow()
	}
	return t
}

func credentialsTable(v any) *table {
	t := &table{}
	for _, m := range objects(v) {
		cells := map[string][2]string{}
		for _, p := range list(m, "passwords") {
			cells[str(p, "name")] = [2]string{str(p, "value"), tableExpiry(str(p, "expiry"))}
		}
		t.add("USERNAME", str(m, "username"))
		t.add("PASSWORD1", cells["password1"][0])
		t.add("PASSWORD1 EXPIRY", cells["password1"][1])
		t.add("PASSWORD2", cells["password2"][0])
		t.add("PASSWORD2 EXPIRY", cells["password2"][1])
		t.endRow()
	}
	return t
}

// objects returns the result as a list of objects (one for a single object).
func objects(v any) []map[string]any {
	var out []map[string]any
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// str is the nested attribute path of m as text, "" when absent or null.
func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	if v == nil {
		return ""
	}
	return scalarString(v)
}

func list(m map[string]any, path ...string) []map[string]any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if mm, ok := it.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

// tableTime is az's _format_datetime: `%Y-%m-%dT%H:%M:%SZ`.
func tableTime(s string) string {
	t, err := parsePythonTime(s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// tableExpiry shows a password's expiry; one that never expires (null, or
// the year-9999 maximum) reads "Never".
func tableExpiry(s string) string {
	if s == "" || strings.HasPrefix(s, "9999-12-31") {
		return "Never"
	}
	return tableTime(s)
}

func parsePythonTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
