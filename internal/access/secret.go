package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"strings"
)

// A generated secret is SecretPrefix, 43 base62 characters carrying 256 bits
// from the CSPRNG, and 6 base62 characters of CRC-32 over the rest. The
// prefix lets secret scanners find leaked passwords; the checksum lets the
// server reject mistyped or made-up input before any lookup.
const (
	SecretPrefix = "oacr_"
	bodyLen      = 43
	checkLen     = 6
	SecretLen    = len(SecretPrefix) + bodyLen + checkLen
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func encode62(n *big.Int, width int) string {
	b := make([]byte, width)
	base := big.NewInt(62)
	m := new(big.Int)
	n = new(big.Int).Set(n)
	for i := width - 1; i >= 0; i-- {
		n.DivMod(n, base, m)
		b[i] = base62[m.Int64()]
	}
	return string(b)
}

// newSecret reads 32 bytes from r and formats them as a password.
func newSecret(r io.Reader) (string, error) {
	var raw [32]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	body := SecretPrefix + encode62(new(big.Int).SetBytes(raw[:]), bodyLen)
	return body + checksum(body), nil
}

// checksum is the CRC-32 of body in base62. It runs on every login, so it
// works on a uint32, not a big.Int.
func checksum(body string) string {
	var b [checkLen]byte
	n := crc32.ChecksumIEEE([]byte(body))
	for i := checkLen - 1; i >= 0; i-- {
		b[i] = base62[n%62]
		n /= 62
	}
	return string(b[:])
}

// WellFormedSecret reports whether s has the shape and checksum of a
// generated password. It does no lookup and runs in time independent of
// any stored secret.
func WellFormedSecret(s string) bool {
	if len(s) != SecretLen || !strings.HasPrefix(s, SecretPrefix) {
		return false
	}
	for i := len(SecretPrefix); i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	body := s[:len(s)-checkLen]
	return s[len(s)-checkLen:] == checksum(body)
}

// hashSecret is the keyed hash stored for a secret (SPEC §3: HMAC-SHA-256
// with a server key; the secrets carry 256 bits, so no slow hash is needed).
func hashSecret(key []byte, secret string) []byte {
	return hashSecretTo(nil, key, secret)
}

// hashSecretTo appends the keyed hash of secret to b: Authenticate hashes
// into a buffer on its stack.
func hashSecretTo(b, key []byte, secret string) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, secret)
	return m.Sum(b)
}
