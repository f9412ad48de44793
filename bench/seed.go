package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/store"
)

// seedBatch is how many tokens go into one transaction.
const seedBatch = 20_000

// seeder makes the many-token registry: tokens bench-0000000 … whose
// passwords derive from a per-run key, so that the suite can log in as any
// of them without keeping a million secrets.
type seeder struct {
	key     []byte // derives the passwords
	hashKey []byte // the server's password hash key
}

func tokenName(i int) string { return fmt.Sprintf("bench-%07d", i) }

// password is the password1 of seeded token i.
func (s seeder) password(i int) string {
	m := hmac.New(sha256.New, s.key)
	binary.Write(m, binary.BigEndian, int64(i))
	secret, err := access.NewSecret(bytes.NewReader(m.Sum(nil)))
	if err != nil {
		panic(err) // a 32-byte reader cannot run short
	}
	return secret
}

// token is seeded token i, on the bench scope map.
func (s seeder) token(i int, now time.Time) access.Token {
	return access.Token{
		Registry: registryName, Name: tokenName(i), ScopeMap: scopeMapName, Status: access.Enabled,
		Generation: 1, Created: now, Modified: now,
		Passwords: []access.Password{{Name: access.Password1, Hash: access.HashSecret(s.hashKey, s.password(i)),
			Created: now, Expiry: access.NeverExpires}},
	}
}

// seed writes tokens [from, to) into the stopped server's database, in
// batches; the next batch is made while the last one is written.
func (s seeder) seed(ctx context.Context, data string, from, to int) error {
	st, err := store.Open(ctx, filepath.Join(data, "openacr.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	batches := make(chan []access.Token, 1)
	go func() {
		defer close(batches)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i := from; i < to; i += seedBatch {
			b := make([]access.Token, 0, seedBatch)
			for j := i; j < min(i+seedBatch, to); j++ {
				b = append(b, s.token(j, now))
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range batches {
		if err := st.CreateTokens(ctx, registryName, b); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// readHashKey reads the password hash key of a data directory, as the
// server does (the file's content, trimmed).
func readHashKey(data string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(data, "password.key"))
	if err != nil {
		return nil, fmt.Errorf("read the password hash key: %w", err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

// dbSize is the size of the database with its write-ahead log.
func dbSize(data string) int64 {
	var n int64
	for _, f := range []string{"openacr.db", "openacr.db-wal"} {
		if fi, err := os.Stat(filepath.Join(data, f)); err == nil {
			n += fi.Size()
		}
	}
	return n
}
