// Package scheduler runs hulpbot's timed work: the sweeper that moves offers
// on when their deadline passes, and (later) the weekly posts.
package scheduler

import (
	"context"
	"errors"
	"log/slog"
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
}

// Sweeper moves offers on whose deadline has passed. Deadlines live in the
// store, not in this process, so a restarted or second process picks up
// where another left off.
type Sweeper struct {
	schools  *bot.Directory
	offers   Offers
	now      func() time.Time
	interval time.Duration
	log      *slog.Logger
}

// NewSweeper returns a sweeper that looks every interval.
func NewSweeper(schools *bot.Directory, offers Offers, now func() time.Time, interval time.Duration, log *slog.Logger) *Sweeper {
	return &Sweeper{schools: schools, offers: offers, now: now, interval: interval, log: log.With("component", "sweeper")}
}

// batch bounds the work of one look per school, so one busy school does not
// starve the others; what is left is taken on the next look.
const batch = 500

// Run sweeps until ctx is done. While the store is unreachable it keeps
// trying at the same pace and catches up when the store is back.
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

// Sweep moves on every offer due at now, and reports how many it moved.
func (s *Sweeper) Sweep(ctx context.Context, now time.Time) (int, error) {
	moved := 0
	var errs []error
	for _, sc := range s.schools.Schools() {
		due, err := s.offers.DueOffers(ctx, sc.ID, now, batch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, o := range due {
			_, err := s.offers.Timeout(ctx, now, sc, o.RequestID, o.OfferNo)
			switch {
			case err == nil:
				moved++
			case errors.Is(err, bot.ErrStale), errors.Is(err, bot.ErrClosed),
				errors.Is(err, bot.ErrAlreadyAccepted), errors.Is(err, bot.ErrNotFound):
				// Someone was first: accepted, declined, or another sweeper.
			default:
				errs = append(errs, err)
			}
		}
	}
	return moved, errors.Join(errs...)
}
