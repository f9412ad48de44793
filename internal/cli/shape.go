package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// az prints an ARM resource as its SDK model serialised: `properties`
// hoisted to the top level, a `resourceGroup` taken from the id, every
// attribute of the model present (null when unset) and times in Python's
// isoformat. shape turns an SDK value into that generic form
// (map[string]any / []any / scalars), which --query and every output
// format work on.

// kind selects the attributes az's model of a resource always shows.
type kind int

const (
	kindOther kind = iota
	kindRegistry
	kindScopeMap
	kindToken
	kindCredentials // GenerateCredentialsResult
)

// The attributes az always prints, by kind (null when the server omits them).
var alwaysKeys = map[kind][]string{
	kindRegistry:    {"adminUserEnabled", "creationDate", "id", "location", "loginServer", "name", "provisioningState", "resourceGroup", "sku", "systemData", "tags", "type"},
	kindScopeMap:    {"actions", "creationDate", "description", "id", "name", "provisioningState", "resourceGroup", "scopeMapType", "systemData", "type"},
	kindToken:       {"creationDate", "credentials", "id", "name", "provisioningState", "resourceGroup", "scopeMapId", "status", "systemData", "type"},
	kindCredentials: {"passwords", "username"},
}

var passwordKeys = []string{"creationTime", "expiry", "name", "value"}

// timeKeys are the attributes holding date-times, re-rendered the way az
// prints them.
var timeKeys = map[string]bool{
	"creationDate": true, "creationTime": true, "expiry": true,
	"createdAt": true, "lastModifiedAt": true,
}

// shape converts v (an SDK model, or a slice of them) into az's JSON form.
func shape(v any, k kind) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	if list, ok := g.([]any); ok {
		for i, item := range list {
			list[i] = shapeObject(item, k)
		}
		return list, nil
	}
	return shapeObject(g, k), nil
}

func shapeObject(v any, k kind) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if props, ok := m["properties"].(map[string]any); ok {
		delete(m, "properties")
		for key, val := range props {
			if key == "type" && k == kindScopeMap {
				key = "scopeMapType"
			}
			m[key] = val
		}
	}
	if id, ok := m["id"].(string); ok {
		m["resourceGroup"] = groupFromID(id)
	}
	for _, key := range alwaysKeys[k] {
		if _, ok := m[key]; !ok {
			m[key] = nil
		}
	}
	if k == kindToken {
		if c, ok := m["credentials"].(map[string]any); ok {
			if c["certificates"] == nil {
				c["certificates"] = []any{}
			}
			if c["passwords"] == nil {
				c["passwords"] = []any{}
			}
			fillPasswords(c["passwords"])
		}
	}
	if k == kindCredentials {
		fillPasswords(m["passwords"])
	}
	formatTimes(m)
	return m
}

func fillPasswords(v any) {
	list, _ := v.([]any)
	for _, p := range list {
		if pm, ok := p.(map[string]any); ok {
			for _, key := range passwordKeys {
				if _, ok := pm[key]; !ok {
					pm[key] = nil
				}
			}
		}
	}
}

// formatTimes rewrites the date-time attributes of m and everything below it.
func formatTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for key, val := range x {
			if s, ok := val.(string); ok && timeKeys[key] {
				x[key] = pythonTime(s)
				continue
			}
			formatTimes(val)
		}
	case []any:
		for _, val := range x {
			formatTimes(val)
		}
	}
}

// pythonTime renders an RFC 3339 time as Python's datetime.isoformat() does
// for a UTC time: `2025-03-19T20:06:23.379166+00:00` (microseconds, shown
// only when not zero). Anything else is returned unchanged.
func pythonTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "+00:00"
}

// groupFromID returns the resource group named in an ARM resource id.
func groupFromID(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}
