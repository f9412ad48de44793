package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// AdminKeyPrefix marks admin keys so that secret scanners can find them.
const AdminKeyPrefix = "oacradmin_"

// minAdminKey is the shortest admin key accepted from outside: the key is a
// bearer credential for the whole server.
const minAdminKey = 24

// readKeyFile reads a key file, trimmed, refusing one others can read.
func readKeyFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("key file %s has mode %v: it must be readable by its owner only (chmod 600)", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// loadOrCreate returns the key in path, creating it with gen (mode 0600)
// when the file does not exist. created tells whether it was made now.
func loadOrCreate(path string, gen func() (string, error)) (key string, created bool, err error) {
	key, err = readKeyFile(path)
	if err == nil {
		if key == "" {
			return "", false, fmt.Errorf("key file %s is empty", path)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("read key file: %w", err)
	}
	if key, err = gen(); err != nil {
		return "", false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("write key file %s: %w", path, err)
	}
	return key, true, nil
}

// randomKey returns prefix and 32 random bytes in unpadded base64url.
func randomKey(r io.Reader, prefix string) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func newAdminKey() (string, error)    { return randomKey(rand.Reader, AdminKeyPrefix) }
func newPasswordKey() (string, error) { return randomKey(rand.Reader, "") }
