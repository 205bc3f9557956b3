package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// drive runs work(i) for i = 0, 1, … until n runs have started or d has
// passed, whichever comes first: a closed loop of conc workers when rate
// is 0, else starts at rate per second with at most conc in flight. It
// waits for the runs it started and reports how many and how long.
func drive(ctx context.Context, n int, d time.Duration, conc int, rate float64, work func(ctx context.Context, i int)) (int, time.Duration) {
	conc = max(conc, 1)
	start := time.Now()
	end := start.Add(d)
	var next atomic.Int64
	var wg sync.WaitGroup
	if rate < 0 {
		return bursts(ctx, n, d, conc, time.Duration(float64(time.Second)/-rate), work)
	}
	if rate <= 0 {
		for range conc {
			wg.Go(func() {
				for ctx.Err() == nil && time.Now().Before(end) {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					work(ctx, i)
				}
			})
		}
		wg.Wait()
		return int(min(next.Load(), int64(n))), time.Since(start)
	}
	sem := make(chan struct{}, conc)
	interval := time.Duration(float64(time.Second) / rate)
	started := 0
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.After(end) {
			break
		}
		if w := time.Until(at); w > 0 {
			t := time.NewTimer(w)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		started++
		wg.Go(func() {
			defer func() { <-sem }()
			work(ctx, i)
		})
	}
	wg.Wait()
	return started, time.Since(start)
}

// bursts starts conc runs at the same moment every interval (teachers
// who all ask at once), until n runs have started or d has passed.
func bursts(ctx context.Context, n int, d time.Duration, conc int, every time.Duration, work func(ctx context.Context, i int)) (int, time.Duration) {
	start := time.Now()
	var wg sync.WaitGroup
	started := 0
	for wave := 0; started < n && ctx.Err() == nil; wave++ {
		at := start.Add(time.Duration(wave) * every)
		if at.After(start.Add(d)) {
			break
		}
		sleepCtx(ctx, time.Until(at))
		if ctx.Err() != nil {
			break
		}
		gate := make(chan struct{})
		for range min(conc, n-started) {
			i := started
			started++
			wg.Go(func() {
				<-gate
				work(ctx, i)
			})
		}
		close(gate)
	}
	wg.Wait()
	return started, time.Since(start)
}

// errorLog counts errors by kind and keeps a few examples.
type errorLog struct {
	mu      sync.Mutex
	kinds   map[string]int
	samples []string
}

func (l *errorLog) add(kind string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = map[string]int{}
	}
	l.kinds[kind]++
	if len(l.samples) < 10 {
		s := kind
		if err != nil {
			s += ": " + err.Error()
		}
		l.samples = append(l.samples, s)
	}
}

func (l *errorLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, v := range l.kinds {
		n += v
	}
	return n
}

func (l *errorLog) snapshot() (map[string]int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := map[string]int{}
	for a, b := range l.kinds {
		k[a] = b
	}
	return k, append([]string(nil), l.samples...)
}

func (l *errorLog) String() string {
	k, _ := l.snapshot()
	var parts []string
	for a, b := range k {
		parts = append(parts, fmt.Sprintf("%s %d", a, b))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// sentRequest is one request for help hulpload sent.
type sentRequest struct {
	Seq     int64
	School  int
	At      time.Time // the command was sent
	Replied time.Time // its answer arrived
	Outcome string
}

// ledger keeps the requests for help sent, by token.
type ledger struct {
	mu sync.Mutex
	m  map[int64]*sentRequest
}

func newLedger() *ledger { return &ledger{m: map[int64]*sentRequest{}} }

func (l *ledger) add(r *sentRequest) {
	l.mu.Lock()
	l.m[r.Seq] = r
	l.mu.Unlock()
}

func (l *ledger) all() []*sentRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*sentRequest, 0, len(l.m))
	for _, r := range l.m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// offers indexes the offers the fake received by token and offer number
// (the first of each).
func offers(ds []Delivery) map[offerKey]Delivery {
	out := map[offerKey]Delivery{}
	for _, d := range ds {
		if d.Method != "chat.postMessage" || d.OfferNo == 0 || d.Seq < 0 || d.User == "" {
			continue
		}
		k := offerKey{d.Seq, d.OfferNo}
		if _, ok := out[k]; !ok {
			out[k] = d
		}
	}
	return out
}

// dmLatency matches each offered request to the DM of its first offer:
// from sending the command to the fake receiving chat.postMessage.
func dmLatency(reqs []*sentRequest, ds []Delivery) (Summary, int) {
	idx := offers(ds)
	var lat []time.Duration
	missing := 0
	for _, r := range reqs {
		if r.Outcome != Offered {
			continue
		}
		d, ok := idx[offerKey{r.Seq, 1}]
		if !ok {
			missing++
			continue
		}
		lat = append(lat, d.At.Sub(r.At))
	}
	return Summarize(lat), missing
}

// waitDeliveries waits until every offered request has its offer-1 DM, or
// until timeout.
func waitDeliveries(ctx context.Context, f *Fake, reqs []*sentRequest, offer int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		idx := offers(f.Deliveries())
		done := true
		for _, r := range reqs {
			if r.Outcome == Offered {
				if _, ok := idx[offerKey{r.Seq, offer}]; !ok {
					done = false
					break
				}
			}
		}
		if done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
