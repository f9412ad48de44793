package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// This file holds the row shapes: the column lists, and the converters
// between rows and the access domain types.

// key is the column value names are matched by.
func key(name string) string { return strings.ToLower(name) }

// micros stores a time as unix microseconds; NeverExpires fits with room.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

const registryColumns = `name, resource_group, location, sku, created_us, modified_us`

func scanRegistry(s scanner) (access.Registry, error) {
	var r access.Registry
	var created, modified int64
	if err := s.Scan(&r.Name, &r.ResourceGroup, &r.Location, &r.SKU, &created, &modified); err != nil {
		return access.Registry{}, err
	}
	r.Created, r.Modified = fromMicros(created), fromMicros(modified)
	return r, nil
}

const scopeMapColumns = `registry_key, name, description, actions, system, created_us, modified_us`

func scanScopeMap(s scanner) (access.ScopeMap, error) {
	var m access.ScopeMap
	var actions string
	var created, modified int64
	if err := s.Scan(&m.Registry, &m.Name, &m.Description, &actions, &m.System, &created, &modified); err != nil {
		return access.ScopeMap{}, err
	}
	if err := json.Unmarshal([]byte(actions), &m.Actions); err != nil {
		return access.ScopeMap{}, fmt.Errorf("scope map %q: decode actions: %w", m.Name, err)
	}
	m.Created, m.Modified = fromMicros(created), fromMicros(modified)
	return m, nil
}

func encodeActions(actions []string) (string, error) {
	if actions == nil {
		actions = []string{}
	}
	b, err := json.Marshal(actions)
	return string(b), err
}

const tokenColumns = `registry_key, name, scope_map, status, generation, created_us, modified_us,
	password1_hash, password1_created_us, password1_expiry_us,
	password2_hash, password2_created_us, password2_expiry_us`

// slotColumns is one password slot as stored: all NULL when empty.
type slotColumns struct {
	hash            []byte
	created, expiry sql.NullInt64
}

func scanToken(s scanner) (access.Token, error) {
	var t access.Token
	var created, modified int64
	var p [2]slotColumns
	err := s.Scan(&t.Registry, &t.Name, &t.ScopeMap, &t.Status, &t.Generation, &created, &modified,
		&p[0].hash, &p[0].created, &p[0].expiry, &p[1].hash, &p[1].created, &p[1].expiry)
	if err != nil {
		return access.Token{}, err
	}
	t.Created, t.Modified = fromMicros(created), fromMicros(modified)
	for i, slot := range []string{access.Password1, access.Password2} {
		if p[i].hash == nil {
			continue
		}
		t.Passwords = append(t.Passwords, access.Password{Name: slot, Hash: p[i].hash,
			Created: fromMicros(p[i].created.Int64), Expiry: fromMicros(p[i].expiry.Int64)})
	}
	return t, nil
}

// passwordArgs returns the six slot columns of ps, in tokenColumns order.
func passwordArgs(ps []access.Password) ([]any, error) {
	args := make([]any, 6)
	for _, p := range ps {
		i := 0
		switch p.Name {
		case access.Password1:
		case access.Password2:
			i = 3
		default:
			return nil, fmt.Errorf("password slot %q: %w", p.Name, access.ErrInvalid)
		}
		if args[i] != nil {
			return nil, fmt.Errorf("two passwords in slot %q: %w", p.Name, access.ErrInvalid)
		}
		if len(p.Hash) == 0 {
			return nil, fmt.Errorf("password %q has no hash: %w", p.Name, access.ErrInvalid)
		}
		args[i], args[i+1], args[i+2] = p.Hash, micros(p.Created), micros(p.Expiry)
	}
	return args, nil
}
