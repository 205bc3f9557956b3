package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
)

// TestOpenKinds: a cluster URL makes a cluster client, a Sentinel URL a
// client of the master the sentinels name, each tuned like the client of
// one server; a password in a refused URL is not repeated.
func TestOpenKinds(t *testing.T) {
	c, closeC, err := Open("redis+cluster://:geheim@127.0.0.1:1,127.0.0.1:2?pool_size=9")
	if err != nil {
		t.Fatal(err)
	}
	defer closeC()
	co := c.(*redis.ClusterClient).Options()
	if strings.Join(co.Addrs, ",") != "127.0.0.1:1,127.0.0.1:2" || co.Password != "geheim" || co.PoolSize != 9 ||
		co.DialTimeout != time.Second || co.ReadTimeout != time.Second || co.MaxRedirects != 3 || co.ReadOnly || co.ReadBufferSize != 8<<10 {
		t.Errorf("cluster options = %+v", co)
	}

	s, closeS, err := Open("redis+sentinel://:geheim@127.0.0.1:1,127.0.0.1:2/hulpbot/2?sentinel_password=wacht")
	if err != nil {
		t.Fatal(err)
	}
	defer closeS()
	so := s.(*redis.Client).Options()
	if so.Password != "geheim" || so.DB != 2 || so.PoolSize != 64 || so.DialTimeout != time.Second || so.MaxRetries != 1 {
		t.Errorf("failover client options = %+v", so)
	}

	for _, raw := range []string{"redis+cluster://:geheim@127.0.0.1:1?pool_size=many", "redis+sentinel://:geheim@127.0.0.1:1/m?dial_timeout=geheim"} {
		_, _, err := Open(raw)
		if err == nil {
			t.Errorf("Open(%q): no error", raw)
		} else if strings.Contains(err.Error(), "geheim") {
			t.Errorf("Open(%q) = %v: repeats the password", raw, err)
		}
	}
}

// story runs the request story for n schools through s: a request offered
// to anne, her offer timed out to bram, accepted and resolved; then the
// sweeper's look over all schools finds nothing due and the requester
// indexes migrate (a SCAN of every master). It fails t on any error.
func story(ctx context.Context, t *testing.T, s *Store, n int) {
	t.Helper()
	schools := make([]string, n)
	all := cands("anne", "bram")
	for i := range schools {
		schools[i] = fmt.Sprintf("school-%d", i)
		r := request("r1", t0)
		r.SchoolID = schools[i]
		got, err := s.CreateAndOffer(ctx, t0, r, all, t0.Add(timeout), retention)
		if err != nil || got.HelperID != "anne" {
			t.Fatalf("%s: CreateAndOffer = %+v, %v", schools[i], got, err)
		}
	}
	due, _, err := s.SchoolsWithDueWork(ctx, schools, t0.Add(timeout+time.Second))
	if err != nil || len(due) != n {
		t.Fatalf("SchoolsWithDueWork = %d schools, %v; want %d", len(due), err, n)
	}
	// The due index, in a slot of its own, finds them too.
	if due, next, err := s.DueSchools(ctx, t0.Add(timeout), nil); err != nil || len(due) != n || !next.IsZero() {
		t.Fatalf("DueSchools = %d schools, next %s, %v; want %d", len(due), next, err, n)
	}
	at := t0.Add(timeout + time.Second)
	for _, sc := range schools {
		offers, err := s.DueOffers(ctx, sc, at, 10)
		if err != nil || len(offers) != 1 {
			t.Fatalf("%s: DueOffers = %v, %v", sc, offers, err)
		}
		if r, err := s.Advance(ctx, at, sc, "r1", 1, bot.ReasonTimeout, "", all, at.Add(timeout)); err != nil || r.HelperID != "bram" {
			t.Fatalf("%s: Advance = %+v, %v", sc, r, err)
		}
		if r, err := s.Accept(ctx, at, sc, "bram", "r1", 2); err != nil || r.State != bot.StateAccepted {
			t.Fatalf("%s: Accept = %+v, %v", sc, r, err)
		}
		if r, err := s.Resolve(ctx, at, sc, "bram", ""); err != nil || r.State != bot.StateResolved {
			t.Fatalf("%s: Resolve = %+v, %v", sc, r, err)
		}
		if ok, err := s.Lease(ctx, sc, "digest:"+week, time.Minute); err != nil || !ok {
			t.Fatalf("%s: Lease = %v, %v", sc, ok, err)
		}
	}
	if due, _, err := s.SchoolsWithDueWork(ctx, schools, at); err != nil || len(due) != 0 {
		t.Errorf("after the story SchoolsWithDueWork = %v, %v; want none", due, err)
	}
	if next, err := s.Rehint(ctx, at, schools); err != nil || !next.IsZero() {
		t.Errorf("after the story Rehint = %s, %v; want nothing waiting", next, err)
	}
	if due, next, err := s.DueSchools(ctx, at.Add(time.Hour), nil); err != nil || len(due) != 0 || !next.IsZero() {
		t.Errorf("after the story DueSchools = %v, next %s, %v; want none", due, next, err)
	}
	if _, err := s.MigrateRequesterIndexes(ctx); err != nil {
		t.Errorf("MigrateRequesterIndexes: %v", err)
	}
}

