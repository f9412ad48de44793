package metrics

import (
	"container/heap"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxSeries is how many password expiries a scrape reports by
// default: the ones closest to expiry.
const DefaultMaxSeries = 10000

// Expiry is when one password expires.
type Expiry struct {
	Registry, Token, Password string
	At                        time.Time
}

// Expiries lists the passwords that expire, from memory (access.Expiries
// through a small adapter).
type Expiries interface {
	EachExpiry(fn func(Expiry))
}

var (
	expiryDesc = prometheus.NewDesc("openacr_password_expiry_seconds",
		"Seconds until the password expires (negative once it has), for the passwords closest to expiry; never-expiring passwords have no series.",
		[]string{"registry", "token", "password"}, nil)
	droppedDesc = prometheus.NewDesc("openacr_password_expiry_series_dropped",
		"Expiring passwords left out of openacr_password_expiry_seconds by its series limit.", nil, nil)
)

// expiryCollector computes the expiry gauges at scrape time.
type expiryCollector struct {
	src Expiries
	max int
	now func() time.Time
}

func newExpiryCollector(src Expiries, max int) *expiryCollector {
	if max <= 0 {
		max = DefaultMaxSeries
	}
	return &expiryCollector{src: src, max: max, now: time.Now}
}

func (c *expiryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- expiryDesc
	ch <- droppedDesc
}

// Collect keeps the c.max soonest expiries in a max-heap: O(n log max)
// for n expiring passwords, no sorting of them all.
func (c *expiryCollector) Collect(ch chan<- prometheus.Metric) {
	h := &latestFirst{}
	dropped := 0
	c.src.EachExpiry(func(e Expiry) {
		switch {
		case h.Len() < c.max:
			heap.Push(h, e)
		case e.At.Before((*h)[0].At):
			(*h)[0] = e
			heap.Fix(h, 0)
			dropped++
		default:
			dropped++
		}
	})
	now := c.now()
	for _, e := range *h {
		ch <- prometheus.MustNewConstMetric(expiryDesc, prometheus.GaugeValue, e.At.Sub(now).Seconds(), e.Registry, e.Token, e.Password)
	}
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.GaugeValue, float64(dropped))
}

// latestFirst is a heap of expiries whose root expires last.
type latestFirst []Expiry

func (h latestFirst) Len() int           { return len(h) }
func (h latestFirst) Less(i, j int) bool { return h[i].At.After(h[j].At) }
func (h latestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *latestFirst) Push(x any)        { *h = append(*h, x.(Expiry)) }
func (h *latestFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
