// Package redistest gives tests a Redis: the one REDIS_URL names (a
// server, a Redis Cluster or a Sentinel setup; see internal/redisurl), or an
// embedded miniredis per test when it is unset. Cluster and Sentinel start
// real clusters and Sentinel setups for the tests that need one. Tests that share a real Redis
// keep apart by a key prefix of their own (Prefix), so they may run in
// parallel.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/internal/redisurl"
)

// EnvURL names the environment variable with the URL of a real Redis.
const EnvURL = "REDIS_URL"

// Real reports whether tests run against a real Redis (REDIS_URL is set).
func Real() bool { return os.Getenv(EnvURL) != "" }

// Client returns a client closed when the test ends: on REDIS_URL when set
// (the test fails when that Redis does not answer), otherwise on a new
// miniredis that stops with the test.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	if Real() {
		c := dial(t)
		t.Cleanup(func() { _ = c.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("redistest: ping %s: %v", EnvURL, err)
		}
		return c
	}
	m := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Prefix returns a key prefix no other test uses: the test's name (made safe
// for key patterns) and random hex. On a real Redis the keys under it are
// deleted when the test ends, after the test's own cleanups.
func Prefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "hbtest:" + safe(t.Name()) + ":" + hex.EncodeToString(b[:])
	if Real() {
		t.Cleanup(func() { deleteKeys(t, p) })
	}
	return p
}

// dial connects to REDIS_URL: one server, or a Redis Cluster
// (redis+cluster://) or the master the sentinels name (redis+sentinel://),
// so a package's tests can run on each.
func dial(t testing.TB) redis.UniversalClient {
	t.Helper()
	raw := os.Getenv(EnvURL)
	u, err := redisurl.Parse(raw)
	if err != nil {
		t.Fatalf("redistest: %s: %v", EnvURL, err)
	}
	switch u.Kind {
	case redisurl.Cluster:
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: u.Addrs, Username: u.Username, Password: u.Password})
	case redisurl.Sentinel:
		return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: u.Master, SentinelAddrs: u.Addrs, DB: u.DB,
			Username: u.Username, Password: u.Password, SentinelUsername: u.SentinelUsername, SentinelPassword: u.SentinelPassword})
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("redistest: %s: %v", EnvURL, err)
	}
	return redis.NewClient(opt)
}

// deleteKeys removes the keys under prefix, on every master of a cluster.
// It has a client of its own: by the time cleanups run, the test's client
// may be closed, and the test's context is cancelled.
func deleteKeys(t testing.TB, prefix string) {
	c := dial(t)
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if cc, ok := c.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			deleteOn(ctx, t, n, prefix)
			return nil
		})
		return
	}
	deleteOn(ctx, t, c, prefix)
}

func deleteOn(ctx context.Context, t testing.TB, c redis.Cmdable, prefix string) {
	iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var batch []string
	flush := func() {
		// One key at a time on a cluster would be slow, and UNLINK of
		// several keys must stay in one slot: a pipeline of single UNLINKs.
		if len(batch) > 0 {
			if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range batch {
					p.Unlink(ctx, k)
				}
				return nil
			}); err != nil {
				t.Errorf("redistest: delete keys of %s: %v", prefix, err)
			}
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		t.Errorf("redistest: scan keys of %s: %v", prefix, err)
	}
}

// safe keeps letters, digits, '-' and '_' of a test name, short, so the
// prefix needs no escaping in a SCAN pattern and never contains a brace.
func safe(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}

// Counter counts the round trips a client makes to Redis: each command on
// its own is one, and each pipeline or transaction (MULTI/EXEC) is one. The
// handshake of a new connection (HELLO, AUTH, CLIENT, SELECT) is not
// counted: it is paid once per pooled connection, not per operation.
type Counter struct {
	mu    sync.Mutex
	trips []string // per round trip its command names, e.g. "evalsha" or "multi hset pexpire exec"
}

// Count starts counting c's round trips from now on.
func Count(c redis.UniversalClient) *Counter {
	n := &Counter{}
	c.AddHook(n)
	return n
}

// Reset forgets what was counted so far.
func (n *Counter) Reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.trips = nil
}

// Trips returns the round trips since the last Reset, each as its command
// names: what a failing test prints.
func (n *Counter) Trips() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.trips...)
}

// N is the number of round trips since the last Reset.
func (n *Counter) N() int { return len(n.Trips()) }

func (n *Counter) add(cmds []redis.Cmder) {
	names := make([]string, 0, len(cmds))
	setup := true
	for _, c := range cmds {
		name := strings.ToLower(c.Name())
		names = append(names, name)
		switch name {
		case "hello", "auth", "client", "select":
		default:
			setup = false
		}
	}
	if setup {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.trips = append(n.trips, strings.Join(names, " "))
}

// DialHook implements redis.Hook.
func (n *Counter) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (n *Counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		n.add([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (n *Counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n.add(cmds)
		return next(ctx, cmds)
	}
}

// Keys returns the keys matching the glob pattern: on every master of a
// cluster, on the one server otherwise.
func Keys(ctx context.Context, c redis.UniversalClient, pattern string) ([]string, error) {
	var (
		mu   sync.Mutex
		keys []string
	)
	one := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	if cc, ok := c.(*redis.ClusterClient); ok {
		err := cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return one(ctx, n) })
		return keys, err
	}
	return keys, one(ctx, c)
}
