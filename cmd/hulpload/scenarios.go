package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options are hulpload's flags.
type Options struct {
	Scenario     string
	Schools      int
	Helpers      int
	Pool         int // schools in a row that share their helpers
	Concurrency  int
	Requests     int
	Duration     time.Duration
	Rate         float64
	BurstEvery   time.Duration
	OfferTimeout time.Duration
	DMTimeout    time.Duration
	Cancel       bool

	Hulpbot  string
	Target   string
	PID      int
	Config   string
	RedisURL string
	FakeAddr string
	LogLevel string
	Delay    time.Duration

	ScaleSchools []int
	Idle         time.Duration

	JSON        string
	Plot        string
	WriteConfig string
	Listen      string
	WrkFile     string
	WrkRequests int
	ReadyFile   string
	Keep        bool
	Tidy        bool

	Mode      string // the ceiling's: bare, redis, notify or sink
	NotifyURL string // the chat API of the ceiling's notify mode
}

// Result is what a run measured; it is written as JSON.
type Result struct {
	Scenario string    `json:"scenario"`
	Started  time.Time `json:"started"`
	Machine  Machine   `json:"machine"`
	Setup    Setup     `json:"setup"`

	Intake     *IntakeResult     `json:"intake,omitempty"`
	Notify     *NotifyResult     `json:"notify,omitempty"`
	Escalation *EscalationResult `json:"escalation,omitempty"`
	Scale      []ScalePoint      `json:"scale,omitempty"`
	Serve      *ServeResult      `json:"serve,omitempty"`

	Errors       int            `json:"errors"`
	ErrorKinds   map[string]int `json:"error_kinds,omitempty"`
	ErrorSamples []string       `json:"error_samples,omitempty"`

	Hulpbot   *ProcResult      `json:"hulpbot,omitempty"`
	FakeCalls map[string]int64 `json:"fake_slack_calls,omitempty"`
}

// Setup is what was asked.
type Setup struct {
	Schools      int     `json:"schools"`
	Helpers      int     `json:"helpers_per_school"`
	Concurrency  int     `json:"concurrency"`
	Requests     int     `json:"requests"`
	DurationS    float64 `json:"duration_s"`
	Rate         float64 `json:"rate_per_s,omitempty"`
	BurstEveryS  float64 `json:"burst_every_s,omitempty"`
	OfferTimeout string  `json:"offer_timeout"`
	SlackDelayMS float64 `json:"fake_slack_delay_ms"`
	Redis        string  `json:"redis"`
	Target       string  `json:"target"`
	LogLevel     string  `json:"hulpbot_log_level"`
}

// IntakeResult: slash commands asking for help, and their answers.
type IntakeResult struct {
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	ElapsedS   float64        `json:"elapsed_s"`
	Throughput float64        `json:"throughput_per_s"`
	Latency    Summary        `json:"latency"`
	Outcomes   map[string]int `json:"outcomes"`
}

// NotifyResult: from sending the command to the helper's DM arriving at
// Slack, and the rest of the help cycle.
type NotifyResult struct {
	DM      Summary  `json:"request_to_dm"`
	Missing int      `json:"missing_dms"`
	Accept  *Summary `json:"accept_click,omitempty"`
	Resolve *Summary `json:"resolve_command,omitempty"`
	Cancel  *Summary `json:"cancel_command,omitempty"`
}

// EscalationResult: from an offer's deadline to the next helper's DM.
type EscalationResult struct {
	Requests               int     `json:"requests"`
	Offered                int     `json:"offered"`
	PendingAtFirstDeadline int     `json:"pending_at_first_deadline"`
	CreateS                float64 `json:"create_elapsed_s"`
	DeadlineSource         string  `json:"deadline_source"`
	Lateness               Summary `json:"lateness"`
	LatenessFromSend       Summary `json:"lateness_upper_bound_from_send"`
	Missing                int     `json:"missing_next_dms"`
}

