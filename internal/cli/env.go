// Package cli implements the openacr command line: `openacr serve` and the
// az-acr-style client commands, which drive the management API through the
// official Azure SDK for Go.
package cli

import (
	"io"
)

// Env is what a command may touch of the outside world; tests supply their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether Stdin is an interactive terminal (for
	// delete confirmations).
	IsTerminal func() bool
}
