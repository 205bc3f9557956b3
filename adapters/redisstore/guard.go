package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// Courier delivers, at once, the notices a change of this process leased
// to it (the outbox). The store asks it before a change, so the script can
// lease the notices it queues to this process in the same step.
type Courier interface {
	// Lease reports until when this process would hold the notices of a
	// change made now; false when it has no room (they then wait, due,
	// for whichever process claims them).
	Lease() (time.Time, bool)
	// Deliver takes notices leased to this process until leaseEnd, as
	// outbox key, notice pairs.
	Deliver(school string, leaseEnd time.Time, keyNotice []string)
	// Queued says a change of school queued notices due now, for whichever
	// process claims them first (this one had no room to lease them).
	Queued(school string)
}

// SetCourier makes c deliver the notices this process's changes queue.
// Without one they wait in Redis for whichever process claims them.
func (s *Store) SetCourier(c Courier) { s.courier = c }

// AnswerBudget is how long a change someone waits for may take before the
// store gives up on it: well inside Slack's 3 seconds for an answer.
const AnswerBudget = 1500 * time.Millisecond

// SetAnswerBudget changes AnswerBudget for this store: a load test on an
// overloaded machine measures the path, not how a late change is refused.
func (s *Store) SetAnswerBudget(d time.Duration) { s.budget = d }

// guardMargin covers the error in the estimate of Redis's clock (skew).
const guardMargin = 250 * time.Millisecond

// A change someone waits for runs under a not-after guard: the script
// refuses when Redis's clock is past start+budget. The store gives up only
// after that moment (plus a margin) has passed, so a script still on its
// way then can no longer change anything: "kan nu niet" is then true for
// good. A retry within the budget repeats the same operation, answered as
// the first when that one did happen.
type guard struct {
	notAfter string    // Redis's clock, ms
	giveUp   time.Time // this process's clock
	opID     string
}

func (s *Store) newGuard(opID string) guard {
	start := time.Now()
	return guard{
		notAfter: strconv.FormatInt(start.Add(s.budget).UnixMilli()+s.skew.Load(), 10),
		giveUp:   start.Add(s.budget + guardMargin),
		opID:     opID,
	}
}

// ErrOutcomeUnknown wraps bot.ErrUnavailable when a change may have
// happened although its answer never came (Redis stalled or the answer was
// lost): nothing sent later can still happen, but something sent earlier
// may have. A request for help left so is looked up again once Redis
// answers (Reconcile), and its requester told when it was passed on.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// runGuarded runs a change someone waits for (see guard), retrying while
// the budget lasts.
func (s *Store) runGuarded(ctx context.Context, op string, sc *redis.Script, school string, keys []string, now time.Time, g guard, args ...any) ([]any, error) {
	gctx, cancel := context.WithDeadline(ctx, g.giveUp)
	defer cancel()
	nowMS := strconv.FormatInt(now.UnixMilli(), 10)
	for {
		v, err := s.runWith(gctx, op, sc, school, keys, nowMS, g.notAfter, g.opID, args...)
		switch {
		case err == nil, !errors.Is(err, bot.ErrUnavailable), errors.Is(err, errTooLate):
			// Done or refused: an answer from Redis.
			return v, err
		case ctx.Err() != nil, !time.Now().Before(g.giveUp):
			// No answer: an attempt may have run. Even a refused dial
			// does not prove otherwise — the client's own retry dials
			// after writing on a connection that then broke.
			return nil, fmt.Errorf("%s: %w: %w", op, ErrOutcomeUnknown, err)
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-gctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// errTooLate: the guard refused the script; nothing was written.
var errTooLate = errors.New("refused: past its not-after time")

// errReplay: the operation was done by an earlier attempt (lib.lua).
var errReplay = errors.New("operation done before")

// SyncClock measures how far Redis's clock is from this process's, for the
// not-after guard. Run at start and now and then (Reconcile does). On a
// cluster each master runs the scripts of its slots on its own clock: the
// one furthest behind counts, so hulpbot never declares a change too late
// while a master that is behind could still run it.
func (s *Store) SyncClock(ctx context.Context) error {
	skew, err := clockSkew(ctx, s.rdb)
	if cc, ok := s.rdb.(*redis.ClusterClient); ok && err == nil {
		var mu sync.Mutex
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			d, err := clockSkew(ctx, n)
			mu.Lock()
			skew = min(skew, d)
			mu.Unlock()
			return err
		})
	}
	if err != nil {
		return fail("redisstore: sync clock", err)
	}
	s.skew.Store(skew.Milliseconds())
	return nil
}

// clockSkew is Redis's TIME minus this process's clock at the middle of
// the round trip.
func clockSkew(ctx context.Context, c redis.Cmdable) (time.Duration, error) {
	before := time.Now()
	t, err := c.Time(ctx).Result()
	if err != nil {
		return 0, err
	}
	rtt := time.Since(before)
	return t.Sub(before.Add(rtt / 2)), nil
}

// unsure is a request for help whose create may have happened although
// the requester was told it could not be passed on.
type unsure struct {
	school, id string
	since      time.Time
}

// unsureLimit bounds what Reconcile looks after: past it (Redis away for
// long while many asked), the oldest are forgotten and logged.
const unsureLimit = 1000

func (s *Store) remember(school, id string) {
	s.unsureMu.Lock()
	defer s.unsureMu.Unlock()
	if len(s.unsure) >= unsureLimit {
		s.log.Warn("too many requests of unknown outcome; forgetting the oldest", "school", s.unsure[0].school, "request", s.unsure[0].id)
		s.unsure = s.unsure[1:]
	}
	s.unsure = append(s.unsure, unsure{school: school, id: id, since: time.Now()})
}

// Reconcile looks up, until ctx ends, the requests for help whose create
// had an unknown outcome: one that exists after all gets, in one script, a
// notice to its requester that it was passed on; one that does not exist
// never will (the guard). It also keeps the estimate of Redis's clock
// fresh.
func (s *Store) Reconcile(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastSync := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(lastSync) > time.Minute {
			if err := s.SyncClock(ctx); err == nil {
				lastSync = time.Now()
			}
		}
		s.reconcileOnce(ctx)
	}
}

func (s *Store) reconcileOnce(ctx context.Context) {
	s.unsureMu.Lock()
	todo := s.unsure
	s.unsure = nil
	s.unsureMu.Unlock()
	var left []unsure
	for _, u := range todo {
		v, err := s.run(ctx, "redisstore: confirm late request", s.sc.confirmLate, u.school, []string{s.key(u.school, "req:"+u.id)}, strconv.FormatInt(time.Now().UnixMilli(), 10), u.id)
		if err != nil {
			left = append(left, u)
			continue
		}
		told := len(v) > 0 && v[0] == "1"
		s.log.Info("request of unknown outcome looked up", "school", u.school, "request", u.id, "existed", told, "after", time.Since(u.since).Round(time.Millisecond))
	}
	if len(left) > 0 {
		s.unsureMu.Lock()
		s.unsure = append(left, s.unsure...)
		s.unsureMu.Unlock()
	}
}
