// Package scheduler runs hulpbot's timed work: the sweeper that moves offers
// on when their deadline passes and claims follow-ups, and the weekly posts
// (kernteam reminder, success stories, coordinators' digest). It keeps the
// time (cron, catch-up, leases between replicas) and words nothing itself:
// a weekly post comes worded and addressed from the catalogue (Composer)
// and is queued in the outbox like every other message.
package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Offers is what the sweeper needs of the core: find due offers and move
// one on. Both are safe to call from several processes at once: the store
// moves an offer on only if it is still current and due, so at most one
// caller wins and the others get bot.ErrStale or bot.ErrClosed.
type Offers interface {
	DueOffers(ctx context.Context, school string, now time.Time, limit int) ([]bot.OfferRef, error)
	Timeout(ctx context.Context, now time.Time, sc *bot.School, requestID string, offerNo int) (bot.Request, error)
	// FollowUps tells requesters whose follow-up is due how things stand;
	// each follow-up is claimed by one caller only.
	FollowUps(ctx context.Context, now time.Time, sc *bot.School) (int, error)
	// SchoolsWithDueWork returns those of schools with an offer deadline or
	// a follow-up due at now, in one round trip, and the earliest deadline
	// or follow-up after now (zero when none is waiting).
	SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) ([]string, time.Time, error)
	// CloseUnpicked closes, once the school day of now is over, the
	// escalated requests nobody picked up; a request is closed once, by
	// whichever caller comes first.
	CloseUnpicked(ctx context.Context, now time.Time, sc *bot.School) (int, error)
}

// Consults is what the sweeper needs, beside Offers, of a core that keeps
// consults (meedenken): move on those whose deadline has come, each once
// however many sweepers run.
type Consults interface {
	ConsultsDue(ctx context.Context, now time.Time, sc *bot.School) (int, error)
}

// DueIndex is a store's index of when each school may have work due, so
// that a look costs the same at 10 schools as at 10,000 (UseDueIndex). It
// is a hint: never later than the school's earliest due time, but it may
// be earlier, and a process that stopped at the wrong moment may have left
// a school out; the full look over every school (Offers.SchoolsWithDueWork)
// puts it back.
type DueIndex interface {
	// DueSchools returns the schools whose hint is at or before now, of
	// those known says this sweeper looks after, and the earliest hint
	// after now (zero when none).
	DueSchools(ctx context.Context, now time.Time, known func(school string) bool) ([]string, time.Time, error)
	// Rehint sets the hints of schools, just looked after, to when each
	// has something due next, and returns the earliest of those after now.
	Rehint(ctx context.Context, now time.Time, schools []string) (time.Time, error)
}

// FullLookEvery is how often a sweeper with a due index looks at every
// school all the same: the bound on how late a deadline whose hint was lost
// (a process stopped between a change and its hint) moves on. At 10,000
// schools a full look is 30,000 pipelined commands, some 50 ms; every 30
// s it is a tenth of a percent of the time, against a whole look every
// second without the index.
const FullLookEvery = 30 * time.Second

// Sweeper moves offers on whose deadline has passed. Deadlines live in the
// store, not in this process, so a restarted or second process picks up
// where another left off.
type Sweeper struct {
	schools  *bot.Directory
	offers   Offers
	now      func() time.Time
	interval time.Duration
	batch    int
	log      *slog.Logger

	index     DueIndex
	fullEvery time.Duration
	// fullMu guards lastFull: when the last full look began, zero for a
	// full look at the next look (at start, and after a failed Rehint).
	fullMu   sync.Mutex
	lastFull time.Time

	// closeMu guards nextClose: per school, when to close the requests of
	// the fallback channel nobody picked up (the end of its school day).
	// Only a hint of when to look: the store closes each request once, so
	// a restart or a second replica looking again changes nothing.
	closeMu   sync.Mutex
	nextClose map[string]time.Time
}

// NewSweeper returns a sweeper that looks every interval.
func NewSweeper(schools *bot.Directory, offers Offers, now func() time.Time, interval time.Duration, log *slog.Logger) *Sweeper {
	return &Sweeper{schools: schools, offers: offers, now: now, interval: interval, batch: defaultBatch, log: log.With("component", "sweeper"),
		fullEvery: FullLookEvery, nextClose: map[string]time.Time{}}
}

// UseDueIndex makes the sweeper look at ix instead of at every school, but
// at start and every FullLookEvery. Call it before Run.
func (s *Sweeper) UseDueIndex(ix DueIndex) { s.index = ix }

