package guard

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestGuard(perAddress, perToken int) (*Guard, *fakeClock) {
	c := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	g := New(Config{PerAddress: perAddress, PerToken: perToken, Window: time.Minute}, nil)
	g.Now = c.Now
	return g, c
}

// fail makes n failed attempts of token from addr, each admitted first, and
// returns the status each would get: 401, or 429 when throttled.
func fail(g *Guard, token, addr string, n int) []int {
	var codes []int
	for range n {
		if g.Admit("reg", token, "wrong", addr) > 0 {
			codes = append(codes, 429)
			continue
		}
		if wait, _ := g.Failed("reg", token, "wrong", addr); wait > 0 {
			codes = append(codes, 429)
			continue
		}
		codes = append(codes, 401)
	}
	return codes
}

func count(codes []int, code int) int {
	n := 0
	for _, c := range codes {
		if c == code {
			n++
		}
	}
	return n
}

func TestFailureBudgets(t *testing.T) {
	tests := []struct {
		name               string
		perAddress, perTok int
		attempts           func(g *Guard, c *fakeClock) []int
		want401, want429   int
	}{
		{"an address gets its budget of 401s, then 429s", 5, 0,
			func(g *Guard, _ *fakeClock) []int { return fail(g, "tok", "192.0.2.1", 8) }, 5, 3},
		{"a token name gets its budget of 401s from many addresses, then 429s", 0, 4,
			func(g *Guard, _ *fakeClock) []int {
				var codes []int
				for i := range 6 {
					codes = append(codes, fail(g, "tok", fmt.Sprintf("192.0.2.%d", i), 1)...)
				}
				return codes
			}, 4, 2},
		{"the budget refills evenly over the window", 6, 0,
			func(g *Guard, c *fakeClock) []int {
				codes := fail(g, "tok", "192.0.2.1", 6) // spent
				c.Advance(10 * time.Second)             // one back (6 per minute)
				return append(codes, fail(g, "tok", "192.0.2.1", 2)...)
			}, 7, 1},
		{"another address is not affected", 2, 0,
			func(g *Guard, _ *fakeClock) []int {
				fail(g, "tok", "192.0.2.1", 10)
				return fail(g, "tok", "192.0.2.2", 2)
			}, 2, 0},
		{"IPv6 addresses of one /64 share a budget", 3, 0,
			func(g *Guard, _ *fakeClock) []int {
				return append(fail(g, "tok", "2001:db8::1", 2), fail(g, "tok", "2001:db8::ffff", 2)...)
			}, 3, 1},
		{"zero limits throttle nothing", 0, 0,
			func(g *Guard, _ *fakeClock) []int { return fail(g, "tok", "192.0.2.1", 100) }, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, c := newTestGuard(tt.perAddress, tt.perTok)
			codes := tt.attempts(g, c)
			if got := count(codes, 401); got != tt.want401 {
				t.Errorf("got %d 401s, want %d (%v)", got, tt.want401, codes)
			}
			if got := count(codes, 429); got != tt.want429 {
				t.Errorf("got %d 429s, want %d (%v)", got, tt.want429, codes)
			}
		})
	}
}

