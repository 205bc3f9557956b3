// Command hulpload drives a running hulpbot over its real HTTP endpoints
// with correctly signed Slack requests — many schools, teachers and helpers
// — against a fake Slack Web API on loopback that records every delivery
// with its time, and reports intake throughput and latency, request →
// helper DM latency, escalation lateness, errors and the peak RSS of the
// hulpbot process, as a table and as JSON.
//
// It starts hulpbot itself (-hulpbot PATH, built from ./cmd/hulpbot) with a
// configuration it generates, on a Redis of its own (a redis-server with
// AOF everysec in a temporary directory) unless -redis names one; or it
// measures a hulpbot that is already running (-target URL -config FILE,
// the file written by -write-config).
//
// Scenarios:
//
//	intake      teachers ask for help as fast as hulpbot answers
//	notify      concurrent teachers each go through whole requests for help
//	            (ask → helper DM → "Ik kom eraan" → /hulp klaar)
//	escalation  many offers pending at once, nobody answers: deadline → next
//	            helper's DM
//	scale       the same paced load with 1, 10, 100, 1,000 schools (-scale-schools); cost
//	            per request, idle cost and latency; -plot draws the curve
//	serve       hulpbot and the fake Slack only, for wrk (scripts/bench.sh)
//	ceiling     no hulpbot: the least any intake must do, for wrk beside
//	            hulpbot (-mode=bare|redis|notify|sink; see ceiling.go)
//
// Everything stays on loopback, every loop is bounded by -requests and
// -duration, and hulpbot is stopped (and killed, if need be) at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hulpload:", err)
		os.Exit(1)
	}
}

// scenarioDefaults are the sizes each scenario runs at when the flags do
// not say: the sizes issue 7 names.
var scenarioDefaults = map[string]Options{
	"intake":     {Schools: 100, Helpers: 10, Concurrency: 50, Requests: 1000, Duration: time.Minute, OfferTimeout: 2 * time.Minute},
	"notify":     {Schools: 10, Helpers: 10, Concurrency: 50, Requests: 20000, Duration: 30 * time.Second, OfferTimeout: 2 * time.Minute},
	"escalation": {Schools: 1000, Helpers: 20, Concurrency: 50, Requests: 10000, Duration: 2 * time.Minute, OfferTimeout: 30 * time.Second},
	"scale":      {Helpers: 10, Concurrency: 50, Requests: 100000, Duration: 20 * time.Second, OfferTimeout: 2 * time.Minute, Rate: 50},
	"serve":      {Schools: 1000, Helpers: 10, Concurrency: 1, Requests: 1, Duration: 10 * time.Minute, OfferTimeout: time.Hour},
	"ceiling":    {Schools: 1000, Helpers: 10, Concurrency: 1, Requests: 1, Duration: 10 * time.Minute, OfferTimeout: time.Hour},
}

