package access

import "io"

// NewSecret formats 32 bytes read from r as a password, exactly as
// generateCredentials does with crypto/rand. It is for bulk loaders that
// write tokens through the store (the benchmark seeds a million tokens whose
// passwords it recomputes from a seed); every other password comes from the
// Service.
func NewSecret(r io.Reader) (string, error) { return newSecret(r) }

// HashSecret returns the keyed hash the store keeps for secret under the
// server's hash key, for the same bulk loaders.
func HashSecret(key []byte, secret string) []byte { return hashSecret(key, secret) }
