package server

import (
	"context"
	"fmt"

	"github.com/openacr/openacr/internal/access"
)

// openFollower makes the follower of the store's change feed, through
// which this node learns of the changes other nodes make to the shared
// database (DESIGN, "Revocation within one second"). Open calls it before
// anything reads the cache, so that nothing cached predates the follower's
// start.
func (s *Server) openFollower(ctx context.Context) error {
	f, err := access.NewFollower(ctx, s.cache, s.store, s.log)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	s.follower = f
	return nil
}

// startFollower runs the follower from the end of Open to Close, so that a
// server whose Handler is served without Serve is as current as one that
// Serves.
func (s *Server) startFollower() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.follower.Run(ctx, s.cfg.FollowInterval)
	}()
	s.stopFollower = func() { cancel(); <-done }
}
