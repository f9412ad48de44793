// Command openacr is the openacr server (`openacr serve`) and its
// az-acr-style client. Everything happens in internal/cli.
package main

//go:generate go run . docs ../../docs/cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"

	"github.com/openacr/openacr/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		IsTerminal: stdinIsTerminal,
	})
	stop()
	os.Exit(code)
}

// stdinIsTerminal reports whether standard input is an interactive
// terminal. (A character-device check would take /dev/null for one.)
func stdinIsTerminal() bool {
	fd := os.Stdin.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
