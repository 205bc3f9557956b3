// Command hulpbot routes a teacher's "/hulp groep 5" to the youth care
// worker or CJG coach who is available now.
//
// Without flags it starts the terminal chat with a demo school on an
// embedded Redis (or on REDIS_URL when set). With -config it serves the
// platforms, health and metrics named in the file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Amsterdam also in a scratch container

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters"
	"github.com/hulpbot/hulpbot/adapters/metrics"
	"github.com/hulpbot/hulpbot/adapters/outbox"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/shell"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/config"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
	"github.com/hulpbot/hulpbot/scheduler"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hulpbot:", err)
		os.Exit(1)
	}
}

type options struct {
	config      string
	checkConfig string
	logFormat   string
	logLevel    string
	shell       bool
	school      string
	now         string
	pprof       string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "configuration file (YAML); without it the terminal chat starts with a demo school")
	fs.StringVar(&o.checkConfig, "check-config", "", "validate this configuration file and exit")
	fs.StringVar(&o.logFormat, "log-format", "", "log format: text or json (default: the config's log_format, else text)")
	fs.StringVar(&o.logLevel, "log-level", "", "log level: debug, info, warn, error (default info; warn in the terminal chat)")
	fs.BoolVar(&o.shell, "shell", false, "also start the terminal chat when a configuration is given")
	fs.StringVar(&o.school, "school", "", "school id for the terminal chat (default: the first school)")
	fs.StringVar(&o.pprof, "pprof", "", "serve Go's profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; keep it off public interfaces (default: $HULPBOT_PPROF, else off)")
	fs.StringVar(&o.now, "now", "", `run the clock from this moment, e.g. "2026-12-04T16:00" (Europe/Amsterdam), to try weekly posts and deadlines in a demo`)
	if err := fs.Parse(args[1:]); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// run is the whole program, with its outside world passed in so tests can
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "mattermost-setup" {
		return runMattermostSetup(ctx, args[2:], getenv, stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.checkConfig != "" {
		cfg, err := config.Load(o.checkConfig, getenv)
		if err == nil {
			_, err = cfg.Directory()
		}
		if err != nil {
			return fmt.Errorf("%s:\n%w", o.checkConfig, err)
		}
		fmt.Fprintf(stdout, "%s: ok (%d schools)\n", o.checkConfig, len(cfg.Schools))
		return nil
	}

	var cfg *config.Config
	loaded := func() {}
	if o.config != "" {
		// Reading a large configuration (a thousand schools) makes garbage
		// many times its size: collect often while it and the directory
		// built from it are made, so the process's peak memory stays near
		// what it keeps, then give the garbage's pages back to the system.
		gc := debug.SetGCPercent(2)
		loaded = sync.OnceFunc(func() {
			debug.SetGCPercent(gc)
			debug.FreeOSMemory()
		})
		defer loaded() // also when the configuration is refused
		cfg, err = config.Load(o.config, getenv)
		if err != nil {
			return fmt.Errorf("%s:\n%w", o.config, err)
		}
	} else {
		cfg = config.Demo()
		cfg.ApplyEnv(getenv) // REDIS_URL, HULPBOT_LISTEN
	}
	if o.pprof == "" {
		o.pprof = getenv("HULPBOT_PPROF")
	}
	withShell := o.config == "" || o.shell || (cfg.Mattermost == nil && cfg.Slack == nil)

	log, err := newLogger(stderr, pick(o.logFormat, cfg.LogFormat, "text"), pick(o.logLevel, map[bool]string{true: "warn", false: "info"}[withShell]))
	if err != nil {
		return err
	}
	dir, err := cfg.Directory()
	if err != nil {
		return err
	}
	loaded()
	clock, err := newClock(o.now)
	if err != nil {
		return err
	}

	rdb, closeRedis, err := openRedis(cfg.RedisURL, o.config == "", log)
	if err != nil {
		return err
	}
	defer closeRedis()
	if err := rdb.Ping(ctx).Err(); err != nil {
		// Not fatal: intake answers with the fallback instruction and /readyz
		// fails until Redis is back.
		log.Warn("redis unreachable at start", "err", err)
	}
	store := redisstore.New(rdb, cfg.RedisPrefix, log)
	migrateHelperStates(ctx, store, dir, log)

	senders := adapters.Senders{}
	var chat *shell.Chat
	if withShell {
		sc, err := shellSchool(dir, o.school)
		if err != nil {
			return err
		}
		chat = shell.New(sc, stdout, !isTerminal(stdin), log)
		senders[bot.Shell] = chat
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every message reaches a platform through the outbox: the notices a
	// change owes are queued by the change itself, and delivered, retried
	// and de-duplicated in one place. The demo's terminal chat gets them in
	// the same call, so they print before the next prompt.
	ids := make([]string, 0, len(dir.Schools()))
	for _, sc := range dir.Schools() {
		ids = append(ids, sc.ID)
	}
	box := outbox.New(rdb, cfg.RedisPrefix, ids, senders, clock, outbox.Options{Lease: cfg.DeliveryLease.Duration, Sync: o.config == ""}, log)
	var deliver message.Sender = box
	store.SetCourier(box)
	svc := bot.NewService(store, metrics.NewObserver(reg), log)
	box.SetRenderer(catalog.NewNoticeRenderer(dir, svc))
	weekly := newWeekly(store, log)
	cmds := handlers.New(svc, clock, log, handlers.WithWeekly(weekly, deliver))

	mux := routes(store, reg)
	var bg sync.WaitGroup
	platCtx, stopPlatforms := context.WithCancel(ctx)
	defer func() { stopPlatforms(); bg.Wait() }()
	deps := platformDeps{cfg: cfg, dir: dir, cmds: cmds, rdb: rdb, log: log, mux: mux, getenv: getenv,
		background: func(f func()) { bg.Go(f) }}
	for _, p := range platforms {
		if !p.enabled(cfg) {
			continue
		}
		sender, err := p.setup(platCtx, deps)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		senders[p.name] = sender
	}

	// Stopped after the sweeper (defers run in reverse), so what the sweeper
	// queues last is still delivered.
	boxCtx, stopBox := context.WithCancel(ctx)
	boxDone := make(chan struct{})
	go func() { defer close(boxDone); box.Run(boxCtx) }()
	defer func() { stopBox(); <-boxDone }()

	// Requests for help whose create had an unknown outcome (Redis stalled)
	// are looked up again, and their teachers told if they went through.
	if err := store.SyncClock(ctx); err != nil {
		log.Warn("clock of redis not measured", "err", err)
	}
	recCtx, stopRec := context.WithCancel(ctx)
	recDone := make(chan struct{})
	go func() { defer close(recDone); store.Reconcile(recCtx, 500*time.Millisecond) }()
	defer func() { stopRec(); <-recDone }()

	// The sweeper moves offers on after their deadline. It wakes at the
	// next deadline it knows of, and looks once a second for deadlines made
	// since: those lie at least offer_timeout (10 s or more) ahead, so none
	// is missed. It stops after the HTTP server and before Redis closes
	// (the deferred close runs last).
	sweepCtx, stopSweep := context.WithCancel(ctx)
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		scheduler.NewSweeper(dir, svc, clock, time.Second, log).Run(sweepCtx)
	}()
	defer func() { stopSweep(); <-sweepDone }()

	// The weekly rhythm: kernteam reminder, success stories, digest.
	stopWeekly, err := startWeekly(ctx, weeklyDeps{
		dir: dir, weekly: weekly, store: store, send: deliver,
		platforms: slices.Sorted(maps.Keys(senders)), feeds: cfg.HolidayFeeds, log: log, now: clock,
	})
	if err != nil {
		return err
	}
	defer stopWeekly()

	if o.pprof != "" {
		stop, err := servePprof(o.pprof, log)
		if err != nil {
			return err
		}
		defer stop()
	}

	var srv *http.Server
	serveErr := make(chan error, 1)
	if o.config != "" {
		srv = &http.Server{
			Addr:              cfg.Listen,
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx },
		}
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		log.Info("serving", "addr", ln.Addr().String(), "schools", len(dir.Schools()))
		go func() { serveErr <- srv.Serve(ln) }()
	}

	if chat != nil {
		err = chat.Run(ctx, stdin, cmds)
	} else {
		select {
		case <-ctx.Done():
		case err = <-serveErr:
		}
	}
	if srv != nil {
		// Stop accepting, let running requests finish, then the deferred
		// Redis close runs.
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if serr := srv.Shutdown(shutCtx); serr != nil {
			log.Warn("shutdown", "err", serr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// migrateHelperStates moves helper states kept by earlier versions (a hash
// per helper) into each school's helpers hash. A failure is logged: those
// helpers then count as available and free until the next start migrates
// them.
func migrateHelperStates(ctx context.Context, store *redisstore.Store, dir *bot.Directory, log *slog.Logger) {
	moved := 0
	for _, sc := range dir.Schools() {
		ids := make([]string, len(sc.Helpers))
		for i, h := range sc.Helpers {
			ids[i] = h.ID
		}
		n, err := store.MigrateHelperStates(ctx, sc.ID, ids)
		if err != nil {
			log.Warn("helper states of an earlier version not migrated", "school", sc.ID, "err", err)
			return
		}
		moved += n
	}
	if moved > 0 {
		log.Info("helper states migrated", "helpers", moved)
	}
}

// newClock is the program's clock: time.Now, or running from the moment
// given with -now (a demo that wants Friday 16:00 now).
func newClock(from string) (func() time.Time, error) {
	if from == "" {
		return time.Now, nil
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return nil, err
	}
	start, err := time.ParseInLocation("2006-01-02T15:04", from, ams)
	if err != nil {
		return nil, fmt.Errorf("-now %q: want a moment like 2026-12-04T16:00", from)
	}
	offset := time.Until(start)
	return func() time.Time { return time.Now().Add(offset) }, nil
}

func routes(store *redisstore.Store, reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// openRedis connects to url; an empty url starts an embedded Redis, which is
// only allowed for the demo (never in place of Redis in a deployment).
func openRedis(url string, demo bool, log *slog.Logger) (redis.UniversalClient, func(), error) {
	if url == "" {
		if !demo {
			return nil, nil, errors.New("redis_url is empty: a configured hulpbot needs a real Redis")
		}
		mr := miniredis.NewMiniRedis()
		if err := mr.Start(); err != nil {
			return nil, nil, fmt.Errorf("start embedded redis: %w", err)
		}
		log.Info("embedded redis", "addr", mr.Addr())
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		return rdb, func() { _ = rdb.Close(); mr.Close() }, nil
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("redis_url: %w", err)
	}
	// Short timeouts: a teacher waits for the answer, and a dead Redis must
	// turn into the fallback message within a second, not after a minute.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.MaxRetries = 1
	if opts.PoolSize == 0 {
		// Intake, the sweeper and 32 outbox deliveries share the pool; the
		// default (10 per CPU) made deliveries queue for a connection.
		opts.PoolSize = 64
	}
	// hulpbot's commands and replies are small (a message is a few kB;
	// the largest pipeline, one look over a thousand schools, some 100
	// kB): small buffers per connection keep 64 connections from costing
	// megabytes (go-redis gives each 32 kB + 32 kB, a pipeline's 128 +
	// 128 kB).
	if opts.ReadBufferSize == 0 {
		opts.ReadBufferSize, opts.WriteBufferSize = 8<<10, 8<<10
		opts.PipelineReadBufferSize, opts.PipelineWriteBufferSize = 32<<10, 32<<10
	}
	rdb := redis.NewClient(opts)
	return rdb, func() { _ = rdb.Close() }, nil
}

func shellSchool(dir *bot.Directory, id string) (*bot.School, error) {
	if id == "" {
		if len(dir.Schools()) == 0 {
			return nil, errors.New("no schools configured")
		}
		return dir.Schools()[0], nil
	}
	sc, ok := dir.School(id)
	if !ok {
		return nil, fmt.Errorf("-school %q: no such school", id)
	}
	return sc, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func pick(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
