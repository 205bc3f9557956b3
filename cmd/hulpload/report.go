package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Machine is where the figures were measured.
type Machine struct {
	CPUs   int    `json:"cpus"`
	Model  string `json:"cpu_model,omitempty"`
	Kernel string `json:"kernel,omitempty"`
	Go     string `json:"go"`
	OS     string `json:"os"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func writeJSONFile(path string, res *Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func latencyRow(w io.Writer, name string, s Summary) {
	fmt.Fprintf(w, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t\n", name, s.N, s.P50, s.P90, s.P99, s.Max)
}

// printTable writes the result for people.
func printTable(w io.Writer, res *Result) {
	st := res.Setup
	fmt.Fprintf(w, "hulpload %s — %s, %d CPUs, %s, %s\n", res.Scenario, res.Started.Format("2006-01-02 15:04 MST"), res.Machine.CPUs, res.Machine.Model, res.Machine.Go)
	schools := strconv.Itoa(st.Schools)
	if n := len(res.Scale); n > 0 {
		schools = fmt.Sprintf("%d … %d", res.Scale[0].Schools, res.Scale[n-1].Schools)
	}
	fmt.Fprintf(w, "%s schools × %d helpers, concurrency %d, requests ≤ %d, duration ≤ %.0fs", schools, st.Helpers, st.Concurrency, st.Requests, st.DurationS)
	if st.Rate > 0 {
		fmt.Fprintf(w, ", %.0f requests/s", st.Rate)
	}
	if st.BurstEveryS > 0 {
		fmt.Fprintf(w, ", all %d at once every %gs", st.Concurrency, st.BurstEveryS)
	}
	fmt.Fprintf(w, ", offer_timeout %s, Redis: %s\n\n", st.OfferTimeout, st.Redis)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if in := res.Intake; in != nil {
		fmt.Fprintf(w, "intake: %d requests in %.1fs = %.0f/s; outcomes %s\n", in.Requests, in.ElapsedS, in.Throughput, outcomes(in.Outcomes))
	}
	if res.Intake != nil || res.Notify != nil || res.Escalation != nil {
		fmt.Fprintln(tw, "latency (ms)\tn\tp50\tp90\tp99\tmax\t")
	}
	if in := res.Intake; in != nil {
		latencyRow(tw, "intake (command → answer)", in.Latency)
	}
	if n := res.Notify; n != nil {
		latencyRow(tw, "request → helper DM sent", n.DM)
		if n.Accept != nil {
			latencyRow(tw, "accept click → answer", *n.Accept)
		}
		if n.Resolve != nil {
			latencyRow(tw, "/hulp klaar → answer", *n.Resolve)
		}
		if n.Cancel != nil {
			latencyRow(tw, "/hulp annuleer → answer", *n.Cancel)
		}
	}
	if e := res.Escalation; e != nil {
		latencyRow(tw, "escalation lateness (deadline → next DM)", e.Lateness)
		latencyRow(tw, "  upper bound (send + timeout → next DM)", e.LatenessFromSend)
	}
	tw.Flush()
	if n := res.Notify; n != nil && n.Missing > 0 {
		fmt.Fprintf(w, "missing helper DMs: %d\n", n.Missing)
	}
	if e := res.Escalation; e != nil {
		fmt.Fprintf(w, "escalation: %d offered, %d pending at the first deadline (created in %.1fs), %d next-helper DMs missing; deadlines from %s\n",
			e.Offered, e.PendingAtFirstDeadline, e.CreateS, e.Missing, e.DeadlineSource)
	}
	if len(res.Scale) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "schools\thelpers\trequests\tCPU ms/req\tRedis ms/req\tmarginal CPU\tmarginal Redis\tidle CPU ms/s\tidle Redis ms/s\tintake p50\tp99\tDM p50\tp99\tpeak RSS MB\tidle heap MB\tgoroutines\terrors\t")
		for _, p := range res.Scale {
			heap, gor := 0.0, 0
			if p.IdleRuntime != nil {
				heap, gor = p.IdleRuntime.HeapInuseMB, p.IdleRuntime.Goroutines
			}
			fmt.Fprintf(tw, "%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.1f\t%d\t%d\t\n",
				p.Schools, p.Helpers, p.Requests, p.CPUPerReq, p.RedisCPUPerReq, p.MarginalCPU, p.MarginalRedis,
				p.IdleCPUPerS, p.IdleRedisCPUPerS, p.Intake.P50, p.Intake.P99, p.DM.P50, p.DM.P99, p.PeakRSSMB, heap, gor, p.Errors)
		}
		tw.Flush()
	}
	if s := res.Serve; s != nil {
		fmt.Fprintf(w, "serve: %d wrk requests written; delivered %d offers to helpers, %d posts to fallback channels\n", s.WrkRequests, s.Offers, s.Escalations)
	}
	if h := res.Hulpbot; h != nil {
		fmt.Fprintf(w, "hulpbot pid %d: peak RSS %.1f MB (RSS %.1f MB now: %.1f anonymous, %.1f file-backed; %.1f MB idle at start); CPU %.2fs",
			h.PID, h.PeakRSSMB, h.RSSMB, h.AnonMB, h.FileMB, h.IdleRSSMB, h.CPUS)
		if h.CPUPerReq > 0 {
			fmt.Fprintf(w, " = %.3f ms/request", h.CPUPerReq)
		}
		if h.RedisCPUS > 0 {
			fmt.Fprintf(w, "; Redis CPU %.2fs", h.RedisCPUS)
			if h.RedisPerRq > 0 {
				fmt.Fprintf(w, " = %.3f ms/request", h.RedisPerRq)
			}
		}
		fmt.Fprintln(w)
		if rt := h.Runtime; rt != nil {
			fmt.Fprintf(w, "Go runtime at the end: heap in use %.1f MB, stacks %.1f MB, from the OS %.1f MB, %d goroutines\n", rt.HeapInuseMB, rt.StackInuseMB, rt.SysMB, rt.Goroutines)
		}
		if len(h.RedisCallsPerReq) > 0 {
			fmt.Fprintf(w, "Redis commands per request: %s\n", perRequest(h.RedisCallsPerReq))
		}
	}
	if len(res.FakeCalls) > 0 {
		fmt.Fprintf(w, "fake Slack received: %s\n", outcomes64(res.FakeCalls))
	}
	fmt.Fprintf(w, "errors: %d", res.Errors)
	if len(res.ErrorKinds) > 0 {
		fmt.Fprintf(w, " (%s)", outcomes(res.ErrorKinds))
	}
	fmt.Fprintln(w)
	for _, s := range res.ErrorSamples {
		fmt.Fprintf(w, "  e.g. %s\n", s)
	}
}

func outcomes(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func outcomes64(m map[string]int64) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func perRequest(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	var parts []string
	total := 0.0
	for _, k := range keys {
		total += m[k]
		parts = append(parts, fmt.Sprintf("%s %.2f", k, m[k]))
	}
	return fmt.Sprintf("%.1f in all: %s", total, strings.Join(parts, ", "))
}
