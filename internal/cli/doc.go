// Package cli implements the openacr command line: `openacr serve` (in
// serve.go) and the az-acr-style client commands, which drive the
// management API only through the official Azure SDK for Go
// (armcontainerregistry + azcore), never through internal packages of the
// server. It imports internal/server only for the data directory's file
// names.
//
// Layout: main.go holds Main, the root command, the global options and the
// one place that decides the exit status; each command group has its own
// file with its help text (registry.go, scopemap.go, token.go,
// token_create.go, credential.go, configure.go). multiflag.go pre-parses
// az's nargs='+' flags, shape.go turns SDK models into az's JSON, and
// output.go, table.go and color.go print it. Commands write only to the
// writers of Env.
package cli
