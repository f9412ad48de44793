package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jmespath-community/go-jmespath"
	"go.yaml.in/yaml/v3"
)

// outputFormats are the values of --output, as az has them.
var outputFormats = []string{"json", "jsonc", "none", "table", "tsv", "yaml", "yamlc"}

// tableFunc turns a shaped result into az's table rows for one command; nil
// means the automatic table of knack (scalar attributes, first letter
// capitalised).
type tableFunc func(result any) *table

// render writes result (already shaped) in format, after applying query.
// As in az, a command's own table layout is used only without --query.
func render(w io.Writer, result any, format, query string, tf tableFunc) error {
	if query != "" {
		var err error
		if result, err = jmespath.Search(query, result); err != nil {
			return fmt.Errorf("argument --query: invalid jmespath query supplied for '--query': %v", err)
		}
		if result == nil {
			return nil // az prints nothing for a query that selects nothing
		}
		tf = nil
	}
	switch format {
	case "none":
		return nil
	case "json", "jsonc":
		b, err := marshalJSON(result)
		if err != nil {
			return err
		}
		if format == "jsonc" {
			b = colorJSON(b)
		}
		_, err = w.Write(b)
		return err
	case "yaml", "yamlc":
		b, err := marshalYAML(result)
		if err != nil {
			return err
		}
		if format == "yamlc" {
			b = colorYAML(b)
		}
		_, err = w.Write(b)
		return err
	case "tsv":
		_, err := io.WriteString(w, formatTSV(result))
		return err
	case "table":
		if tf == nil {
			tf = autoTable
		}
		_, err := io.WriteString(w, tf(result).String())
		return err
	}
	return usageErrorf("argument --output/-o: invalid choice: '%s' (choose from %s)", format, quotedList(outputFormats))
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

// marshalJSON is az's json output: keys sorted, two-space indent, no HTML
// escaping, a final newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return buf.Bytes(), nil
}

func marshalYAML(v any) ([]byte, error) {
	if v == nil {
		return []byte("null\n"), nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return buf.Bytes(), nil
}

// formatTSV is knack's tsv output: one line per item of a list (or one
// for anything else); an object's values in key order, nested lists as
// their length, nested objects as empty fields, null as "None".
func formatTSV(v any) string {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var b strings.Builder
	for _, item := range items {
		var fields []string
		switch x := item.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				fields = append(fields, tsvField(x[k]))
			}
		case []any:
			for _, e := range x {
				fields = append(fields, tsvField(e))
			}
		default:
			fields = append(fields, tsvField(x))
		}
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

func tsvField(v any) string {
	switch x := v.(type) {
	case []any:
		return strconv.Itoa(len(x))
	case map[string]any:
		return ""
	}
	return scalarString(v)
}

// scalarString renders a scalar as Python's str() would.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// autoTable is knack's table for results without a layout of their own:
// a row per object, a column per scalar attribute (id and type skipped),
// or a single "Result" column for scalars.
func autoTable(v any) *table {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	t := &table{}
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			if item != nil {
				t.add("Result", scalarString(item))
			}
			t.endRow()
			continue
		}
		for _, k := range sortedKeys(m) {
			switch m[k].(type) {
			case nil, []any, map[string]any:
				continue
			}
			if slices.Contains([]string{"id", "type", "etag"}, k) {
				continue
			}
			t.add(strings.ToUpper(k[:1])+k[1:], scalarString(m[k]))
		}
		t.endRow()
	}
	return t
}
