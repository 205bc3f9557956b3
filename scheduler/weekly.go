package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// WeeklyUseCases is what the weekly jobs need of the core (bot.Weekly).
type WeeklyUseCases interface {
	Plan(s *bot.School, job bot.Job, at time.Time) bot.Tick
	Agenda(ctx context.Context, s *bot.School, t bot.Tick) (bot.Agenda, error)
	AgendaPosted(ctx context.Context, s *bot.School, a bot.Agenda) error
	Successes(ctx context.Context, s *bot.School, week string) ([]bot.Story, error)
	Report(ctx context.Context, s *bot.School, week string) (bot.WeekReport, error)
}

var _ WeeklyUseCases = (*bot.Weekly)(nil)

// Leases let replicas agree who runs a tick: Lease is true for exactly one
// caller per school and name until ttl has passed (redisstore.Store).
type Leases interface {
	Lease(ctx context.Context, school, name string, ttl time.Duration) (bool, error)
}

// Defaults of WeeklyOptions.
const (
	// DefaultCatchUp: a replica that starts (or fires late) within this
	// long after a tick still runs it — once, thanks to the lease.
	DefaultCatchUp = 15 * time.Minute
	// DefaultLeaseTTL keeps a tick's lease well beyond the catch-up window
	// and any run, and beyond the repeated hour when summer time ends.
	DefaultLeaseTTL = 48 * time.Hour
	// sendAttempts and sendBackoff retry a post whose delivery failed.
	sendAttempts = 3
	sendBackoff  = 2 * time.Second
	// stopGrace is how long Stop lets running jobs finish before it
	// cancels them.
	stopGrace = 10 * time.Second
)

// WeeklyOptions wire the weekly jobs.
type WeeklyOptions struct {
	Schools  *bot.Directory
	UseCases WeeklyUseCases
	Leases   Leases
	Send     message.Sender
	// Platforms are the platforms hulpbot posts on: a school gets its
	// posts on each of them it is linked to (Mattermost team, Slack
	// workspace); other platforms (the terminal chat) get every school's.
	Platforms []bot.Platform
	Now       func() time.Time // time.Now when nil; may run ahead (-now)
	Log       *slog.Logger
	CatchUp   time.Duration // DefaultCatchUp when 0
	LeaseTTL  time.Duration // DefaultLeaseTTL when 0
	// Parse parses a job's cron expression; cron.ParseStandard when nil
	// (tests pass a parser with seconds).
	Parse func(spec string) (cron.Schedule, error)
}

// Weekly runs the weekly jobs of every school (bot.Jobs): one robfig/cron
// for all schools, each job's schedule pinned to its school's time zone and
// wrapped in Recover and SkipIfStillRunning (one scheduler and goroutine,
// not one per school: a thousand schools cost entries, not goroutines). Every replica runs the same crons; a Redis lease per
// job, school and scheduled time lets exactly one of them post.
type Weekly struct {
	o   WeeklyOptions
	log *slog.Logger

	mu      sync.Mutex
	cron    *cron.Cron
	running sync.WaitGroup // catch-up runs
	cancel  context.CancelFunc
}

