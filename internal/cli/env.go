package cli

import (
	"io"
	"time"
)

// Env is what a command may touch of the outside world; tests supply their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether Stdin is an interactive terminal (for
	// delete confirmations).
	IsTerminal func() bool
	// Now is the clock for --expiration-in-days; nil means time.Now.
	Now func() time.Time
}

func (e *Env) getenv(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) isTerminal() bool {
	return e.IsTerminal != nil && e.IsTerminal()
}
