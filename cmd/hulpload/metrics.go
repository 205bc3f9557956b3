package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// goMetrics are the Go runtime's figures of the hulpbot process, from its
// GET /metrics: where the resident memory goes.
type goMetrics struct {
	HeapInuseMB  float64 `json:"heap_inuse_mb"`
	HeapAllocMB  float64 `json:"heap_alloc_mb"`
	StackInuseMB float64 `json:"stack_inuse_mb"`
	SysMB        float64 `json:"go_sys_mb"`
	Goroutines   int     `json:"goroutines"`
	HeapObjects  int64   `json:"heap_objects"`
}

// wantedMetrics maps the Prometheus names read to their use.
var wantedMetrics = map[string]func(*goMetrics, float64){
	"go_memstats_heap_inuse_bytes": func(m *goMetrics, v float64) { m.HeapInuseMB = v / (1 << 20) },
	"go_memstats_alloc_bytes":      func(m *goMetrics, v float64) { m.HeapAllocMB = v / (1 << 20) },
	"go_memstats_stack_inuse_bytes": func(m *goMetrics, v float64) {
		m.StackInuseMB = v / (1 << 20)
	},
	"go_memstats_sys_bytes":    func(m *goMetrics, v float64) { m.SysMB = v / (1 << 20) },
	"go_goroutines":            func(m *goMetrics, v float64) { m.Goroutines = int(v) },
	"go_memstats_heap_objects": func(m *goMetrics, v float64) { m.HeapObjects = int64(v) },
}

// parseGoMetrics reads the runtime figures from Prometheus text format.
func parseGoMetrics(r io.Reader) goMetrics {
	var m goMetrics
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		set, ok := wantedMetrics[name]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err == nil {
			set(&m, v)
		}
	}
	for _, p := range []*float64{&m.HeapInuseMB, &m.HeapAllocMB, &m.StackInuseMB, &m.SysMB} {
		*p = float64(int64(*p*10+0.5)) / 10
	}
	return m
}

// GoMetrics scrapes hulpbot's /metrics (on its internal listener); nil
// when it cannot.
func (e *Env) GoMetrics(ctx context.Context) *goMetrics {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Metrics+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	m := parseGoMetrics(resp.Body)
	return &m
}