// NewWeekly returns the weekly jobs; Start starts them.
func NewWeekly(o WeeklyOptions) *Weekly {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.CatchUp <= 0 {
		o.CatchUp = DefaultCatchUp
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.Parse == nil {
		o.Parse = cron.ParseStandard
	}
	return &Weekly{o: o, log: o.Log.With("component", "weekly")}
}

// Outcome is what one tick came to.
type Outcome string

// Outcomes of RunTick.
const (
	Posted  Outcome = "posted"  // this replica posted
	Closed  Outcome = "closed"  // the school is closed: nothing posted
	Taken   Outcome = "taken"   // another replica has the tick
	Nothing Outcome = "nothing" // nothing to post (no success stories)
	Failed  Outcome = "failed"
)

// Start sets up the crons and runs, in the background, any tick missed
// within the catch-up window (a restart at 16:05 still sends the digest of
// 16:00, once). Jobs run until Stop; ctx only gives them its values.
func (w *Weekly) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		return errors.New("weekly: started twice")
	}
	jobCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	// A clock that runs ahead (the demo's -now) shifts the schedules, so
	// cron fires when that clock reaches a tick.
	off := w.o.Now().Sub(time.Now()).Round(time.Second)
	if off > -2*time.Second && off < 2*time.Second {
		off = 0
	}
	cl := cronLog{w.log}
	type due struct {
		sc  *bot.School
		job bot.Job
		at  time.Time
	}
	var catchUp []due
	c := cron.New(cron.WithLogger(cl), cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	for _, sc := range w.o.Schools.Schools() {
		for _, job := range bot.Jobs {
			spec, ok := sc.JobSpec(job)
			if !ok {
				continue
			}
			sched, err := parseIn(w.o.Parse, spec, sc.Location)
			if err != nil {
				cancel()
				return fmt.Errorf("weekly: school %s, %s: %w", sc.ID, job, err)
			}
			var entry cron.Schedule = sched
			if off != 0 {
				entry = shifted{Schedule: sched, off: off}
			}
			c.Schedule(entry, cron.FuncJob(func() { w.fire(jobCtx, sc, job, sched) }))
			if at, ok := LatestTick(sched, w.o.Now(), w.o.CatchUp); ok {
				catchUp = append(catchUp, due{sc, job, at})
			}
			w.log.Debug("job scheduled", "school", sc.ID, "job", job, "cron", spec, "next", sched.Next(w.o.Now()).Format(time.RFC3339))
		}
	}
	w.log.Info("weekly jobs scheduled", "schools", len(w.o.Schools.Schools()), "jobs", len(c.Entries()))
	c.Start()
	w.cron, w.cancel = c, cancel
	for _, d := range catchUp {
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			w.log.Info("catching up a tick", "school", d.sc.ID, "job", d.job, "tick", d.at.Format(time.RFC3339))
			w.runLogged(jobCtx, d.sc, d.job, d.at)
		}()
	}
	return nil
}

// Stop stops the crons and waits for running jobs: up to stopGrace, then
// it cancels them and waits for them to return.
func (w *Weekly) Stop() {
	w.mu.Lock()
	c, cancel := w.cron, w.cancel
	w.cron = nil
	w.mu.Unlock()
	if cancel == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		if c != nil {
			<-c.Stop().Done()
		}
		w.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		w.log.Warn("weekly jobs still running at shutdown: cancelling them")
		cancel()
		<-done
	}
	cancel()
}

// fire is what cron runs: the tick is the latest time sched fires at or
// before now.
func (w *Weekly) fire(ctx context.Context, sc *bot.School, job bot.Job, sched cron.Schedule) {
	at, ok := LatestTick(sched, w.o.Now(), w.o.CatchUp)
	if !ok {
		w.log.Warn("job fired without a tick in the catch-up window", "school", sc.ID, "job", job)
		return
	}
	w.runLogged(ctx, sc, job, at)
}

func (w *Weekly) runLogged(ctx context.Context, sc *bot.School, job bot.Job, at time.Time) {
	out, err := w.RunTick(ctx, sc, job, at)
	log := w.log.With("school", sc.ID, "job", job, "tick", at.In(sc.Location).Format(time.RFC3339), "outcome", out)
	if err != nil {
		log.Error("weekly job", "err", err)
		return
	}
	log.Info("weekly job")
}

