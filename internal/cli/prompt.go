package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errNoTTY is az's refusal to prompt without a terminal.
var errNoTTY = errors.New("Unable to prompt for confirmation as no tty available. Use --yes.")

// confirm asks msg with knack's prompt_y_n (` (y/n): `) unless yes is set,
// and reports whether to go on. The question goes to stderr so that it
// never mixes with the command's output.
func (a *app) confirm(msg string, yes bool) (bool, error) {
	if yes {
		return true, nil
	}
	if !a.env.isTerminal() || a.env.Stdin == nil {
		return false, errNoTTY
	}
	in := bufio.NewReader(a.env.Stdin)
	for {
		fmt.Fprintf(a.env.Stderr, "%s (y/n): ", msg)
		line, err := in.ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		if err == io.EOF {
			fmt.Fprintln(a.env.Stderr)
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read confirmation: %w", err)
		}
		fmt.Fprintln(a.env.Stderr, "Please enter 'y' or 'n'.")
	}
}
