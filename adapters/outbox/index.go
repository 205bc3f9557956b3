package outbox

// The index lets the poll's idle look cost the same at 10 schools as at
// 10,000:
//
//	<prefix>:outboxdue   zset: school → a time (ms) at or before the
//	                     earliest next try in the school's two lanes
//
// Its key is in a slot of its own, not the school's, so on Redis Cluster no
// script can change it together with the school's lanes. It is a hint, kept
// by three rules:
//
//   - Every change that puts a message in a lane or moves its next try
//     earlier (a queue, a lease on queuing, a retry, a hand-back) lowers the
//     school's hint (ZADD LT) after its script has run. A claim moves a next
//     try later only, to the lease's end.
//   - Only the poll raises a hint, after it claimed the school's due
//     messages (rehint): it removes the hint first, then reads the lanes,
//     then lowers the hint to their earliest. A message queued after that
//     read is hinted by its writer after the removal, so none is lost
//     however the two interleave. (Putting the earliest back only when the
//     hint is still the one read would lose it: the writer's ZADD LT
//     changes nothing while the old, due hint is lower.)
//   - A hint earlier than needed costs one look at the school, nothing more.
//
// A hint is lost only when a process stops between a script and its hint,
// or between rehint's removal and lowering. The full look over every
// school's lanes, at start and every FullLook, puts back what the index
// lacks. A hint that could not be written is kept and written again before
// the next look.

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// hintTimeout bounds the write of one hint.
const hintTimeout = 2 * time.Second

// indexKey is the index's key.
func (o *Outbox) indexKey() string { return o.prefix + ":outboxdue" }

// hint lowers school's hint to at (ms), after a script that put a message
// in its lanes: one round trip. A hint not written is kept for the next
// look.
func (o *Outbox) hint(ctx context.Context, school string, at int64) {
	// Not the caller's ctx: a message queued must get its hint even when
	// the caller gives up now.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hintTimeout)
	defer cancel()
	z := redis.Z{Score: float64(at), Member: school}
	if err := o.rdb.ZAddArgs(ctx, o.indexKey(), redis.ZAddArgs{LT: true, Members: []redis.Z{z}}).Err(); err != nil {
		o.log.Warn("outbox index: hint not written; kept for the next look", "school", school, "err", err)
		o.keepHint(school, at)
	}
}

// hintLater hints school at at (ms) for a change of the store, whose caller
// may be waiting: Run writes it before anything else, in one round trip with
// whatever else came meanwhile. Without Run it is written now.
func (o *Outbox) hintLater(school string, at int64) {
	if o.opt.Sync || !o.running.Load() {
		o.hint(context.Background(), school, at)
		return
	}
	o.keepHint(school, at)
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// keepHint keeps a hint (ms) to write at the next flushHints.
func (o *Outbox) keepHint(school string, at int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.hints[school]; !ok || at < old {
		o.hints[school] = at
	}
}

// flushHints writes the hints kept, in one command.
func (o *Outbox) flushHints(ctx context.Context) error {
	o.mu.Lock()
	if len(o.hints) == 0 {
		o.mu.Unlock()
		return nil
	}
	zs := make([]redis.Z, 0, len(o.hints))
	for sc, at := range o.hints {
		zs = append(zs, redis.Z{Score: float64(at), Member: sc})
	}
	clear(o.hints)
	o.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hintTimeout)
	defer cancel()
	if err := o.rdb.ZAddArgs(ctx, o.indexKey(), redis.ZAddArgs{LT: true, Members: zs}).Err(); err != nil {
		for _, z := range zs {
			o.keepHint(z.Member.(string), int64(z.Score))
		}
		return err
	}
	return nil
}

// indexed returns the schools whose hint is due at now: one command
// whatever the number of schools. A school not configured here (another
// deployment's on the same prefix) is left alone.
func (o *Outbox) indexed(ctx context.Context, now time.Time) ([]string, error) {
	if err := o.flushHints(ctx); err != nil {
		return nil, err
	}
	v, err := o.rdb.ZRangeByScore(ctx, o.indexKey(), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10)}).Result()
	if err != nil {
		return nil, err
	}
	due := v[:0]
	for _, sc := range v {
		if o.known[sc] {
			due = append(due, sc)
		}
	}
	return due, nil
}

// fullLook reads the first entry of both lanes of every school, in one
// pipelined round trip, and returns the schools with a message due at now.
// It lowers every school's hint to its earliest next try: what a stopped
// process left unhinted is found from now on.
func (o *Outbox) fullLook(ctx context.Context, now time.Time) ([]string, error) {
	if err := o.flushHints(ctx); err != nil {
		return nil, err
	}
	first, err := o.earliest(ctx, o.schools)
	if err != nil {
		return nil, err
	}
	nowms := float64(now.UnixMilli())
	var (
		due []string
		zs  []redis.Z
	)
	for i, sc := range o.schools {
		if math.IsInf(first[i], 1) {
			continue
		}
		zs = append(zs, redis.Z{Score: first[i], Member: sc})
		if first[i] <= nowms {
			due = append(due, sc)
		}
	}
	if n, err := o.lower(ctx, zs); err != nil {
		return due, err
	} else if n > 0 {
		o.log.Info("outbox index: hints put back by the full look", "count", n)
	}
	return due, nil
}

// rehint sets the hints of schools, whose due messages were just claimed,
// to their earliest next try (none when nothing waits). Three round trips
// for any number of schools; see the rules above for why in this order.
func (o *Outbox) rehint(ctx context.Context, schools []string) error {
	if len(schools) == 0 {
		return nil
	}
	if err := o.unhint(ctx, schools); err != nil {
		return err
	}
	first, err := o.earliest(ctx, schools)
	if err != nil {
		return err
	}
	zs := make([]redis.Z, 0, len(schools))
	for i, sc := range schools {
		if !math.IsInf(first[i], 1) {
			zs = append(zs, redis.Z{Score: first[i], Member: sc})
		}
	}
	_, err = o.lower(ctx, zs)
	return err
}

// unhint removes the hints of schools: rehint's first step.
func (o *Outbox) unhint(ctx context.Context, schools []string) error {
	members := make([]any, len(schools))
	for i, sc := range schools {
		members[i] = sc
	}
	return o.rdb.ZRem(ctx, o.indexKey(), members...).Err()
}

// lower lowers each school's hint to its score (adding it when missing),
// and reports how many it changed.
func (o *Outbox) lower(ctx context.Context, zs []redis.Z) (int64, error) {
	if len(zs) == 0 {
		return 0, nil
	}
	return o.rdb.ZAddArgs(ctx, o.indexKey(), redis.ZAddArgs{LT: true, Ch: true, Members: zs}).Result()
}

// earliest reads the earliest next try in each school's lanes (+Inf when
// both are empty), in one pipelined round trip.
func (o *Outbox) earliest(ctx context.Context, schools []string) ([]float64, error) {
	cmds := make([][2]*redis.ZSliceCmd, len(schools))
	if _, err := o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, sc := range schools {
			cmds[i][0] = p.ZRangeWithScores(ctx, o.key(sc, "urgent"), 0, 0)
			cmds[i][1] = p.ZRangeWithScores(ctx, o.key(sc, "queue"), 0, 0)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]float64, len(schools))
	for i := range schools {
		out[i] = math.Inf(1)
		for _, c := range cmds[i] {
			if v := c.Val(); len(v) > 0 {
				out[i] = min(out[i], v[0].Score)
			}
		}
	}
	return out, nil
}
