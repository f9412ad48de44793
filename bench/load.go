package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// client is a closed-loop HTTP load generator: c workers, each sending its
// next request as soon as the last one is answered, over one shared
// transport that keeps a connection per worker alive. Requests go straight
// to the transport (no redirects, no cookie jar) so that the client costs as
// little CPU as possible: it shares the machine with the server.
type client struct {
	tr *http.Transport
}

func newClient(concurrency int) *client {
	return &client{tr: &http.Transport{
		MaxIdleConns:          concurrency,
		MaxIdleConnsPerHost:   concurrency,
		IdleConnTimeout:       time.Minute,
		ResponseHeaderTimeout: 30 * time.Second,
		DisableCompression:    true,
	}}
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// do sends req and reads the whole body, returning the status and the
// number of body bytes. The body is drained so that the connection is reused.
func (c *client) do(req *http.Request) (status int, n int64, err error) {
	resp, err := c.tr.RoundTrip(req)
	if err != nil {
		return 0, 0, err
	}
	n, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, err
}

// result is one load run.
type result struct {
	n       int           // requests answered as expected
	errs    int           // requests that failed or got another status
	sent    int           // every request, the warm-up's too
	bytes   int64         // body bytes of the expected answers
	elapsed time.Duration // of the measured window
	lat     []time.Duration
	// cpu is the CPU time the server spent in the window, when measured
	// (withCPU): unlike the rates, it hardly depends on what else runs.
	cpu      time.Duration
	firstErr error
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// mibps is the body throughput in MiB/s.
func (r result) mibps() float64 { return float64(r.bytes) / (1 << 20) / r.elapsed.Seconds() }

// pct returns the p-th percentile latency (0 < p <= 100).
func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*p/100+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func (r result) String() string {
	s := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", r.rate(), ms(r.pct(50)), ms(r.pct(99)))
	if r.cpu > 0 && r.n > 0 {
		s += fmt.Sprintf(", server CPU %.0f µs/req", r.cpuPer().Seconds()*1e6)
	}
	return s + fmt.Sprintf(" (%d requests, %d errors)", r.n, r.errs)
}

// cpuPer is the server's CPU time per request.
func (r result) cpuPer() time.Duration { return r.cpu / time.Duration(max(r.sent, 1)) }

// merge adds o's requests to r (for alternating rounds of one measurement).
func (r result) merge(o result) result {
	r.n += o.n
	r.errs += o.errs
	r.sent += o.sent
	r.bytes += o.bytes
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.lat = append(r.lat, o.lat...)
	slices.Sort(r.lat)
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	return r
}

// request returns worker w's i-th request. A request may be sent again once
// its response body is closed, so most scenarios build a few per worker up
// front and cycle through them.
type request func(w, i int) *http.Request

// same is a request that every worker sends again and again.
func same(reqs []*http.Request) request {
	return func(w, _ int) *http.Request { return reqs[w%len(reqs)] }
}

// run drives concurrency workers against the server for warm (not measured:
// connections open, caches fill) and then d, and returns what the measured
// window saw. want is the status every answer should have.
func run(ctx context.Context, concurrency int, warm, d time.Duration, want int, build request) (result, error) {
	c := newClient(concurrency)
	defer c.close()
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	start := time.Now()
	measureFrom, end := start.Add(warm), start.Add(warm+d)
	for w := range concurrency {
		wg.Go(func() {
			var mine result
			mine.lat = make([]time.Duration, 0, 4096)
			for i := 0; ; i++ {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					break
				}
				status, n, err := c.do(build(w, i))
				t1 := time.Now()
				mine.sent++
				if t0.Before(measureFrom) {
					continue
				}
				if err == nil && status != want {
					err = fmt.Errorf("status %d, want %d", status, want)
				}
				if err != nil {
					mine.errs++
					if mine.firstErr == nil {
						mine.firstErr = err
					}
					continue
				}
				mine.n++
				mine.bytes += n
				mine.lat = append(mine.lat, t1.Sub(t0))
			}
			mu.Lock()
			all.n, all.errs, all.bytes, all.sent = all.n+mine.n, all.errs+mine.errs, all.bytes+mine.bytes, all.sent+mine.sent
			all.lat = append(all.lat, mine.lat...)
			if all.firstErr == nil {
				all.firstErr = mine.firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	// The window ends when the last request started in it is answered.
	all.elapsed = max(time.Since(measureFrom), d)
	slices.Sort(all.lat)
	if err := ctx.Err(); err != nil {
		return all, err
	}
	if all.n == 0 {
		return all, fmt.Errorf("no request succeeded: %v", all.firstErr)
	}
	return all, nil
}

// alternate measures two configurations in rounds, a then b, so that
// whatever else the machine does weighs on both alike.
func alternate(ctx context.Context, rounds int, fa, fb func(context.Context) (result, error)) (a, b result, err error) {
	for range rounds {
		ra, err := fa(ctx)
		if err != nil {
			return a, b, err
		}
		rb, err := fb(ctx)
		if err != nil {
			return a, b, err
		}
		a, b = a.merge(ra), b.merge(rb)
	}
	return a, b, nil
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "0 ms"
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", d.Seconds()*1000)
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", d.Seconds()*1000)
	}
	return fmt.Sprintf("%.2f ms", d.Seconds()*1000)
}
