package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"time"
)

// revocation deletes a password with the CLI while a client pulls with an
// access token minted from it, and measures from the command's return to
// the first refusal (0 when the refusal came before the return).
func revocation(ctx context.Context, s *suite) error {
	n := 10
	if s.opts.quick {
		n = 3
	}
	const name = "bench-revoke"
	if err := s.api.putToken(ctx, name); err != nil {
		return err
	}
	var ds, cmds []time.Duration
	for range n {
		d, cmd, err := s.revokeOnce(ctx, name)
		if err != nil {
			return err
		}
		ds, cmds = append(ds, d), append(cmds, cmd)
	}
	slices.Sort(ds)
	slices.Sort(cmds)
	s.results["revocation-max"] = ds[len(ds)-1].Seconds()
	s.add("revocation delay (CLI credential delete returns → first 401)",
		"median %s, max %s (%d deletes; 0: the refusal came before the command returned, which took %s)",
		ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), n, ms(cmds[len(cmds)/2]))
	return nil
}

// revokeOnce returns the delay and how long the command took.
func (s *suite) revokeOnce(ctx context.Context, name string) (delay, took time.Duration, err error) {
	pw, err := s.api.generate(ctx, name)
	if err != nil {
		return 0, 0, err
	}
	at, err := s.api.accessToken(ctx, name, pw, "pull")
	if err != nil {
		return 0, 0, err
	}
	req, err := s.api.get(s.srv.url(), "/v2/"+repo+"/manifests/v1", at)
	if err != nil {
		return 0, 0, err
	}
	refused := make(chan time.Time, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		c := newClient(1)
		defer c.close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			status, _, err := c.do(req)
			if err == nil && status == http.StatusUnauthorized {
				refused <- time.Now()
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond) // the client is pulling
	cmd := exec.CommandContext(ctx, s.bin, "token", "credential", "delete", "-n", name, "-r", registryName,
		"-g", groupName, "--password1", "-o", "none")
	cmd.Env = append(cmd.Environ(), "OPENACR_SERVER="+s.srv.url(), "OPENACR_ADMIN_KEY="+s.adminKey)
	started := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("credential delete: %w: %s", err, out)
	}
	returned := time.Now()
	select {
	case t := <-refused:
		return max(t.Sub(returned), 0), returned.Sub(started), nil
	case <-time.After(10 * time.Second):
		return 0, 0, fmt.Errorf("the access token was still accepted 10 s after credential delete returned")
	}
}