func TestSuccessfulClientsAreNotSlowed(t *testing.T) {
	t.Run("success spends no budget", func(t *testing.T) {
		g, _ := newTestGuard(3, 3)
		for range 100 {
			if g.Admit("reg", "tok", "right", "192.0.2.1") > 0 {
				t.Fatal("a successful client was throttled")
			}
			g.Succeeded("reg", "tok", "right")
		}
		if got := count(fail(g, "tok", "192.0.2.1", 3), 401); got != 3 {
			t.Errorf("after 100 successes the budget has %d failures, want 3", got)
		}
	})
	t.Run("a known credential passes a throttled address", func(t *testing.T) {
		g, _ := newTestGuard(3, 0)
		g.Succeeded("reg", "good", "right")
		fail(g, "bad", "192.0.2.1", 10) // a broken client behind the same NAT
		if g.Admit("reg", "bad", "wrong", "192.0.2.1") == 0 {
			t.Fatal("the failing client was not throttled")
		}
		if w := g.Admit("reg", "good", "right", "192.0.2.1"); w != 0 {
			t.Errorf("a credential that succeeded before waits %v, want 0", w)
		}
		if w := g.Admit("reg", "good", "another", "192.0.2.1"); w == 0 {
			t.Errorf("another secret of the same token passed the throttled address")
		}
	})
	t.Run("a known credential that fails loses its exemption", func(t *testing.T) {
		g, _ := newTestGuard(1, 0)
		g.Succeeded("reg", "tok", "s")
		g.Failed("reg", "tok", "s", "192.0.2.1") // revoked since
		if g.Admit("reg", "tok", "s", "192.0.2.1") == 0 {
			t.Errorf("a credential that failed is still exempt")
		}
	})
	t.Run("a throttled token name still lets the right password in", func(t *testing.T) {
		g, _ := newTestGuard(0, 2)
		fail(g, "tok", "198.51.100.7", 10) // someone who knows the name
		if g.Admit("reg", "tok", "right", "192.0.2.1") > 0 {
			t.Errorf("the token's legitimate user was refused before its password was checked")
		}
	})
}

func TestRetryAfterIsTheWaitForOneMoreAttempt(t *testing.T) {
	g, c := newTestGuard(0, 6) // one failure back every 10 s
	fail(g, "tok", "192.0.2.1", 6)
	wait, by := g.Failed("reg", "tok", "x", "192.0.2.1")
	if by != ByToken || wait != 10*time.Second {
		t.Errorf("got wait %v by %q, want 10s by %q", wait, by, ByToken)
	}
	c.Advance(4 * time.Second)
	if wait, _ := g.Failed("reg", "tok", "x", "192.0.2.1"); wait != 6*time.Second {
		t.Errorf("4 s later: wait %v, want 6s", wait)
	}
	for _, tt := range []struct {
		wait time.Duration
		want string
	}{{time.Nanosecond, "1"}, {time.Second, "1"}, {1500 * time.Millisecond, "2"}, {10 * time.Second, "10"}} {
		if got := RetryAfter(tt.wait); got != tt.want {
			t.Errorf("RetryAfter(%v) = %s, want %s", tt.wait, got, tt.want)
		}
	}
}

func TestBudgetTablesAreBounded(t *testing.T) {
	g, c := newTestGuard(1, 1)
	for i := range MaxKeys + 1000 {
		g.Failed("reg", fmt.Sprint("tok", i), "x", netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String())
	}
	if n := len(g.addresses.buckets); n > MaxKeys {
		t.Errorf("address table holds %d keys, want at most %d", n, MaxKeys)
	}
	if n := len(g.tokens.buckets); n > MaxKeys {
		t.Errorf("token table holds %d keys, want at most %d", n, MaxKeys)
	}
	c.Advance(time.Hour) // every budget full again: swept on the next new key
	g.Failed("reg", "newcomer", "x", "192.0.2.99")
	if n := len(g.addresses.buckets); n != 1 {
		t.Errorf("after the sweep the address table holds %d keys, want 1", n)
	}
}

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"the peer when no proxy is trusted", "203.0.113.5:4711", "198.51.100.1", nil, "203.0.113.5"},
		{"the peer when it is not a trusted proxy", "203.0.113.5:4711", "198.51.100.1", proxies, "203.0.113.5"},
		{"the forwarded client behind a trusted proxy", "10.1.2.3:4711", "198.51.100.1", proxies, "198.51.100.1"},
		{"the last untrusted hop, not what the client claims", "10.1.2.3:4711", "6.6.6.6, 198.51.100.1, 10.9.9.9", proxies, "198.51.100.1"},
		{"the peer when the chain is garbled", "10.1.2.3:4711", "not-an-ip", proxies, "10.1.2.3"},
		{"IPv6 peer", "[2001:db8::1]:4711", "", nil, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(Config{TrustedProxies: tt.trusted}, nil)
			r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{}}
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := g.ClientAddress(r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