// RunTick runs job of school sc for the tick scheduled at at: nothing
// while the school is closed; else, for the one caller that gets the
// tick's lease, the post to every recipient.
func (w *Weekly) RunTick(ctx context.Context, sc *bot.School, job bot.Job, at time.Time) (Outcome, error) {
	tick := w.o.UseCases.Plan(sc, job, at)
	if tick.Closed {
		return Closed, nil
	}
	key := tick.Key(sc.Location)
	got, err := w.o.Leases.Lease(ctx, sc.ID, key, w.o.LeaseTTL)
	if err != nil {
		return Failed, fmt.Errorf("lease %s: %w", key, err)
	}
	if !got {
		return Taken, nil
	}
	msgs, after, err := w.compose(ctx, sc, tick)
	if err != nil {
		return Failed, err
	}
	if len(msgs) == 0 {
		return Nothing, nil
	}
	var errs []error
	for _, m := range msgs {
		m.SchoolID = sc.ID
		m.Key = "weekly/" + sc.ID + "/" + key + "/" + m.To.String() + "#" + m.To.Channel
		if err := w.send(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Failed, err
	}
	if after != nil {
		if err := after(ctx); err != nil {
			return Posted, err
		}
	}
	return Posted, nil
}

// compose renders the tick's post and addresses it; after, when set, runs
// once everything is delivered.
func (w *Weekly) compose(ctx context.Context, sc *bot.School, t bot.Tick) (msgs []message.Message, after func(context.Context) error, err error) {
	switch t.Job {
	case bot.JobReminder:
		a, err := w.o.UseCases.Agenda(ctx, sc, t)
		if err != nil {
			return nil, nil, err
		}
		m := handlers.RenderReminder(sc, a)
		return w.toChannel(sc, sc.Kernteam.Channel, m), func(ctx context.Context) error { return w.o.UseCases.AgendaPosted(ctx, sc, a) }, nil
	case bot.JobSuccesses:
		stories, err := w.o.UseCases.Successes(ctx, sc, t.Week)
		if err != nil || len(stories) == 0 {
			return nil, nil, err
		}
		return w.toChannel(sc, sc.SuccessChannel(), handlers.RenderSuccesses(sc, stories)), nil, nil
	case bot.JobDigest:
		r, err := w.o.UseCases.Report(ctx, sc, t.Week)
		if err != nil {
			return nil, nil, err
		}
		m, err := handlers.RenderDigest(sc, r, false)
		if err != nil {
			// The figures go out; only the chart is missing.
			w.log.Error("digest chart", "school", sc.ID, "err", err)
		}
		if sc.Digest.Channel != "" {
			return w.toChannel(sc, sc.Digest.Channel, m), nil, nil
		}
		return w.toCoordinators(sc, m), nil, nil
	}
	return nil, nil, fmt.Errorf("unknown job %q", t.Job)
}

// platforms are the platforms a school's posts go to.
func (w *Weekly) platforms(sc *bot.School) []bot.Platform {
	var out []bot.Platform
	for _, p := range w.o.Platforms {
		switch {
		case p == bot.Mattermost && sc.MattermostTeam == "",
			p == bot.Slack && sc.SlackTeam == "":
			continue
		}
		out = append(out, p)
	}
	return out
}

// toChannel addresses m to channel on each of the school's platforms.
func (w *Weekly) toChannel(sc *bot.School, channel string, m message.Message) []message.Message {
	var out []message.Message
	for _, p := range w.platforms(sc) {
		c := m
		c.To = bot.Recipient{Address: bot.Address{Platform: p}, Channel: channel}
		out = append(out, c)
	}
	return out
}

// toCoordinators addresses m to each coordinator, once, on the first of
// the school's platforms they have an account on.
func (w *Weekly) toCoordinators(sc *bot.School, m message.Message) []message.Message {
	var out []message.Message
	for _, co := range sc.Coordinators {
		for _, p := range w.platforms(sc) {
			if h := co.Accounts.On(p); h != "" {
				c := m
				c.To = bot.Recipient{Address: bot.Address{Platform: p, Handle: h}}
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// send delivers m, trying again after a failure that may pass.
func (w *Weekly) send(ctx context.Context, m message.Message) error {
	var err error
	for attempt := 1; attempt <= sendAttempts; attempt++ {
		if err = w.o.Send.Send(ctx, m); err == nil {
			return nil
		}
		if attempt == sendAttempts || errors.Is(err, message.ErrPermanent) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("send %s: %w (after %v)", m.Key, ctx.Err(), err)
		case <-time.After(retryDelay(attempt, err)):
		}
	}
	return fmt.Errorf("send %s: %w", m.Key, err)
}

// retryDelay is how long to wait before attempt+1: what the platform asked
// for (Retry-After), else a growing backoff.
func retryDelay(attempt int, err error) time.Duration {
	var ra *message.RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		return ra.After
	}
	return time.Duration(attempt) * sendBackoff
}
