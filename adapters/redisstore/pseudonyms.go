package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// Pseudonyms is the deployment's keyring (internal/pseudonym): what names a
// requester's index here, and what the logger and the outbox name people by.
// Its key is kept in Redis, made by whichever process needs it first.
func (s *Store) Pseudonyms() *pseudonym.Keyring { return s.names }

// pseudonym is the pseudonym of who, for operation op: a failure to load the
// key is a failure to reach Redis.
func (s *Store) pseudonym(ctx context.Context, op, who string) (string, error) {
	p, err := s.names.Of(ctx, who)
	if err != nil {
		return "", fail(op+": pseudonym key", err)
	}
	return p, nil
}

// sharedKey loads the key at key, made first (32 random bytes, SET NX) when
// there is none, so every replica has the same. It has no TTL: what was
// named by it must be found again.
func sharedKey(rdb redis.UniversalClient, key string) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		var b [32]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		if err := rdb.SetNX(ctx, key, hex.EncodeToString(b[:]), 0).Err(); err != nil {
			return nil, err
		}
		v, err := rdb.Get(ctx, key).Bytes()
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

// MigrateRequesterIndexes renames the indexes of requesters' active
// requests that earlier versions named by platform and handle
// (<prefix>:{<school>}:mine:<platform>:<handle>) after the requester's
// pseudonym, and marks the records they list with it, so that cancelling
// and closing find them. Run at start; it looks through the key space once
// (every node of a cluster) and reports how many requests it moved. A
// failure is not fatal: until a next start renames it, an old index only
// keeps "/hulp annuleer" without a request id from finding its requests.
// It logs the outcome, counts only.
func (s *Store) MigrateRequesterIndexes(ctx context.Context) (int, error) {
	moved, err := s.migrateRequesterIndexes(ctx)
	if err != nil {
		s.log.Warn("requester indexes of an earlier version not migrated", "moved", moved, "err", err)
	} else if moved > 0 {
		s.log.Info("requester indexes migrated", "requests", moved)
	}
	return moved, err
}

func (s *Store) migrateRequesterIndexes(ctx context.Context) (int, error) {
	const op = "redisstore: migrate requester indexes"
	var keys []string
	// {*mine:* also finds a school in a pool of several:
	// <prefix>:{pool.<id>}:<school>:mine:…
	if err := s.scan(ctx, globEscape(s.prefix)+":{*}:*mine:*:*", func(k string) { keys = append(keys, k) }); err != nil {
		return 0, fail(op, err)
	}
	moved := 0
	for _, k := range keys {
		school, who, ok := s.oldIndex(k)
		if !ok {
			continue
		}
		index, err := s.pseudonym(ctx, op, who)
		if err != nil {
			return moved, err
		}
		v, err := s.run(ctx, op, s.sc.migrateMine, school, []string{k, s.key(school, "mine:"+index)}, "0", who, index)
		if err != nil {
			return moved, err
		}
		n, _ := v[0].(int64)
		moved += int(n)
	}
	return moved, nil
}

// oldIndex reads a key <base>mine:<platform>:<handle> of a school's base
// (layout.go).
func (s *Store) oldIndex(key string) (school, who string, ok bool) {
	rest, ok := strings.CutPrefix(key, s.prefix+":{")
	if !ok {
		return "", "", false
	}
	tag, rest, ok := strings.Cut(rest, "}:")
	if !ok {
		return "", "", false
	}
	school = tag
	if strings.HasPrefix(tag, poolTagPrefix) {
		if school, rest, ok = strings.Cut(rest, ":"); !ok {
			return "", "", false
		}
	}
	who, ok = strings.CutPrefix(rest, "mine:")
	if !ok || checkSchool(school) != nil || !strings.Contains(who, ":") || s.lay(school).tag != tag {
		return "", "", false
	}
	return school, who, true
}

// scan calls f with every key matching the glob match, on each master of a
// cluster.
func (s *Store) scan(ctx context.Context, match string, f func(string)) error {
	var mu sync.Mutex
	one := func(ctx context.Context, c redis.Cmdable) error {
		it := c.Scan(ctx, 0, match, 1000).Iterator()
		for it.Next(ctx) {
			mu.Lock()
			f(it.Val())
			mu.Unlock()
		}
		return it.Err()
	}
	if c, ok := s.rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return one(ctx, n) })
	}
	return one(ctx, s.rdb)
}

// globEscape makes s match itself in a Redis glob pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
