// Package server assembles openacr: it opens the store, loads or creates the
// keys in the data directory, seeds the first registry, and serves the
// management API (and later the data plane) on one http.Server until its
// context ends. It is the only package that imports internal/store.
package server
