package main

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even is the lower", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p90 of 100", hundred, 90, 90 * time.Millisecond},
		{"p100 is max", hundred, 100, 100 * time.Millisecond},
		{"p1 of 100", hundred, 1, 1 * time.Millisecond},
		{"p99 of 10 is max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.in, tt.p); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	in := []time.Duration{5 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2500 * time.Microsecond}
	s := Summarize(in)
	want := Summary{N: 4, Min: 1, Mean: 2.875, P50: 2.5, P90: 5, P99: 5, Max: 5}
	if s != want {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
	if !slices.IsSorted(in) {
		t.Error("input not sorted in place")
	}
	if (Summarize(nil) != Summary{}) {
		t.Error("empty summary not zero")
	}
}

func TestRecorderConcurrent(t *testing.T) {
	var r Recorder
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				r.Add(time.Duration(g*100+i+1) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	s := r.Summary()
	if s.N != 800 || s.Max != 0.8 || s.Min != 0.001 {
		t.Errorf("summary %+v", s)
	}
}

func TestDriveBounds(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		var n atomic.Int64
		got, _ := drive(context.Background(), 37, time.Minute, 5, 0, func(context.Context, int) { n.Add(1) })
		if got != 37 || n.Load() != 37 {
			t.Errorf("started %d, ran %d, want 37", got, n.Load())
		}
	})
	t.Run("time", func(t *testing.T) {
		start := time.Now()
		got, _ := drive(context.Background(), 1<<30, 100*time.Millisecond, 3, 0, func(context.Context, int) { time.Sleep(5 * time.Millisecond) })
		if el := time.Since(start); el > 2*time.Second || got == 0 {
			t.Errorf("ran %d in %v", got, el)
		}
	})
	t.Run("rate", func(t *testing.T) {
		got, el := drive(context.Background(), 1000, 200*time.Millisecond, 10, 100, func(context.Context, int) {})
		// 100/s for 0.2 s: about 21 starts.
		if got < 15 || got > 25 || el > 2*time.Second {
			t.Errorf("started %d in %v at 100/s for 200ms", got, el)
		}
	})
	t.Run("each index once", func(t *testing.T) {
		var mu sync.Mutex
		seen := map[int]bool{}
		drive(context.Background(), 500, time.Minute, 16, 0, func(_ context.Context, i int) {
			mu.Lock()
			defer mu.Unlock()
			if seen[i] {
				t.Errorf("index %d twice", i)
			}
			seen[i] = true
		})
		if len(seen) != 500 {
			t.Errorf("%d indexes, want 500", len(seen))
		}
	})
	t.Run("bursts", func(t *testing.T) {
		var mu sync.Mutex
		var starts []time.Time
		// Waves of 5, every 100ms (rate -10 = 10 waves per second), 23 runs.
		got, _ := drive(context.Background(), 23, time.Minute, 5, -10, func(context.Context, int) {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
		})
		if got != 23 || len(starts) != 23 {
			t.Fatalf("started %d, ran %d, want 23", got, len(starts))
		}
		slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
		if span := starts[22].Sub(starts[0]); span < 350*time.Millisecond {
			t.Errorf("5 waves over %v, want about 400ms", span)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got, _ := drive(ctx, 100, time.Minute, 4, 50, func(context.Context, int) {})
		if got != 0 {
			t.Errorf("started %d after cancel", got)
		}
	})
}

func TestParseStatCPU(t *testing.T) {
	// Field 2 may hold spaces and parentheses.
	stat := "4242 (hulp bot (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 12 0 100 1000000 2000 18446744073709551615"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3250 * time.Millisecond; got != want {
		t.Errorf("cpu = %v, want %v", got, want)
	}
	if _, err := parseStatCPU("garbage"); err == nil {
		t.Error("no error for garbage")
	}
	if parseKB("   51234 kB") != 51234*1024 {
		t.Error("parseKB")
	}
}

func TestReadProcSelf(t *testing.T) {
	st, err := readProc(pidSelf())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if st.PeakRSS <= 0 || st.RSS <= 0 || st.PeakRSS < st.RSS {
		t.Errorf("peak %d rss %d", st.PeakRSS, st.RSS)
	}
}
