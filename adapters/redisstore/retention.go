package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// PreviousStatsTTL is how long statistics were kept before it could be
// set: what keys written then were given.
const PreviousStatsTTL = 400 * 24 * time.Hour

// RaiseStatsTTL gives the statistics keys written under a shorter TTL the
// longer one now set (SetStatsTTL): each key's remaining life grows by the
// difference, so it lives the new TTL after its last change. Never
// shorter: a lower setting changes nothing. The TTL applied last is kept
// at <prefix>:stats_ttl, and exactly one process claims each raise (GETSET),
// so a start with the same setting costs one command. Run at start; it
// reports how many keys it raised. A failure is not fatal: the counters
// written from now on get the new TTL anyway.
func (s *Store) RaiseStatsTTL(ctx context.Context, schools []string, now time.Time) (int, error) {
	marker := s.prefix + ":stats_ttl"
	newMS := s.stats.Milliseconds()
	cur, err := s.rdb.Get(ctx, marker).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		cur = PreviousStatsTTL.Milliseconds()
	case err != nil:
		return 0, fail("redisstore: stats ttl", err)
	}
	if newMS <= cur {
		return 0, nil
	}
	// Claim the raise: of processes starting together, one sees the old
	// value.
	prev, err := s.rdb.SetArgs(ctx, marker, strconv.FormatInt(newMS, 10), redis.SetArgs{Get: true}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fail("redisstore: stats ttl", err)
	}
	if p, perr := strconv.ParseInt(prev, 10, 64); perr == nil && p >= newMS {
		return 0, nil // another process raised already
	} else if perr == nil {
		cur = p
	}
	delta := newMS - cur
	// The keys written within the old TTL: weeks and months back from now.
	var rests []string
	seen := map[string]bool{}
	for t := now.Add(-time.Duration(cur)*time.Millisecond).AddDate(0, 0, -7); !t.After(now.AddDate(0, 0, 7)); t = t.AddDate(0, 0, 1) {
		for _, r := range []string{"week:" + bot.WeekOf(t), "tta:" + bot.WeekOf(t), "month:" + bot.MonthOf(t), "tta:" + bot.MonthOf(t)} {
			if !seen[r] {
				seen[r] = true
				rests = append(rests, r)
			}
		}
	}
	rests = append(rests, "months")
	raised := 0
	for _, sc := range schools {
		keys := make([]string, len(rests))
		ttls := make([]*redis.DurationCmd, len(rests))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, r := range rests {
				keys[i] = s.key(sc, r)
				ttls[i] = p.PTTL(ctx, keys[i])
			}
			return nil
		}); err != nil {
			return raised, fail("redisstore: raise stats ttl", err)
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range ttls {
				if left := c.Val(); left > 0 {
					p.PExpire(ctx, keys[i], left+time.Duration(delta)*time.Millisecond)
					raised++
				}
			}
			return nil
		}); err != nil {
			return raised, fail("redisstore: raise stats ttl", err)
		}
	}
	if raised > 0 {
		s.log.Info("statistics kept longer", "keys", raised, "ttl", s.stats)
	}
	return raised, nil
}
