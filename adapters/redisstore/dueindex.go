package redisstore

// The due index lets the sweeper's look cost the same at 10 schools as at
// 10,000:
//
//	<prefix>:due   zset: school → a time (ms) at or before the earliest
//	               anything of the school comes due: an offer's deadline,
//	               a held request's, a follow-up, a consult's
//
// Its key is in a slot of its own, not the school's, so on Redis Cluster no
// script can change it together with the school's sets. It is a hint, kept
// by three rules:
//
//   - Every change that adds or moves a due time lowers the school's hint
//     (ZADD LT) after its script has run: never later than the due time.
//   - Only the sweeper raises a hint, after it looked after the school
//     (Rehint): it removes the hint first, then reads the school's sets,
//     then lowers the hint to their earliest. A due time added after that
//     read is lowered by its writer after the removal, so none is lost
//     however the two interleave. (Putting the earliest back only when the
//     hint is still the one read would lose it: the writer's ZADD LT
//     changes nothing while the old, due hint is lower.)
//   - A hint earlier than needed costs one look at the school, nothing more.
//
// A hint is lost only when a process stops between a script and its hint,
// or between Rehint's removal and lowering. The sweeper's full look over
// every school (SchoolsWithDueWork), at start and at a slow interval, puts
// back what the index lacks. A hint this process failed to write (Redis was
// unreachable after the script) is kept and written again before the next
// look at the index.

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// dueKey is the due index's key.
func (s *Store) dueKey() string { return s.prefix + ":due" }

// mayHaveWritten reports whether a script that answered err may have
// changed something: it did, or its answer was lost. A refusal (a script's
// code, the guard's not-after) is answered before the first write.
func mayHaveWritten(err error) bool {
	return err == nil || (errors.Is(err, bot.ErrUnavailable) && !errors.Is(err, errTooLate))
}

// hint lowers school's hint to the earliest of at (zero times ignored),
// after a script that may have put one of them in the school's sets
// (err is the script's): one round trip after a change made. A hint that
// cannot be written, or follows a script whose answer was lost, is kept
// for the next look at the index (flushHints).
func (s *Store) hint(ctx context.Context, school string, err error, at ...time.Time) {
	if !mayHaveWritten(err) {
		return
	}
	least := int64(math.MaxInt64)
	for _, t := range at {
		if !t.IsZero() {
			least = min(least, t.UnixMilli())
		}
	}
	if least == math.MaxInt64 {
		return
	}
	if err != nil {
		// The script's answer was lost: Redis is stalled or gone, and
		// someone waits for this answer. Not a second wait.
		s.keepHints(map[string]float64{school: float64(least)})
		return
	}
	// Not the caller's ctx: a change made must get its hint even when the
	// caller gives up now.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hintTimeout)
	defer cancel()
	z := redis.Z{Score: float64(least), Member: school}
	if werr := s.rdb.ZAddArgs(ctx, s.dueKey(), redis.ZAddArgs{LT: true, Members: []redis.Z{z}}).Err(); werr != nil {
		s.log.Warn("due index: hint not written; kept for the next look", "school", school, "err", werr)
		s.keepHints(map[string]float64{school: z.Score})
	}
}

// hintTimeout bounds the write of one hint.
const hintTimeout = 2 * time.Second

// keepHints keeps hints (school → ms) not written, for flushHints.
func (s *Store) keepHints(hints map[string]float64) {
	s.hintsMu.Lock()
	defer s.hintsMu.Unlock()
	if s.lostHints == nil {
		s.lostHints = map[string]float64{}
	}
	for sc, at := range hints {
		if old, ok := s.lostHints[sc]; !ok || at < old {
			s.lostHints[sc] = at
		}
	}
}

// flushHints writes the hints this process failed to write.
func (s *Store) flushHints(ctx context.Context) error {
	s.hintsMu.Lock()
	lost := s.lostHints
	s.lostHints = nil
	s.hintsMu.Unlock()
	if len(lost) == 0 {
		return nil
	}
	zs := make([]redis.Z, 0, len(lost))
	for sc, at := range lost {
		zs = append(zs, redis.Z{Score: at, Member: sc})
	}
	if err := s.rdb.ZAddArgs(ctx, s.dueKey(), redis.ZAddArgs{LT: true, Members: zs}).Err(); err != nil {
		s.keepHints(lost)
		return fail("redisstore: due index: write kept hints", err)
	}
	return nil
}

