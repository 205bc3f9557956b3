// Command hulpbot routes a teacher's "/hulp groep 5" to the youth care
// worker or CJG coach who is available now.
//
// Without flags it starts the terminal chat with a demo school on an
// embedded Redis (or on REDIS_URL when set); demo.go says what that run
// is. With -config it serves the platforms, health and metrics named in
// the file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Amsterdam also in a scratch container

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
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
	"github.com/hulpbot/hulpbot/internal/httpserve"
	"github.com/hulpbot/hulpbot/internal/personlang"
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

// run is the whole program, with its outside world passed in so tests can
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "mattermost-setup" {
		return runMattermostSetup(ctx, args[2:], getenv, stdout, stderr)
	}
	if len(args) > 1 && args[1] == "privacy" {
		return runPrivacy(ctx, args[2:], getenv, stdout, stderr)
	}
	m := NewMain(getenv, stdin, stdout, stderr)
	if err := m.ParseFlags(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if m.opts.checkConfig != "" {
		return m.CheckConfig()
	}
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		return err
	}
	err := m.Wait(ctx)
	if cerr := m.Close(); cerr != nil {
		m.log.Warn("shutdown", "err", cerr)
	}
	m.log.Info("stopped")
	return err
}

// Main is the program. ParseFlags reads the command line and the
// configuration; Run opens the parts in order and starts them; Wait lasts
// as long as the program does (the terminal chat, or the server until its
// context ends); Close stops the parts in the reverse order.
type Main struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// Read by ParseFlags.
	opts options
	cfg  *config.Config
	dir  *bot.Directory
	log  *slog.Logger
	now  func() time.Time
	// names is how the log names people: by pseudonym, once Run opened
	// the store.
	names pseudonyms

	// Opened by Run, in this order.
	closeRedis     func()
	chat           *shell.Chat // the terminal chat, when it runs
	cmds           *handlers.Handler
	stopPlatforms  func()
	stopOutbox     func()
	stopReconciler func()
	stopSweeper    func()
	stopWeekly     func()
	stopPprof      func()
	servers        []*httpserve.Server // the platform listener, the internal one
	serveErr       chan error
}

// NewMain returns the program with its outside world.
func NewMain(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) *Main {
	return &Main{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.DiscardHandler)}
}

