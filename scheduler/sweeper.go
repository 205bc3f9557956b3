// Package scheduler runs hulpbot's timed work: the sweeper that moves offers
// on when their deadline passes, and (later) the weekly posts.
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
	// a follow-up due at now, in one round trip.
	SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) ([]string, error)
}

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
}

// NewSweeper returns a sweeper that looks every interval.
func NewSweeper(schools *bot.Directory, offers Offers, now func() time.Time, interval time.Duration, log *slog.Logger) *Sweeper {
	return &Sweeper{schools: schools, offers: offers, now: now, interval: interval, batch: defaultBatch, log: log.With("component", "sweeper")}
}

// defaultBatch bounds one read of due offers; a school with more due takes
// more reads in the same sweep, so a backlog is cleared at once, not one
// batch per tick.
const defaultBatch = 500

// parallel is how many schools are swept at the same time.
const parallel = 16

// Run sweeps until ctx is done. While the store is unreachable it keeps
// trying at the same pace and catches up when the store is back: deadlines
// live in the store, so nothing is missed, only late.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep failed", "err", err)
		}
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
	ids := make([]string, 0, len(s.schools.Schools()))
	for _, sc := range s.schools.Schools() {
		ids = append(ids, sc.ID)
	}
	dueIDs, err := s.offers.SchoolsWithDueWork(ctx, ids, now)
	if err != nil {
		return 0, err
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
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			moved[i], errs[i] = s.sweepSchool(ctx, now, sc)
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range moved {
		total += n
	}
	return total, errors.Join(errs...)
}

func (s *Sweeper) sweepSchool(ctx context.Context, now time.Time, sc *bot.School) (int, error) {
	moved := 0
	var errs []error
	for ctx.Err() == nil {
		due, err := s.offers.DueOffers(ctx, sc.ID, now, s.batch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		progress := false
		for _, o := range due {
			_, err := s.offers.Timeout(ctx, now, sc, o.RequestID, o.OfferNo)
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
	if moved > 0 {
		s.log.Info("offers moved on", "school", sc.ID, "count", moved)
	}
	return moved, errors.Join(errs...)
}
