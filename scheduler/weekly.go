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
	"github.com/hulpbot/hulpbot/message"
)

// WeeklyUseCases is what the weekly jobs need of the core (bot.Weekly): what
// a tick is about, and whether the school is closed then.
type WeeklyUseCases interface {
	Plan(s *bot.School, job bot.Job, at time.Time) bot.Tick
}

var _ WeeklyUseCases = (*bot.Weekly)(nil)

// Composer puts a tick's posts together, worded and addressed, each with
// the key it is delivered once under (catalog.WeeklyPosts): the scheduler
// only queues them. done, when set, runs once every post is queued.
type Composer interface {
	Compose(ctx context.Context, sc *bot.School, t bot.Tick) (posts []message.Message, done func(context.Context) error, err error)
}

// Leases let replicas agree who runs a tick: Lease is true for exactly one
// caller per school and name until ttl has passed (redisstore.Store).
type Leases interface {
	Lease(ctx context.Context, school, name string, ttl time.Duration) (bool, error)
}

// LeaseReleaser is what Leases may also do: give a lease back before its
// ttl. Stop gives back the lease of a tick whose posts could not all be
// queued, so a replica that starts within the catch-up window runs it.
// Without it such a tick is lost when this replica stops before a retry
// succeeds (logged at error).
type LeaseReleaser interface {
	Release(ctx context.Context, school, name string) error
}

// Defaults of WeeklyOptions.
const (
	// DefaultCatchUp: a replica that starts (or fires late) within this
	// long after a tick still runs it — once, thanks to the lease.
	DefaultCatchUp = 15 * time.Minute
	// DefaultLeaseTTL keeps a tick's lease well beyond the catch-up window
	// and any run, and beyond the repeated hour when summer time ends.
	DefaultLeaseTTL = 48 * time.Hour
	// DefaultTickRetry is how long after a failed tick (its posts not
	// queued: Redis down) it is run again, within the catch-up window.
	DefaultTickRetry = time.Minute
	// releaseTimeout bounds giving back a lease at Stop.
	releaseTimeout = 5 * time.Second
	// stopGrace is how long Stop lets running jobs finish before it
	// cancels them.
	stopGrace = 10 * time.Second
)

// WeeklyOptions wire the weekly jobs.
type WeeklyOptions struct {
	Schools  *bot.Directory
	UseCases WeeklyUseCases
	Posts    Composer
	Leases   Leases
	// Send queues the posts: the outbox, the one path to a platform.
	Send      message.Sender
	Now       func() time.Time // time.Now when nil; may run ahead (-now)
	Log       *slog.Logger
	CatchUp   time.Duration // DefaultCatchUp when 0
	LeaseTTL  time.Duration // DefaultLeaseTTL when 0
	TickRetry time.Duration // DefaultTickRetry when 0
	// Parse parses a job's cron expression; cron.ParseStandard when nil
	// (tests pass a parser with seconds).
	Parse func(spec string) (cron.Schedule, error)
}

// WeeklyJobs runs the weekly jobs of every school (bot.Jobs): one robfig/cron
// for all schools, each job's schedule pinned to its school's time zone and
// wrapped in Recover and SkipIfStillRunning (one scheduler and goroutine,
// not one per school: a thousand schools cost entries, not goroutines).
// Every replica runs the same crons; a Redis lease per job, school and
// scheduled time lets exactly one of them post.
//
// Posting is queuing in the outbox, which delivers and retries. A tick that
// fails for want of Redis (its lease, its figures or its posts) runs again
// after TickRetry, as long as it is within the catch-up window; when this
// replica holds its lease already, the run again keeps it. Messages queued
// by an earlier run are not queued twice (the outbox knows their keys).
type WeeklyJobs struct {
	o   WeeklyOptions
	log *slog.Logger

	mu       sync.Mutex
	cron     *cron.Cron
	running  sync.WaitGroup // catch-up runs and runs again
	cancel   context.CancelFunc
	stopping chan struct{} // closed when Stop begins
	// held are ticks whose lease this replica took but whose posts are not
	// all queued: a run again skips the lease (it is ours).
	held map[string]heldTick
}

// heldTick is a tick this replica holds the lease of.
type heldTick struct {
	school, key string
	job         bot.Job
	at          time.Time
}