// ProcResult is the hulpbot process.
type ProcResult struct {
	PID        int     `json:"pid"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	RSSMB      float64 `json:"rss_mb"`
	IdleRSSMB  float64 `json:"idle_rss_mb,omitempty"`
	AnonMB     float64 `json:"rss_anon_mb"`
	FileMB     float64 `json:"rss_file_mb"`
	CPUS       float64 `json:"cpu_s"`
	RedisCPUS  float64 `json:"redis_cpu_s,omitempty"`
	CPUPerReq  float64 `json:"cpu_ms_per_request,omitempty"`
	RedisPerRq float64 `json:"redis_cpu_ms_per_request,omitempty"`
	// RedisCallsPerReq is the commands Redis ran per request, by name.
	RedisCallsPerReq map[string]float64 `json:"redis_calls_per_request,omitempty"`
	// Runtime is the Go runtime's view at the end (GET /metrics).
	Runtime *goMetrics `json:"go_runtime,omitempty"`
	// IdleRuntime is the same before the load.
	IdleRuntime *goMetrics `json:"go_runtime_idle,omitempty"`
}

// ServeResult: what hulpbot delivered while another load tool (wrk) drove it.
type ServeResult struct {
	WrkRequests int `json:"wrk_requests_written"`
	Offers      int `json:"offers_delivered"`
	Escalations int `json:"fallback_posts_delivered"`
}

func mb(b int64) float64 { return float64(b*10/(1<<20)) / 10 }

// runner is one run of hulpload.
type runner struct {
	o     Options
	log   *slog.Logger
	dir   string
	redis string
	seq   atomic.Int64
	errs  errorLog
	res   *Result
}

func (r *runner) layout(schools int) Layout {
	return Layout{
		Schools: schools, Helpers: r.o.Helpers, Pool: r.o.Pool, RedisURL: r.redis,
		RedisPrefix:  "hl" + randomHex(4),
		OfferTimeout: r.o.OfferTimeout, FollowUp: time.Hour, Secret: "hulpload" + randomHex(12),
	}
}

func (r *runner) env(ctx context.Context, schools int) (*Env, error) {
	l := r.layout(schools)
	o := EnvOptions{
		Hulpbot: r.o.Hulpbot, Target: r.o.Target, PID: r.o.PID, FakeAddr: r.o.FakeAddr,
		LogLevel: r.o.LogLevel, Delay: r.o.Delay, Conns: r.o.Concurrency,
		Tidy: r.o.RedisURL != "" && r.o.Tidy,
	}
	if r.o.Target != "" {
		var err error
		if l, err = readConfig(r.o.Config); err != nil {
			return nil, err
		}
		o.FakeAddr = hostOf(l.APIURL)
	}
	dir, err := os.MkdirTemp(r.dir, fmt.Sprintf("s%d-", schools))
	if err != nil {
		return nil, err
	}
	o.Dir = dir
	r.log.Info("starting", "schools", l.Schools, "helpers", l.Helpers, "dir", dir)
	return NewEnv(ctx, l, o, r.log)
}

// ask sends "/hulp groep 5 <token>" for request i and records it.
func (r *runner) ask(ctx context.Context, e *Env, led *ledger, lat *Recorder, i int) *sentRequest {
	s, t := teacherOf(i, e.Layout.Schools)
	seq := r.seq.Add(1)
	req := &sentRequest{Seq: seq, School: s, At: time.Now()}
	rep, err := e.Command(ctx, s, TeacherUser(s, t), TeacherName(s, t), "groep "+Group+" "+Token(seq))
	req.Replied = time.Now()
	switch {
	case err != nil:
		req.Outcome = Other
		if ctx.Err() == nil {
			r.errs.add("command", err)
		}
	case rep.Status != http.StatusOK:
		req.Outcome = Other
		r.errs.add("command status "+strconv.Itoa(rep.Status), nil)
	default:
		req.Outcome = rep.outcome()
		if req.Outcome == Other {
			r.errs.add("unexpected answer", errors.New(cut(rep.Text, 120)))
		}
	}
	if err == nil {
		lat.Add(req.Replied.Sub(req.At))
	}
	led.add(req)
	return req
}

// teachersPerSchool is the staff of a simulated school who ask for help.
const teachersPerSchool = 30

// teacherOf spreads request i over the schools, and within a school over
// its teachers.
func teacherOf(i, schools int) (school, teacher int) {
	return i % schools, (i / schools) % teachersPerSchool
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// cycle is a whole request for help: the teacher asks, the helper's DM
// arrives, the helper presses "Ik kom eraan" and later types "/hulp
// klaar", so the helper is free again.
func (r *runner) cycle(ctx context.Context, e *Env, led *ledger, intake, accept, resolve *Recorder, i int) {
	s, t := teacherOf(i, e.Layout.Schools)
	seq := r.seq.Add(1)
	wait := e.Fake.Expect(seq, 1)
	req := &sentRequest{Seq: seq, School: s, At: time.Now()}
	rep, err := e.Command(ctx, s, TeacherUser(s, t), TeacherName(s, t), "groep "+Group+" "+Token(seq))
	req.Replied = time.Now()
	if err != nil || rep.Status != http.StatusOK {
		req.Outcome = Other
		if ctx.Err() == nil {
			r.errs.add("command", errOr(err, rep))
		}
		led.add(req)
		e.Fake.Forget(seq, 1)
		return
	}
	intake.Add(req.Replied.Sub(req.At))
	req.Outcome = rep.outcome()
	led.add(req)
	if req.Outcome != Offered {
		e.Fake.Forget(seq, 1)
		if req.Outcome == Other {
			r.errs.add("unexpected answer", errors.New(cut(rep.Text, 120)))
		}
		return
	}
	var d Delivery
	select {
	case d = <-wait:
	case <-time.After(r.o.DMTimeout):
		e.Fake.Forget(seq, 1)
		r.errs.add("dm timeout", nil)
		return
	case <-ctx.Done():
		e.Fake.Forget(seq, 1)
		return
	}
	if r.o.Cancel {
		t0 := time.Now()
		rep, err := e.Command(ctx, s, TeacherUser(s, t), TeacherName(s, t), "annuleer")
		if err != nil || rep.Status != http.StatusOK {
			r.errs.add("cancel", errOr(err, rep))
			return
		}
		resolve.Add(time.Since(t0))
		return
	}
	b, ok := d.button("accept")
	if !ok {
		r.errs.add("offer without accept button", nil)
		return
	}
	t0 := time.Now()
	rep, err = e.Press(ctx, s, d.User, d, b)
	if err != nil || rep.Status != http.StatusOK {
		r.errs.add("accept click", errOr(err, rep))
		return
	}
	accept.Add(time.Since(t0))
	t0 = time.Now()
	rep, err = e.Command(ctx, s, d.User, "helper", "klaar")
	if err != nil || rep.Status != http.StatusOK {
		r.errs.add("resolve", errOr(err, rep))
		return
	}
	resolve.Add(time.Since(t0))
}

func errOr(err error, rep Reply) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("status %d %s", rep.Status, cut(rep.Text, 80))
}

func (r *runner) outcomes(led *ledger) map[string]int {
	out := map[string]int{}
	for _, q := range led.all() {
		out[q.Outcome]++
	}
	return out
}

// snapshot is the counters of hulpbot and Redis at one moment.
type snapshot struct {
	rt    *goMetrics
	proc  ProcStats
	redis time.Duration
	calls map[string]int64
}

func (e *Env) snap(ctx context.Context) snapshot {
	return snapshot{rt: e.GoMetrics(ctx), proc: e.Proc(), redis: e.RedisCPU(ctx), calls: e.RedisCalls(ctx)}
}

// procResult is what the process and Redis did since s0, for n requests.
func procResult(ctx context.Context, e *Env, s0 snapshot, n int) *ProcResult {
	s1 := e.snap(ctx)
	p := &ProcResult{
		PID: e.PID, PeakRSSMB: mb(s1.proc.PeakRSS), RSSMB: mb(s1.proc.RSS), IdleRSSMB: mb(s0.proc.RSS),
		AnonMB: mb(s1.proc.Anon), FileMB: mb(s1.proc.File),
		CPUS: (s1.proc.CPU - s0.proc.CPU).Seconds(), RedisCPUS: (s1.redis - s0.redis).Seconds(),
		Runtime: s1.rt, IdleRuntime: s0.rt,
	}
	if n > 0 {
		p.CPUPerReq = round3(float64(s1.proc.CPU-s0.proc.CPU) / 1e6 / float64(n))
		p.RedisPerRq = round3(float64(s1.redis-s0.redis) / 1e6 / float64(n))
		if s0.calls != nil && s1.calls != nil {
			p.RedisCallsPerReq = map[string]float64{}
			for k, v := range s1.calls {
				// INFO itself is hulpload's.
				if d := v - s0.calls[k]; d > 0 && k != "info" {
					p.RedisCallsPerReq[k] = round3(float64(d) / float64(n))
				}
			}
		}
	}
	return p
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// intake: many teachers ask for help as fast as hulpbot answers.
func (r *runner) intake(ctx context.Context) error {
	e, err := r.env(ctx, r.o.Schools)
	if err != nil {
		return err
	}
	defer e.Close()
	s0 := e.snap(ctx)
	led := newLedger()
	var lat, acc, res Recorder
	n, elapsed := drive(ctx, r.o.Requests, r.o.Duration, r.o.Concurrency, r.o.Rate, func(ctx context.Context, i int) {
		if r.o.Cancel {
			r.cycle(ctx, e, led, &lat, &acc, &res, i)
			return
		}
		r.ask(ctx, e, led, &lat, i)
	})
	reqs := led.all()
	waitDeliveries(ctx, e.Fake, reqs, 1, 10*time.Second)
	dm, missing := dmLatency(reqs, e.Fake.Deliveries())
	r.res.Intake = &IntakeResult{
		Requests: n, Errors: r.errs.total(), ElapsedS: elapsed.Seconds(),
		Throughput: float64(n) / elapsed.Seconds(), Latency: lat.Summary(), Outcomes: r.outcomes(led),
	}
	r.res.Notify = &NotifyResult{DM: dm, Missing: missing}
	if r.o.Cancel {
		s := res.Summary()
		r.res.Notify.Cancel = &s
	}
	r.res.Hulpbot = procResult(ctx, e, s0, n)
	r.res.FakeCalls = e.Fake.Calls()
	return nil
}

// notify: concurrent teachers each go through whole requests for help,
// one after the other; the figure is request → helper DM.
func (r *runner) notify(ctx context.Context) error {
	e, err := r.env(ctx, r.o.Schools)
	if err != nil {
		return err
	}
	defer e.Close()
	if per := (r.o.Concurrency + r.o.Schools - 1) / r.o.Schools; per > r.o.Helpers {
		r.log.Warn("more teachers in flight per school than helpers: some requests will escalate", "teachers_per_school", per, "helpers", r.o.Helpers)
	}
	s0 := e.snap(ctx)
	led := newLedger()
	var intake, acc, res Recorder
	n, elapsed := drive(ctx, r.o.Requests, r.o.Duration, r.o.Concurrency, r.o.Rate, func(ctx context.Context, i int) {
		r.cycle(ctx, e, led, &intake, &acc, &res, i)
	})
	reqs := led.all()
	dm, missing := dmLatency(reqs, e.Fake.Deliveries())
	r.res.Intake = &IntakeResult{
		Requests: n, Errors: r.errs.total(), ElapsedS: elapsed.Seconds(),
		Throughput: float64(n) / elapsed.Seconds(), Latency: intake.Summary(), Outcomes: r.outcomes(led),
	}
	as, rs := acc.Summary(), res.Summary()
	r.res.Notify = &NotifyResult{DM: dm, Missing: missing, Accept: &as}
	if r.o.Cancel {
		r.res.Notify.Cancel = &rs
	} else {
		r.res.Notify.Resolve = &rs
	}
	r.res.Hulpbot = procResult(ctx, e, s0, n)
	r.res.FakeCalls = e.Fake.Calls()
	return nil
}

// escalation: many offers pending at once that nobody answers; the figure
// is how late after its deadline each offer reaches the next helper.
func (r *runner) escalation(ctx context.Context) error {
	perSchool := (r.o.Requests + r.o.Schools - 1) / r.o.Schools
	if r.o.Helpers < 2*perSchool {
		return fmt.Errorf("escalation: %d requests over %d schools need at least %d helpers per school (one to ignore the offer, one to get it next); have %d",
			r.o.Requests, r.o.Schools, 2*perSchool, r.o.Helpers)
	}
	e, err := r.env(ctx, r.o.Schools)
	if err != nil {
		return err
	}
	defer e.Close()
	s0 := e.snap(ctx)
	led := newLedger()
	var lat Recorder
	n, elapsed := drive(ctx, r.o.Requests, r.o.Duration, r.o.Concurrency, r.o.Rate, func(ctx context.Context, i int) {
		r.ask(ctx, e, led, &lat, i)
	})
	reqs := led.all()
	r.log.Info("requests created", "n", n, "elapsed", elapsed.Round(time.Millisecond))

	// The deadlines as the store keeps them (each school's deadlines sorted
	// set: request id → deadline ms), read right away, before the first is
	// due: every entry is then the deadline of a first offer.
	byID := map[string]time.Time{}
	readAt := time.Now()
	if e.rdb != nil {
		pipe := e.rdb.Pipeline()
		var cmds []*redis.ZSliceCmd
		for s := range e.Layout.Schools {
			cmds = append(cmds, pipe.ZRangeWithScores(ctx, e.Layout.RedisPrefix+":{"+SchoolID(s)+"}:deadlines", 0, -1))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			r.log.Warn("deadlines not read from redis; using send time + offer_timeout", "err", err)
		}
		for _, c := range cmds {
			for _, z := range c.Val() {
				if id, ok := z.Member.(string); ok {
					byID[id] = time.UnixMilli(int64(z.Score))
				}
			}
		}
	}
	waitDeliveries(ctx, e.Fake, reqs, 1, time.Until(readAt.Add(e.Layout.OfferTimeout)))
	first := offers(e.Fake.Deliveries())
	deadlines := map[int64]time.Time{}
	source := "redis (the store's deadline of each first offer)"
	for _, rq := range reqs {
		if d, ok := first[offerKey{rq.Seq, 1}]; ok {
			if dl, ok := byID[d.RequestID]; ok && !dl.Before(readAt) {
				deadlines[rq.Seq] = dl
			}
		}
	}
	if len(deadlines) == 0 {
		source = "send time + offer_timeout (an upper bound of the lateness)"
	}
	deadlineOf := func(rq *sentRequest) time.Time {
		if d, ok := deadlines[rq.Seq]; ok {
			return d
		}
		return rq.At.Add(e.Layout.OfferTimeout)
	}
	var firstDeadline, lastDeadline time.Time
	offered := 0
	for _, rq := range reqs {
		if rq.Outcome != Offered {
			continue
		}
		offered++
		d := deadlineOf(rq)
		if firstDeadline.IsZero() || d.Before(firstDeadline) {
			firstDeadline = d
		}
		if d.After(lastDeadline) {
			lastDeadline = d
		}
	}
	pending := 0
	for _, rq := range reqs {
		if rq.Outcome == Offered && rq.Replied.Before(firstDeadline) {
			pending++
		}
	}
	r.log.Info("waiting for the deadlines", "offered", offered, "pending_at_first_deadline", pending,
		"first", time.Until(firstDeadline).Round(time.Millisecond), "last", time.Until(lastDeadline).Round(time.Millisecond))
	wait := time.Until(lastDeadline) + 30*time.Second
	waitDeliveries(ctx, e.Fake, reqs, 2, wait)

	idx := offers(e.Fake.Deliveries())
	var late, bound []time.Duration
	missing := 0
	for _, rq := range reqs {
		if rq.Outcome != Offered {
			continue
		}
		d, ok := idx[offerKey{rq.Seq, 2}]
		if !ok {
			missing++
			continue
		}
		late = append(late, d.At.Sub(deadlineOf(rq)))
		bound = append(bound, d.At.Sub(rq.At.Add(e.Layout.OfferTimeout)))
	}
	dm, dmMissing := dmLatency(reqs, e.Fake.Deliveries())
	r.res.Intake = &IntakeResult{
		Requests: n, Errors: r.errs.total(), ElapsedS: elapsed.Seconds(),
		Throughput: float64(n) / elapsed.Seconds(), Latency: lat.Summary(), Outcomes: r.outcomes(led),
	}
	r.res.Notify = &NotifyResult{DM: dm, Missing: dmMissing}
	r.res.Escalation = &EscalationResult{
		Requests: n, Offered: offered, PendingAtFirstDeadline: pending, CreateS: elapsed.Seconds(),
		DeadlineSource: source, Lateness: Summarize(late), LatenessFromSend: Summarize(bound), Missing: missing,
	}
	r.res.Hulpbot = procResult(ctx, e, s0, n)
	r.res.FakeCalls = e.Fake.Calls()
	return nil
}

// ScalePoint is one school count of the scale curve.
type ScalePoint struct {
	Schools          int        `json:"schools"`
	Helpers          int        `json:"helpers_total"`
	Requests         int        `json:"requests"`
	Offered          int        `json:"offered"`
	Escalated        int        `json:"escalated"`
	ElapsedS         float64    `json:"elapsed_s"`
	IdleCPUPerS      float64    `json:"idle_cpu_ms_per_s"`
	IdleRedisCPUPerS float64    `json:"idle_redis_cpu_ms_per_s"`
	CPUPerReq        float64    `json:"cpu_ms_per_request"`
	RedisCPUPerReq   float64    `json:"redis_cpu_ms_per_request"`
	MarginalCPU      float64    `json:"marginal_cpu_ms_per_request"`
	MarginalRedis    float64    `json:"marginal_redis_cpu_ms_per_request"`
	Intake           Summary    `json:"intake"`
	DM               Summary    `json:"request_to_dm"`
	PeakRSSMB        float64    `json:"peak_rss_mb"`
	IdleRSSMB        float64    `json:"idle_rss_mb"`
	AnonMB           float64    `json:"rss_anon_mb"`
	FileMB           float64    `json:"rss_file_mb"`
	IdleRuntime      *goMetrics `json:"go_runtime_idle,omitempty"`
	Runtime          *goMetrics `json:"go_runtime,omitempty"`
	Errors           int        `json:"errors"`
}

// scale: the same load (whole requests for help at a fixed rate) with 1,
// 10, 100 and 1,000 schools configured; cost per request should not grow.
func (r *runner) scale(ctx context.Context) error {
	rate := r.o.Rate
	if rate <= 0 {
		rate = 50
	}
	for _, schools := range r.o.ScaleSchools {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p, err := r.scalePoint(ctx, schools, rate)
		if err != nil {
			return fmt.Errorf("%d schools: %w", schools, err)
		}
		r.res.Scale = append(r.res.Scale, p)
		r.log.Info("scale point", "schools", schools, "cpu_ms_per_request", p.CPUPerReq, "redis_ms_per_request", p.RedisCPUPerReq,
			"idle_cpu_ms_per_s", p.IdleCPUPerS, "dm_p99_ms", p.DM.P99)
	}
	if r.o.Plot != "" {
		if err := plotScale(r.res.Scale, r.o.Plot, r.res.Machine, rate); err != nil {
			return err
		}
		r.log.Info("plot written", "path", r.o.Plot)
	}
	return nil
}

func (r *runner) scalePoint(ctx context.Context, schools int, rate float64) (ScalePoint, error) {
	e, err := r.env(ctx, schools)
	if err != nil {
		return ScalePoint{}, err
	}
	defer e.Close()
	errs0 := r.errs.total()
	// Warm up: connections, script cache, a DM conversation or two.
	var scratch Recorder
	warm := newLedger()
	drive(ctx, min(20, schools*r.o.Helpers), 10*time.Second, 4, 0, func(ctx context.Context, i int) {
		r.cycle(ctx, e, warm, &scratch, &scratch, &scratch, i)
	})
	// Idle: what the configured schools cost with nothing happening.
	c0, rc0 := e.Proc().CPU, e.RedisCPU(ctx)
	idleRSS := e.Proc().RSS
	idleRT := e.GoMetrics(ctx)
	sleepCtx(ctx, r.o.Idle)
	c1, rc1 := e.Proc().CPU, e.RedisCPU(ctx)
	idleCPU := float64(c1-c0) / 1e6 / r.o.Idle.Seconds()
	idleRedis := float64(rc1-rc0) / 1e6 / r.o.Idle.Seconds()

	led := newLedger()
	var intake, acc, res Recorder
	n, elapsed := drive(ctx, r.o.Requests, r.o.Duration, r.o.Concurrency, rate, func(ctx context.Context, i int) {
		r.cycle(ctx, e, led, &intake, &acc, &res, i)
	})
	c2, rc2 := e.Proc().CPU, e.RedisCPU(ctx)
	reqs := led.all()
	dm, _ := dmLatency(reqs, e.Fake.Deliveries())
	out := r.outcomes(led)
	st := e.Proc()
	p := ScalePoint{
		Schools: schools, Helpers: schools * r.o.Helpers, Requests: n, Offered: out[Offered], Escalated: out[Escalated],
		ElapsedS: round3(elapsed.Seconds()), IdleCPUPerS: round3(idleCPU), IdleRedisCPUPerS: round3(idleRedis),
		Intake: intake.Summary(), DM: dm, PeakRSSMB: mb(st.PeakRSS), IdleRSSMB: mb(idleRSS),
		AnonMB: mb(st.Anon), FileMB: mb(st.File),
		IdleRuntime: idleRT, Runtime: e.GoMetrics(ctx),
		Errors: r.errs.total() - errs0,
	}
	if n > 0 {
		cpu := float64(c2-c1) / 1e6
		rcpu := float64(rc2-rc1) / 1e6
		p.CPUPerReq = round3(cpu / float64(n))
		p.RedisCPUPerReq = round3(rcpu / float64(n))
		p.MarginalCPU = round3((cpu - idleCPU*elapsed.Seconds()) / float64(n))
		p.MarginalRedis = round3((rcpu - idleRedis*elapsed.Seconds()) / float64(n))
	}
	return p, nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// serve starts hulpbot and the fake Slack and keeps them up while another
// tool (wrk, see scripts/bench.sh) drives hulpbot with the pre-signed
// requests written to -wrk-file; it ends on SIGTERM or after -duration.
func (r *runner) serve(ctx context.Context) error {
	e, err := r.env(ctx, r.o.Schools)
	if err != nil {
		return err
	}
	defer e.Close()
	if r.o.WrkFile != "" {
		if err := writeWrkFile(r.o.WrkFile, e, r.o.WrkRequests); err != nil {
			return err
		}
	}
	s0 := e.snap(ctx)
	if r.o.ReadyFile != "" {
		ready := fmt.Sprintf("%s\n%d\n", e.Target, e.PID)
		if err := os.WriteFile(r.o.ReadyFile, []byte(ready), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "hulpload: serving %s (fake Slack %s) for at most %s\n", e.Target, e.Fake.URL, r.o.Duration)
	sleepCtx(ctx, r.o.Duration)
	// Let the last deliveries out before counting them.
	time.Sleep(2 * time.Second)
	sv := &ServeResult{WrkRequests: r.o.WrkRequests}
	for _, d := range e.Fake.Deliveries() {
		switch {
		case d.Method == "chat.postMessage" && d.OfferNo == 1:
			sv.Offers++
		case d.Method == "chat.postMessage" && d.User == "":
			sv.Escalations++
		}
	}
	r.res.Serve = sv
	r.res.Hulpbot = procResult(context.WithoutCancel(ctx), e, s0, 0)
	r.res.FakeCalls = e.Fake.Calls()
	return nil
}

// hostOf is the host:port of a URL.
func hostOf(u string) string {
	for _, p := range []string{"http://", "https://"} {
		if rest, ok := strings.CutPrefix(u, p); ok {
			host, _, _ := strings.Cut(rest, "/")
			return host
		}
	}
	return u
}