// Run opens the parts in order and starts them: Redis and the store, the
// terminal chat, the command layer, the chat platforms, the outbox, the
// reconciler, the sweeper, the weekly jobs, the profiles and the HTTP
// server. On an error, Close stops what was started.
func (m *Main) Run(ctx context.Context) error {
	rdb, closeRedis, err := m.openRedis()
	if err != nil {
		return err
	}
	m.closeRedis = closeRedis
	if err := rdb.Ping(ctx).Err(); err != nil {
		// Not fatal: intake answers with the fallback instruction and /readyz
		// fails until Redis is back.
		m.log.Warn("redis unreachable at start", "err", err)
	}
	store := redisstore.New(rdb, m.cfg.RedisPrefix, m.log)
	if err := store.SetStatsTTL(m.cfg.Retention.StatisticsOrDefault()); err != nil {
		return err // validation keeps it at least MinStatisticsRetention
	}
	store.SetNoteGrace(m.cfg.Privacy.NoteGraceOrDefault())
	store.SetAuditRetention(m.cfg.Privacy.AuditRetentionOrDefault())
	// A helper at several schools is one person: their schools share keys.
	store.UsePools(m.dir)
	m.names.names.Store(store.Pseudonyms())
	_ = store.Pseudonyms().Load(ctx)                          // else on first use
	_ = store.MigrateLayout(ctx, m.dir)                       // logged; not fatal
	_, _ = store.MigrateAllHelperStates(ctx, m.dir.Schools()) // logged; not fatal
	_, _ = store.MigrateRequesterIndexes(ctx)                 // logged; not fatal
	_, _, _ = store.MigrateDoneNotes(ctx, m.now())            // logged; not fatal
	if _, err := store.RaiseStatsTTL(ctx, schoolIDs(m.dir), m.now()); err != nil {
		// Not fatal: counters written from now on get the longer TTL.
		m.log.Warn("statistics written before not kept longer", "err", err)
	}

	senders := adapters.Senders{}
	if m.opts.withShell(m.cfg) {
		if m.chat, err = newChat(m.dir, m.opts.school, m.stdin, m.stdout, m.log); err != nil {
			return err
		}
		senders[shell.Platform] = m.chat
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every message reaches a platform through the outbox: the notices a
	// change owes are queued by the change itself, and delivered, retried
	// and de-duplicated in one place.
	box := outbox.New(rdb, m.cfg.RedisPrefix, schoolIDs(m.dir), senders, m.now,
		outbox.Options{Lease: m.cfg.Lease(), Sync: m.demo()}, m.log)
	box.SetBases(store)
	store.SetCourier(box)
	weekly := newWeekly(store, m.log)
	// The holidays the weekly posts skip are the days a consult's deadline
	// skips too.
	svc := bot.NewService(store, metrics.NewObserver(reg), m.log, bot.WithCalendar(weekly.Calendar()))
	svc.UseDirectory(m.dir) // a status passes on an offer at any school of the helper's
	renderer := catalog.NewNoticeRenderer(m.dir, svc)
	// A person's language, where the school allows both, as the platform
	// adapters keep it.
	langs := personlang.New(rdb, m.cfg.RedisPrefix, store.Pseudonyms(), m.log)
	renderer.UseLanguages(langs)
	box.SetRenderer(renderer)
	mux := routes(store)
	opts := []handlers.Option{handlers.WithWeekly(weekly, box), handlers.WithClosing(bot.NewClosings(store, m.log)), handlers.WithAudit(store),
		handlers.WithConsults(svc), handlers.WithSurveys(bot.NewSurveyRuns(store, m.log))}
	if o := m.openYearPage(rdb, store, mux, box, langs); o != nil {
		opts = append(opts, o)
	}
	m.cmds = handlers.New(svc, m.now, m.log, opts...)

	if err := m.openPlatforms(ctx, rdb, mux, senders); err != nil {
		return err
	}
	m.stopOutbox = goUntilStopped(ctx, box.Run)

	// Requests for help whose create had an unknown outcome (Redis stalled)
	// are looked up again, and their teachers told if they went through.
	if err := store.SyncClock(ctx); err != nil {
		m.log.Warn("clock of redis not measured", "err", err)
	}
	m.stopReconciler = goUntilStopped(ctx, func(ctx context.Context) { store.Reconcile(ctx, 500*time.Millisecond) })

	// The sweeper moves offers on after their deadline. It wakes at the
	// next deadline it knows of, and looks once a second for deadlines made
	// since: those lie at least offer_timeout (10 s or more) ahead, so none
	// is missed. It looks at the store's due index, two commands whatever
	// the number of schools, and at every school at start and every
	// scheduler.FullLookEvery.
	sweeper := scheduler.NewSweeper(m.dir, svc, m.now, time.Second, m.log)
	sweeper.UseDueIndex(store)
	m.stopSweeper = goUntilStopped(ctx, sweeper.Run)

	// The weekly rhythm: kernteam reminder, success stories, digest.
	if m.stopWeekly, err = startWeekly(ctx, weeklyDeps{
		dir: m.dir, weekly: weekly, store: store, send: box,
		platforms: slices.Sorted(maps.Keys(senders)), feeds: m.cfg.HolidayFeeds, log: m.log, now: m.now, langs: langs,
	}); err != nil {
		return err
	}

	if m.opts.pprof != "" {
		if m.stopPprof, err = m.servePprof(m.opts.pprof); err != nil {
			return err
		}
	}
	if !m.demo() {
		return m.serve(ctx, mux, internalRoutes(store, reg))
	}
	return nil
}

// openPlatforms sets up the chat platforms the configuration enables: their
// endpoints on mux, their senders in senders, their background work until
// stopPlatforms.
func (m *Main) openPlatforms(ctx context.Context, rdb redis.UniversalClient, mux *http.ServeMux, senders adapters.Senders) error {
	ctx, cancel := context.WithCancel(ctx)
	var bg sync.WaitGroup
	m.stopPlatforms = func() { cancel(); bg.Wait() }
	deps := platformDeps{cfg: m.cfg, dir: m.dir, cmds: m.cmds, rdb: rdb, names: m.names.names.Load(), log: m.log, mux: mux, getenv: m.getenv,
		background: func(f func()) { bg.Go(f) }}
	for _, p := range platforms {
		if !p.enabled(m.cfg) {
			continue
		}
		sender, err := p.setup(ctx, deps)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		senders[p.name] = sender
	}
	return nil
}

// Wait runs the terminal chat until its input ends, or else serves until
// ctx ends or the server fails.
func (m *Main) Wait(ctx context.Context) error {
	var err error
	if m.chat != nil {
		err = m.chat.Run(ctx, m.stdin, m.cmds)
	} else {
		select {
		case <-ctx.Done():
		case err = <-m.serveErr:
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops the parts in the reverse of their start: the HTTP server
// stops accepting and lets running requests finish; then the profiles,
// the weekly jobs, the sweeper, the reconciler, the outbox (after the
// sweeper, so what the sweeper queued last is still delivered), the
// platforms' background work (the outbox sends through it), and Redis
// last. A second Close does nothing.
func (m *Main) Close() error {
	err := m.shutdown()
	for _, stop := range []*func(){&m.stopPprof, &m.stopWeekly, &m.stopSweeper, &m.stopReconciler,
		&m.stopOutbox, &m.stopPlatforms, &m.closeRedis} {
		if *stop != nil {
			(*stop)()
			*stop = nil
		}
	}
	return err
}

// goUntilStopped runs f in a goroutine; stop ends f's context and waits
// for f to return.
func goUntilStopped(ctx context.Context, f func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f(ctx) }()
	return func() { cancel(); <-done }
}

func schoolIDs(dir *bot.Directory) []string {
	ids := make([]string, 0, len(dir.Schools()))
	for _, sc := range dir.Schools() {
		ids = append(ids, sc.ID)
	}
	return ids
}