// defaultBatch bounds one read of due offers; a school with more due takes
// more reads in the same sweep, so a backlog is cleared at once, not one
// batch per tick.
const defaultBatch = 500

// parallel is how many schools are looked at the same time, and
// movers how many offers are moved on at the same time across them: when
// thousands of deadlines fall together (a school day's start), moving on
// is a few round trips each and waiting on Redis, not work, so many run at
// once. A school's own offers are moved on in parallel too: the store
// moves each atomically.
const (
	parallel = 16
	movers   = 64
)

// rehintTimeout bounds the three round trips of a Rehint.
const rehintTimeout = 5 * time.Second

// minGap is the least time between two looks at the deadlines, the bound
// on how late an offer moves on beyond the work of moving it.
const minGap = 50 * time.Millisecond

// Run sweeps until ctx is done. It looks every interval at the latest, and
// at the next deadline when that comes sooner, so an offer moves on within
// milliseconds of its deadline, not up to an interval later. While the
// store is unreachable it keeps trying at the same pace and catches up when
// the store is back: deadlines live in the store, so nothing is missed,
// only late.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTimer(s.interval)
	defer t.Stop()
	for {
		_, next, err := s.sweep(ctx, s.now())
		if err != nil && ctx.Err() == nil {
			s.log.Warn("sweep failed", "err", err)
		}
		wait := s.interval
		if !next.IsZero() {
			// Scores are milliseconds: wake just after the deadline's, but
			// not sooner than minGap after this look: when deadlines fall
			// every few milliseconds, one look takes all of them together
			// (a look is one round trip over every school).
			wait = min(wait, max(next.Sub(s.now())+time.Millisecond, minGap))
		}
		if s.index != nil {
			wait = min(wait, max(s.untilFullLook(s.now()), minGap))
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep moves on every offer due at now and sends the follow-ups due, and
// reports how many offers it moved. One look at all schools first: most
// have nothing due, and a sweep runs several times a second.
func (s *Sweeper) Sweep(ctx context.Context, now time.Time) (int, error) {
	n, _, err := s.sweep(ctx, now)
	return n, err
}

// sweep is Sweep, and also tells when the next deadline or follow-up after
// now falls, as the look before the work saw it.
func (s *Sweeper) sweep(ctx context.Context, now time.Time) (int, time.Time, error) {
	closeErr := s.closeUnpicked(ctx, now)
	dueIDs, next, err := s.look(ctx, now)
	if err != nil {
		return 0, time.Time{}, errors.Join(err, closeErr)
	}
	if closeErr != nil {
		defer func() { s.log.Warn("closing unpicked requests failed", "err", closeErr) }()
	}
	if len(dueIDs) == 0 {
		return 0, next, nil
	}
	moved, err := s.work(ctx, now, dueIDs)
	if s.index != nil {
		// Also after a failure: a school with work left gets a hint at or
		// before now, and is looked at again. Not cut short by a stop: its
		// hints would be gone until the next full look.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rehintTimeout)
		after, rerr := s.index.Rehint(rctx, now, dueIDs)
		cancel()
		switch {
		case rerr != nil:
			// Hints may be gone that were not put back: look at every
			// school next time.
			s.fullLookNext()
			err = errors.Join(err, rerr)
		case !after.IsZero() && (next.IsZero() || after.Before(next)):
			next = after
		}
	}
	return moved, next, err
}

// look finds the schools with work due at now, and when the next work
// after now falls: at the due index when the sweeper has one, at every
// school at start, every fullEvery, or without an index.
func (s *Sweeper) look(ctx context.Context, now time.Time) ([]string, time.Time, error) {
	if s.index != nil && !s.takeFullLook(now) {
		return s.index.DueSchools(ctx, now, func(id string) bool {
			_, ok := s.schools.School(id)
			return ok
		})
	}
	ids := make([]string, 0, len(s.schools.Schools()))
	for _, sc := range s.schools.Schools() {
		ids = append(ids, sc.ID)
	}
	due, next, err := s.offers.SchoolsWithDueWork(ctx, ids, now)
	if err != nil && s.index != nil {
		s.fullLookNext()
	}
	return due, next, err
}

// takeFullLook reports whether the look at now is to be a full look, and
// if so counts it as begun, so sweeps at the same moment take one.
func (s *Sweeper) takeFullLook(now time.Time) bool {
	s.fullMu.Lock()
	defer s.fullMu.Unlock()
	// A clock that went back counts as due too.
	if s.lastFull.IsZero() || now.Sub(s.lastFull) >= s.fullEvery || now.Before(s.lastFull) {
		s.lastFull = now
		return true
	}
	return false
}

func (s *Sweeper) fullLookNext() {
	s.fullMu.Lock()
	s.lastFull = time.Time{}
	s.fullMu.Unlock()
}

// untilFullLook is how long after now the next full look is due.
func (s *Sweeper) untilFullLook(now time.Time) time.Duration {
	s.fullMu.Lock()
	defer s.fullMu.Unlock()
	if s.lastFull.IsZero() {
		return 0
	}
	return s.lastFull.Add(s.fullEvery).Sub(now)
}

// work moves on the due offers and sends the follow-ups and consults due
// of the schools dueIDs, and reports how many offers it moved.
func (s *Sweeper) work(ctx context.Context, now time.Time, dueIDs []string) (int, error) {
	// Timeouts of all schools go to one pool of movers.
	jobs := make(chan timeout)
	var movingWG sync.WaitGroup
	for range movers {
		movingWG.Go(func() {
			for j := range jobs {
				_, err := s.offers.Timeout(ctx, now, j.sc, j.ref.RequestID, j.ref.OfferNo)
				j.done <- err
			}
		})
	}
	moved := make([]int, len(dueIDs))
	errs := make([]error, len(dueIDs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, id := range dueIDs {
		sc, ok := s.schools.School(id)
		if !ok {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			moved[i], errs[i] = s.sweepSchool(ctx, now, sc, jobs)
		})
	}
	wg.Wait()
	close(jobs)
	movingWG.Wait()
	total := 0
	for _, n := range moved {
		total += n
	}
	return total, errors.Join(errs...)
}

// closeUnpicked closes, for each school whose school day has ended since
// it last looked, the requests of the fallback channel nobody picked up.
// A school that fails is tried again at the next sweep.
func (s *Sweeper) closeUnpicked(ctx context.Context, now time.Time) error {
	var due []*bot.School
	s.closeMu.Lock()
	for _, sc := range s.schools.Schools() {
		at, ok := s.nextClose[sc.ID]
		if !ok {
			// First look: today's end, or at once when it has passed (a
			// process started in the evening closes what the day left).
			at = sc.SchoolDayEnd(now)
			s.nextClose[sc.ID] = at
		}
		if !now.Before(at) {
			due = append(due, sc)
		}
	}
	s.closeMu.Unlock()
	if len(due) == 0 {
		return nil
	}
	errs := make([]error, len(due))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, sc := range due {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n, err := s.offers.CloseUnpicked(ctx, now, sc)
			if err != nil {
				errs[i] = err
				return
			}
			if n > 0 {
				s.log.Info("unpicked requests closed", "school", sc.ID, "count", n)
			}
			s.closeMu.Lock()
			s.nextClose[sc.ID] = sc.SchoolDayEnd(sc.EndOfDay(now))
			s.closeMu.Unlock()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// timeout is one offer for the movers, and where its outcome goes.
type timeout struct {
	sc   *bot.School
	ref  bot.OfferRef
	done chan<- error
}

func (s *Sweeper) sweepSchool(ctx context.Context, now time.Time, sc *bot.School, jobs chan<- timeout) (int, error) {
	moved := 0
	var errs []error
	for ctx.Err() == nil {
		due, err := s.offers.DueOffers(ctx, sc.ID, now, s.batch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		outcomes := make(chan error, len(due))
		for _, o := range due {
			jobs <- timeout{sc: sc, ref: o, done: outcomes}
		}
		progress := false
		for range due {
			err := <-outcomes
			switch {
			case err == nil:
				moved++
				progress = true
			case errors.Is(err, bot.ErrStale), errors.Is(err, bot.ErrClosed),
				errors.Is(err, bot.ErrAlreadyAccepted), errors.Is(err, bot.ErrNotFound):
				// Someone was first: accepted, declined, or another sweeper.
				// Not progress: reading again would return the same entry.
			default:
				errs = append(errs, err)
			}
		}
		if len(due) < s.batch || !progress {
			break
		}
	}
	if _, err := s.offers.FollowUps(ctx, now, sc); err != nil {
		errs = append(errs, err)
	}
	if c, ok := s.offers.(Consults); ok {
		if _, err := c.ConsultsDue(ctx, now, sc); err != nil {
			errs = append(errs, err)
		}
	}
	if moved > 0 {
		s.log.Info("offers moved on", "school", sc.ID, "count", moved)
	}
	return moved, errors.Join(errs...)
}