func parseFlags(args []string, stderr io.Writer) (Options, error) {
	var o Options
	var scale string
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Scenario, "scenario", "notify", "intake | notify | escalation | scale | serve | ceiling")
	fs.IntVar(&o.Schools, "schools", 0, "schools to configure (default per scenario: intake 100, notify 10, escalation 1000, serve 1000)")
	fs.IntVar(&o.Helpers, "helpers", 0, "helpers per school (default 10; escalation 20)")
	fs.IntVar(&o.Pool, "pool", 0, "this many schools in a row share their helpers (the same people), as in a samenwerkingsverband; 0: each school its own")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "teachers in flight at once (default 50)")
	fs.IntVar(&o.Requests, "requests", 0, "at most this many requests for help (default: intake 1000, escalation 10000)")
	fs.DurationVar(&o.Duration, "duration", 0, "at most this long sending (default per scenario; serve, ceiling: how long to stay up)")
	fs.Float64Var(&o.Rate, "rate", -1, "requests for help started per second; 0 = as fast as the teachers in flight allow (default: scale 50, others 0)")
	fs.DurationVar(&o.BurstEvery, "burst-every", 0, "instead: all -concurrency teachers ask at the same moment, once every this long")
	fs.DurationVar(&o.OfferTimeout, "offer-timeout", 0, "hulpbot's offer_timeout (default 2m; escalation 30s; at least 10s)")
	fs.DurationVar(&o.DMTimeout, "dm-timeout", 10*time.Second, "how long a teacher's cycle waits for the helper's DM")
	fs.BoolVar(&o.Cancel, "cancel", false, "teachers withdraw each request once the helper's DM arrived (instead of the helper accepting and closing it)")
	fs.StringVar(&o.Hulpbot, "hulpbot", "", "hulpbot binary to start (go build -o /tmp/hulpbot ./cmd/hulpbot)")
	fs.StringVar(&o.Target, "target", "", "base URL of a hulpbot that is already running (with -config)")
	fs.IntVar(&o.PID, "pid", 0, "pid of the running hulpbot, for RSS and CPU (with -target)")
	fs.StringVar(&o.Config, "config", "", "configuration written by -write-config that the running hulpbot uses (with -target)")
	fs.StringVar(&o.RedisURL, "redis", "", "Redis for the hulpbot hulpload starts, any redis_url (redis+cluster://… for a Redis Cluster; default: a redis-server of its own with AOF everysec)")
	fs.StringVar(&o.FakeAddr, "fake-addr", "127.0.0.1:0", "loopback address of the fake Slack Web API")
	fs.DurationVar(&o.Delay, "slack-delay", 0, "the fake Slack holds each answer this long (Slack's own latency)")
	fs.StringVar(&o.LogLevel, "hulpbot-log-level", "info", "-log-level of the hulpbot hulpload starts")
	fs.StringVar(&scale, "scale-schools", "1,10,100,1000", "school counts of the scale scenario")
	fs.DurationVar(&o.Idle, "idle", 5*time.Second, "scale: how long each point measures the idle cost")
	fs.StringVar(&o.JSON, "json", "", "write the result as JSON to this file")
	fs.StringVar(&o.Plot, "plot", "", "scale: write the curve as PNG to this file (e.g. docs/scale.png)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "-write-config: the address hulpbot listens on; ceiling: the address the ceiling listens on")
	fs.StringVar(&o.WriteConfig, "write-config", "", "write a hulpbot configuration for -schools × -helpers (and -fake-addr, -redis) to this file and exit")
	fs.StringVar(&o.WrkFile, "wrk-file", "", "serve, ceiling: write pre-signed slash commands for wrk.lua to this file")
	fs.IntVar(&o.WrkRequests, "wrk-requests", 50000, "serve, ceiling: how many commands -wrk-file holds")
	fs.StringVar(&o.ReadyFile, "ready-file", "", "serve: write hulpbot's URL and pid (two lines) to this file once it is ready")
	fs.BoolVar(&o.Tidy, "tidy", true, "remove the run's keys at the end from a Redis given with -redis")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (configuration, logs)")
	fs.StringVar(&o.Mode, "mode", "redis", "ceiling: bare (parse and answer) | redis (plus one EVALSHA) | notify (plus one chat POST to -notify-url) | sink (the chat API for notify)")
	fs.StringVar(&o.NotifyURL, "notify-url", "", "ceiling -mode=notify: the chat API every request POSTs to (a -scenario ceiling -mode=sink)")
	if err := fs.Parse(args[1:]); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	d, ok := scenarioDefaults[o.Scenario]
	if !ok {
		return o, fmt.Errorf("-scenario %q: want intake, notify, escalation, scale, serve or ceiling", o.Scenario)
	}
	fill := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&o.Schools, max(d.Schools, 1))
	fill(&o.Helpers, d.Helpers)
	fill(&o.Concurrency, d.Concurrency)
	fill(&o.Requests, d.Requests)
	if o.Duration == 0 {
		o.Duration = d.Duration
	}
	if o.OfferTimeout == 0 {
		o.OfferTimeout = d.OfferTimeout
	}
	if o.Rate < 0 {
		o.Rate = d.Rate
	}
	if o.BurstEvery > 0 {
		// drive takes a negative rate as waves per second.
		o.Rate = -1 / o.BurstEvery.Seconds()
	}
	for _, f := range strings.Split(scale, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-scale-schools %q: want numbers ≥ 1", scale)
		}
		o.ScaleSchools = append(o.ScaleSchools, n)
	}
	switch {
	case o.Schools < 1 || o.Helpers < 1 || o.Concurrency < 1 || o.Requests < 1:
		return o, errors.New("-schools, -helpers, -concurrency and -requests must be at least 1")
	case o.Duration <= 0 || o.Duration > time.Hour:
		return o, errors.New("-duration must be between 0 and 1h")
	case o.OfferTimeout < 10*time.Second || o.OfferTimeout > time.Hour:
		return o, errors.New("-offer-timeout must be between 10s and 1h (hulpbot's bounds)")
	case o.Scenario == "ceiling":
		return o, checkCeiling(o)
	case o.WriteConfig == "" && o.Target == "" && o.Hulpbot == "":
		return o, errors.New("name the hulpbot to measure: -hulpbot PATH (started here) or -target URL -config FILE")
	case o.Target != "" && o.Config == "":
		return o, errors.New("-target needs -config: the file -write-config wrote and hulpbot runs with")
	}
	return o, nil
}

