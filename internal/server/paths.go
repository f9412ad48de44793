package server

import (
	"os"
	"path/filepath"
)

// Files the server keeps in its data directory. The CLI reads EndpointFile
// and AdminKeyFile so that on the same machine no set-up is needed.
const (
	DatabaseFile = "openacr.db"
	AdminKeyFile = "admin.key"    // the admin key, mode 0600
	HashKeyFile  = "password.key" // the HMAC key of password hashes, mode 0600
	EndpointFile = "endpoint"     // the management URL of the running server
)

// DefaultDataDir is where the server keeps its state when --data is not
// given: $OPENACR_DATA, else $XDG_DATA_HOME/openacr, else
// ~/.local/share/openacr, else ./openacr-data.
func DefaultDataDir() string {
	if d := os.Getenv("OPENACR_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "openacr")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "openacr")
	}
	return "openacr-data"
}