// DueSchools reads the due index: the schools whose hint is at or before
// now, and the earliest hint after now (zero when there is none), in one
// round trip whatever the number of schools. A school known does not
// report (one another process looks after, or one no longer configured)
// has its hint dropped, unless it was lowered meanwhile.
func (s *Store) DueSchools(ctx context.Context, now time.Time, known func(school string) bool) ([]string, time.Time, error) {
	const op = "redisstore: due schools"
	if err := s.flushHints(ctx); err != nil {
		return nil, time.Time{}, err
	}
	nowms := strconv.FormatInt(now.UnixMilli(), 10)
	var due, next *redis.ZSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		due = p.ZRangeByScoreWithScores(ctx, s.dueKey(), &redis.ZRangeBy{Min: "-inf", Max: nowms})
		next = p.ZRangeByScoreWithScores(ctx, s.dueKey(), &redis.ZRangeBy{Min: "(" + nowms, Max: "+inf", Count: 1})
		return nil
	}); err != nil {
		return nil, time.Time{}, fail(op, err)
	}
	var (
		out     []string
		strange []redis.Z
	)
	for _, z := range due.Val() {
		sc, _ := z.Member.(string)
		if known == nil || known(sc) {
			out = append(out, sc)
		} else {
			strange = append(strange, z)
		}
	}
	var nextAt time.Time
	if n := next.Val(); len(n) > 0 {
		nextAt = time.UnixMilli(int64(n[0].Score))
	}
	if len(strange) > 0 {
		dropped, err := s.dropHints(ctx, strange)
		if err != nil {
			return out, nextAt, err
		}
		s.log.Info("due index: hints of schools not configured here dropped", "count", dropped)
	}
	return out, nextAt, nil
}

// dropHintLua removes each school's hint (ARGV: school, score pairs) when
// it is still the score read, so a hint lowered meanwhile stays.
var dropHintLua = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
  local sc = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if sc and tonumber(sc) == tonumber(ARGV[i + 1]) then
    n = n + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return n
`)

func (s *Store) dropHints(ctx context.Context, zs []redis.Z) (int, error) {
	args := make([]any, 0, 2*len(zs))
	for _, z := range zs {
		args = append(args, z.Member, strconv.FormatInt(int64(z.Score), 10))
	}
	n, err := dropHintLua.Run(ctx, s.rdb, []string{s.dueKey()}, args...).Int()
	if err != nil {
		return 0, fail("redisstore: due index: drop hints", err)
	}
	return n, nil
}

// Rehint sets the hints of schools, which the caller has just looked after,
// to the earliest time anything of theirs comes due (none when nothing
// waits), and returns the earliest of those after now (zero when none).
// Three round trips for any number of schools; see the rules above for
// why in this order.
func (s *Store) Rehint(ctx context.Context, now time.Time, schools []string) (time.Time, error) {
	if len(schools) == 0 {
		return time.Time{}, nil
	}
	if err := s.unhint(ctx, schools); err != nil {
		return time.Time{}, err
	}
	heads, err := s.heads(ctx, "redisstore: due index: first due times", schools)
	if err != nil {
		return time.Time{}, err
	}
	zs := make([]redis.Z, 0, len(schools))
	next := math.Inf(1)
	nowms := float64(now.UnixMilli())
	for i, sc := range schools {
		at := heads[i].earliest()
		if math.IsInf(at, 1) {
			continue
		}
		zs = append(zs, redis.Z{Score: at, Member: sc})
		if at > nowms {
			next = min(next, at)
		}
	}
	if _, err := s.lower(ctx, zs); err != nil {
		return time.Time{}, err
	}
	if math.IsInf(next, 1) {
		return time.Time{}, nil
	}
	return time.UnixMilli(int64(next)), nil
}

// unhint removes the hints of schools: Rehint's first step.
func (s *Store) unhint(ctx context.Context, schools []string) error {
	members := make([]any, len(schools))
	for i, sc := range schools {
		members[i] = sc
	}
	if err := s.rdb.ZRem(ctx, s.dueKey(), members...).Err(); err != nil {
		return fail("redisstore: due index: remove hints", err)
	}
	return nil
}

// lower lowers each school's hint to its score (adding it when missing),
// and reports how many it changed.
func (s *Store) lower(ctx context.Context, zs []redis.Z) (int64, error) {
	if len(zs) == 0 {
		return 0, nil
	}
	n, err := s.rdb.ZAddArgs(ctx, s.dueKey(), redis.ZAddArgs{LT: true, Ch: true, Members: zs}).Result()
	if err != nil {
		return 0, fail("redisstore: due index: lower hints", err)
	}
	return n, nil
}

// dueSets are a school's sets of due times: offer (and hold) deadlines,
// follow-ups, consults' deadlines.
var dueSets = [...]string{"deadlines", "followups", "consultdue"}

// heads are the first scores of a school's dueSets, +Inf for an empty set.
type heads [len(dueSets)]float64

func (h heads) earliest() float64 {
	out := math.Inf(1)
	for _, v := range h {
		out = min(out, v)
	}
	return out
}

// heads reads the first entry of each of the dueSets of schools, in one
// pipelined round trip.
func (s *Store) heads(ctx context.Context, op string, schools []string) ([]heads, error) {
	cmds := make([][len(dueSets)]*redis.ZSliceCmd, len(schools))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, sc := range schools {
			for j, set := range dueSets {
				cmds[i][j] = p.ZRangeWithScores(ctx, s.key(sc, set), 0, 0)
			}
		}
		return nil
	}); err != nil {
		return nil, fail(op, err)
	}
	out := make([]heads, len(schools))
	for i := range schools {
		for j, c := range cmds[i] {
			out[i][j] = math.Inf(1)
			if v := c.Val(); len(v) > 0 {
				out[i][j] = v[0].Score
			}
		}
	}
	return out, nil
}