// TestOnCluster: on a real Redis Cluster of three masters, the story runs
// for 30 schools spread over all three, and a failover of one master loses
// nothing written before it.
func TestOnCluster(t *testing.T) {
	cl := redistest.Cluster(t)
	rdb, closeRedis, err := Open(cl.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRedis()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := New(rdb, "hb", nil)
	// The guard's clock: every master's TIME, the one furthest behind
	// (all on this machine's clock here).
	if err := s.SyncClock(ctx); err != nil {
		t.Fatalf("SyncClock on a cluster: %v", err)
	}
	if d := time.Duration(s.skew.Load()) * time.Millisecond; d < -time.Second || d > time.Second {
		t.Errorf("skew %s on one machine, want under a second", d)
	}
	story(ctx, t, s, 30)
	masters := map[string]bool{}
	for i := range 30 {
		n, err := rdb.(*redis.ClusterClient).MasterForKey(ctx, s.key(fmt.Sprintf("school-%d", i), "req:r1"))
		if err != nil {
			t.Fatal(err)
		}
		masters[n.Options().Addr] = true
	}
	if len(masters) != 3 {
		t.Errorf("30 schools on %d masters, want 3", len(masters))
	}
	if _, _, err := cl.Failover(ctx, s.key("school-0", "x")); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Request(ctx, "school-0", "r1"); err != nil || r.State != bot.StateResolved {
		t.Errorf("after the failover school-0's request = %+v, %v; want resolved", r, err)
	}
	// The new master runs the scripts too (EVALSHA falls back to EVAL).
	story(ctx, t, New(rdb, "hb2", nil), 3)

	// The 30 schools, written alone, join pools of three sharing anne: a
	// first start moves their keys across slots and masters in pipelines.
	var scs []*bot.School
	for i := range 30 {
		scs = append(scs, pooledSchool(fmt.Sprintf("school-%d", i),
			helperOn("anne", fmt.Sprintf("anne%d", i/3)), helperOn("bram", fmt.Sprintf("bram%d", i))))
	}
	dir, err := bot.NewDirectory(scs)
	if err != nil {
		t.Fatal(err)
	}
	dir.LinkPeople(mattermost)
	pooled := New(rdb, "hb", nil)
	pooled.UsePools(dir)
	if err := pooled.MigrateLayout(ctx, dir); err != nil {
		t.Fatalf("MigrateLayout on a cluster: %v", err)
	}
	for _, sc := range []string{"school-0", "school-17", "school-29"} {
		if r, err := pooled.Request(ctx, sc, "r1"); err != nil || r.State != bot.StateResolved {
			t.Errorf("%s's request after the move = %+v, %v; want resolved", sc, r, err)
		}
		if n, err := rdb.Exists(ctx, s.key(sc, "req:r1")).Result(); err != nil || n != 0 {
			t.Errorf("%s's request left at its old place (%d, %v)", sc, n, err)
		}
	}
}

// TestOnSentinel: through Redis Sentinel the story runs, and goes on on the
// new master after SENTINEL FAILOVER.
func TestOnSentinel(t *testing.T) {
	st := redistest.Sentinel(t)
	rdb, closeRedis, err := Open(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRedis()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	story(ctx, t, New(rdb, "hb", nil), 5)
	if err := rdb.(*redis.Client).Wait(ctx, 1, 2*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	_, to, err := st.Failover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The client follows the sentinels' announcement; until then a write
	// may still reach the old master.
	s := New(rdb, "hb2", nil)
	_, port, _ := strings.Cut(to, ":")
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := rdb.Info(ctx, "server").Result()
		if err == nil && strings.Contains(info, "tcp_port:"+port+"\r\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client does not reach the new master %s: %v", to, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	story(ctx, t, s, 5)
	if r, err := New(rdb, "hb", nil).Request(ctx, "school-0", "r1"); err != nil || r.State != bot.StateResolved {
		t.Errorf("after the failover school-0's request = %+v, %v; want resolved", r, err)
	}
}

// BenchmarkReplicaBound measures what bounding a failover's loss costs a
// request for help (CreateAndOffer) on a master with one replica: as is;
// with min-replicas-to-write 1 (the master refuses writes when no replica
// follows it); and with WAIT 1 after the change on the same connection (the
// change is on the replica before anyone is told). The three alternate
// call by call, so a busy machine weighs on each alike; it reports each
// one's median and p99 in µs. docs/benchmarks.md has the figures.
//
//	go test ./adapters/redisstore/ -run '^$' -bench ReplicaBound -benchtime 6000x
func BenchmarkReplicaBound(b *testing.B) {
	st := redistest.Sentinel(b)
	ctx := context.Background()
	master := redis.NewClient(&redis.Options{Addr: st.Master, PoolSize: 1})
	b.Cleanup(func() { _ = master.Close() })
	cs := cands("anne", "bram", "cees")
	s := New(master, redistest.Prefix(b), nil)
	modes := []string{"async", "min-replicas-to-write_1", "WAIT_1"}
	took := make([][]time.Duration, len(modes))
	i := 0
	for b.Loop() {
		m := i % len(modes)
		b.StopTimer()
		minReplicas := "0"
		if m == 1 {
			minReplicas = "1"
		}
		if err := master.ConfigSet(ctx, "min-replicas-to-write", minReplicas).Err(); err != nil {
			b.Fatal(err)
		}
		r := request("r1", t0)
		r.SchoolID = "bench-" + strconv.Itoa(i)
		i++
		b.StartTimer()
		start := time.Now()
		if _, err := s.CreateAndOffer(ctx, t0, r, cs, t0.Add(timeout), retention); err != nil {
			b.Fatal(err)
		}
		if m == 2 {
			if n, err := master.Wait(ctx, 1, time.Second).Result(); err != nil || n < 1 {
				b.Fatalf("WAIT 1 = %d, %v", n, err)
			}
		}
		took[m] = append(took[m], time.Since(start))
	}
	for m, d := range took {
		if len(d) == 0 {
			continue
		}
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds()), "µs-p50-"+modes[m])
		b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "µs-p99-"+modes[m])
	}
}