// run is the whole program.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	if o.WriteConfig != "" {
		return writeConfig(o)
	}
	if o.Scenario == "ceiling" {
		return runCeiling(ctx, o, log)
	}

	dir, err := os.MkdirTemp("", "hulpload-")
	if err != nil {
		return err
	}
	if o.Keep {
		log.Info("keeping", "dir", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	r := &runner{o: o, log: log, dir: dir, redis: o.RedisURL}
	if o.Target == "" && r.redis == "" {
		rs, err := startRedis(dir)
		if err != nil {
			return err
		}
		defer rs.stop(5 * time.Second)
		r.redis = rs.url
		log.Info("redis started", "url", rs.url, "aof", "everysec")
	}
	r.res = &Result{
		Scenario: o.Scenario, Started: time.Now().UTC(), Machine: machine(),
		Setup: Setup{
			Schools: o.Schools, Helpers: o.Helpers, Concurrency: o.Concurrency, Requests: o.Requests,
			DurationS: o.Duration.Seconds(), Rate: max(o.Rate, 0), BurstEveryS: o.BurstEvery.Seconds(), OfferTimeout: o.OfferTimeout.String(),
			SlackDelayMS: float64(o.Delay) / 1e6, Redis: redactURL(r.redis, o.RedisURL == "" && o.Target == ""),
			Target: o.Target, LogLevel: o.LogLevel,
		},
	}
	if o.Scenario == "scale" {
		r.res.Setup.Schools = 0
	}
	if o.Target != "" {
		// The running hulpbot's world is what its configuration says.
		l, err := readConfig(o.Config)
		if err != nil {
			return err
		}
		r.res.Setup.Schools, r.res.Setup.Helpers = l.Schools, l.Helpers
		r.res.Setup.OfferTimeout = l.OfferTimeout.String()
		r.res.Setup.Redis = redactURL(l.RedisURL, false)
		r.o.Schools, r.o.Helpers, r.o.OfferTimeout = l.Schools, l.Helpers, l.OfferTimeout
	}
	// However long the scenario, hulpload ends by itself.
	limit := o.Duration + 3*o.OfferTimeout + 5*time.Minute
	if o.Scenario == "scale" {
		limit = time.Duration(len(o.ScaleSchools)) * (o.Duration + o.Idle + 3*time.Minute)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	switch o.Scenario {
	case "intake":
		err = r.intake(ctx)
	case "notify":
		err = r.notify(ctx)
	case "escalation":
		err = r.escalation(ctx)
	case "scale":
		err = r.scale(ctx)
	case "serve":
		err = r.serve(ctx)
	}
	r.res.Errors = r.errs.total()
	r.res.ErrorKinds, r.res.ErrorSamples = r.errs.snapshot()
	printTable(stdout, r.res)
	if o.JSON != "" {
		if jerr := writeJSONFile(o.JSON, r.res); jerr != nil {
			return errors.Join(err, jerr)
		}
	}
	return err
}

// redactURL names a Redis without a password in it.
func redactURL(u string, own bool) string {
	if own {
		return "own redis-server, AOF everysec"
	}
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// writeConfig writes the configuration of a layout, for a hulpbot started
// by hand and measured with -target.
func writeConfig(o Options) error {
	if o.FakeAddr == "" || strings.HasSuffix(o.FakeAddr, ":0") {
		return errors.New("-write-config needs a fixed -fake-addr (e.g. 127.0.0.1:8099): the configuration names it")
	}
	redisURL := o.RedisURL
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	l := Layout{
		Schools: o.Schools, Helpers: o.Helpers, Pool: o.Pool, Listen: o.Listen, RedisURL: redisURL,
		RedisPrefix: "hl" + randomHex(4), OfferTimeout: o.OfferTimeout, FollowUp: time.Hour,
		Secret: "hulpload" + randomHex(12), APIURL: "http://" + o.FakeAddr + "/api/",
	}
	b, err := l.Config()
	if err != nil {
		return err
	}
	return os.WriteFile(o.WriteConfig, b, 0o600)
}
