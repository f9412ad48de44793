package access

import (
	"strings"
	"sync"

	"github.com/openacr/openacr/internal/scope"
)

// maxSets bounds the compiled scope maps a Cache keeps; past it the table
// starts afresh (a miss compiles the map again).
const maxSets = 4096

// sets interns compiled scope maps by their action list. A *scope.Set is
// immutable, so every token of one scope map can share one: a million cached
// tokens hold one compiled map, not a million copies, and a token's first
// load does not compile its map again. Keyed by content, an entry can never
// be stale: an edited map has another key. It is used only on cache misses,
// so one mutex is enough.
type sets struct {
	mu sync.Mutex
	m  map[string]*scope.Set
}

// compile returns the compiled form of actions, compiling it on first use.
func (s *sets) compile(actions []string) (*scope.Set, error) {
	key := strings.Join(actions, "\n")
	s.mu.Lock()
	set := s.m[key]
	s.mu.Unlock()
	if set != nil {
		return set, nil
	}
	set, err := scope.Compile(actions)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSets {
		s.m = map[string]*scope.Set{}
	}
	s.m[key] = set
	return set, nil
}