// NewWeeklyJobs returns the weekly jobs; Start starts them.
func NewWeeklyJobs(o WeeklyOptions) *WeeklyJobs {
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
	if o.TickRetry <= 0 {
		o.TickRetry = DefaultTickRetry
	}
	if o.Parse == nil {
		o.Parse = cron.ParseStandard
	}
	return &WeeklyJobs{o: o, log: o.Log.With("component", "weekly"), held: map[string]heldTick{}}
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
func (w *WeeklyJobs) Start(ctx context.Context) error {
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
	w.cron, w.cancel, w.stopping = c, cancel, make(chan struct{})
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
// it cancels them and waits for them to return. Ticks waiting to run again
// do not; their leases are given back where the Leases can.
func (w *WeeklyJobs) Stop() {
	w.mu.Lock()
	c, cancel := w.cron, w.cancel
	w.cron = nil
	if cancel != nil && w.stopping != nil {
		select {
		case <-w.stopping:
		default:
			close(w.stopping)
		}
	}
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
	w.handBack()
}

// handBack gives back the leases of ticks whose posts are not all queued,
// so a replica that starts within the catch-up window runs them.
func (w *WeeklyJobs) handBack() {
	w.mu.Lock()
	held := w.held
	w.held = map[string]heldTick{}
	w.mu.Unlock()
	rel, canRelease := w.o.Leases.(LeaseReleaser)
	for _, h := range held {
		log := w.log.With("school", h.school, "job", h.job, "tick", h.at.Format(time.RFC3339))
		if !canRelease {
			log.Error("weekly tick lost: its posts were not queued, and its lease cannot be given back")
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
		err := rel.Release(ctx, h.school, h.key)
		cancel()
		if err != nil {
			log.Error("weekly tick lost: its posts were not queued, and its lease was not given back", "err", err)
			continue
		}
		log.Warn("weekly tick handed back: its posts were not queued")
	}
}

// fire is what cron runs: the tick is the latest time sched fires at or
// before now.
func (w *WeeklyJobs) fire(ctx context.Context, sc *bot.School, job bot.Job, sched cron.Schedule) {
	at, ok := LatestTick(sched, w.o.Now(), w.o.CatchUp)
	if !ok {
		w.log.Warn("job fired without a tick in the catch-up window", "school", sc.ID, "job", job)
		return
	}
	w.runLogged(ctx, sc, job, at)
}

func (w *WeeklyJobs) runLogged(ctx context.Context, sc *bot.School, job bot.Job, at time.Time) {
	out, err := w.RunTick(ctx, sc, job, at)
	log := w.log.With("school", sc.ID, "job", job, "tick", at.In(sc.Location).Format(time.RFC3339), "outcome", out)
	if err != nil {
		log.Error("weekly job", "err", err)
		if out == Failed && !errors.Is(err, message.ErrPermanent) {
			w.again(ctx, sc, job, at)
		}
		return
	}
	log.Info("weekly job")
}

// again runs a failed tick once more after TickRetry, if that is still
// within the catch-up window (a replica starting then would run it too);
// else the tick is given up, at error level.
func (w *WeeklyJobs) again(ctx context.Context, sc *bot.School, job bot.Job, at time.Time) {
	log := w.log.With("school", sc.ID, "job", job, "tick", at.In(sc.Location).Format(time.RFC3339))
	if w.o.Now().Add(w.o.TickRetry).Sub(at) > w.o.CatchUp {
		w.forget(sc.ID, job, at)
		log.Error("weekly tick given up: its posts were not queued within the catch-up window", "catch_up", w.o.CatchUp)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	stopping := w.stopping
	if stopping == nil {
		return // not started: the caller of RunTick decides
	}
	select {
	case <-stopping:
		return // Stop hands the tick back
	default:
	}
	log.Warn("weekly tick runs again", "in", w.o.TickRetry)
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		t := time.NewTimer(w.o.TickRetry)
		defer t.Stop()
		select {
		case <-t.C:
			w.runLogged(ctx, sc, job, at)
		case <-stopping:
		case <-ctx.Done():
		}
	}()
}

// take reports whether this replica holds the lease of the tick, and takes
// it out of held: one run at a time resumes it.
func (w *WeeklyJobs) take(school, key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.held[school+"/"+key]
	delete(w.held, school+"/"+key)
	return ok
}

// hold keeps a tick whose lease this replica took, for a run again.
func (w *WeeklyJobs) hold(h heldTick) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.held[h.school+"/"+h.key] = h
}

// forget drops a held tick that will not run again.
func (w *WeeklyJobs) forget(school string, job bot.Job, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, h := range w.held {
		if h.school == school && h.job == job && h.at.Equal(at) {
			delete(w.held, k)
		}
	}
}

// RunTick runs job of school sc for the tick scheduled at at: nothing
// while the school is closed; else, for the one caller that gets the
// tick's lease, the post to every recipient, queued in the outbox. When a
// post cannot be queued the tick fails and this WeeklyJobs keeps its lease: a
// later RunTick of the same tick on it resumes without taking the lease.
func (w *WeeklyJobs) RunTick(ctx context.Context, sc *bot.School, job bot.Job, at time.Time) (Outcome, error) {
	tick := w.o.UseCases.Plan(sc, job, at)
	if tick.Closed {
		return Closed, nil
	}
	key := tick.Key(sc.Location)
	if !w.take(sc.ID, key) {
		got, err := w.o.Leases.Lease(ctx, sc.ID, key, w.o.LeaseTTL)
		if err != nil {
			return Failed, fmt.Errorf("lease %s: %w", key, err)
		}
		if !got {
			return Taken, nil
		}
	}
	out, err := w.post(ctx, sc, tick)
	if out == Failed && !errors.Is(err, message.ErrPermanent) {
		w.hold(heldTick{school: sc.ID, key: key, job: job, at: at})
	}
	return out, err
}

// post queues each of the tick's posts, one call each: the outbox
// delivers and retries.
func (w *WeeklyJobs) post(ctx context.Context, sc *bot.School, tick bot.Tick) (Outcome, error) {
	msgs, done, err := w.o.Posts.Compose(ctx, sc, tick)
	if err != nil {
		return Failed, err
	}
	if len(msgs) == 0 {
		return Nothing, nil
	}
	var errs []error
	for _, m := range msgs {
		if err := w.o.Send.Send(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("queue post on %s: %w", m.To.Platform, err))
		}
	}
	if len(errs) > 0 {
		return Failed, fmt.Errorf("%d of %d posts not queued: %w", len(errs), len(msgs), errors.Join(errs...))
	}
	if done != nil {
		if err := done(ctx); err != nil {
			return Posted, err
		}
	}
	return Posted, nil
}
