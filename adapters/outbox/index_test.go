package outbox

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/message"
)

// indexCovers fails the test when a school has a message in its lanes
// without a hint at or before its earliest next try: the poll would not
// find it until the full look.
func indexCovers(t *testing.T, o *Outbox) {
	t.Helper()
	ctx := context.Background()
	all := append(slices.Clone(schools), noSchool)
	first, err := o.earliest(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range all {
		if math.IsInf(first[i], 1) {
			continue
		}
		hint, err := o.rdb.ZScore(ctx, o.indexKey(), sc).Result()
		if err != nil || hint > first[i] {
			t.Errorf("%s: hint %v (%v), want one at or before its earliest next try %v", sc, hint, err, first[i])
		}
	}
}

// TestIndexFindsEveryPath: a message put in a lane by every path that puts
// one there is found by the poll's look at the index, not by its full look
// (set to an hour): queued by a process that does not deliver, leased to a
// process that died (by Send or by a change of the store), handed back at a
// stop, and retried later.
func TestIndexFindsEveryPath(t *testing.T) {
	const lease = time.Minute
	tests := []struct {
		name   string
		school string
		// queue puts a message in Redis through dead, a process that never
		// delivers; live delivers after the clock moved by wait.
		queue func(t *testing.T, dead *Outbox, store *redisstore.Store)
		wait  time.Duration
		fail  bool // live's platform fails the first try, asking to wait a minute
	}{
		{name: "send, nobody delivers", school: "het-anker", queue: func(t *testing.T, dead *Outbox, _ *redisstore.Store) {
			if err := dead.Send(context.Background(), msg("het-anker", "k")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "send of no school", school: noSchool, queue: func(t *testing.T, dead *Outbox, _ *redisstore.Store) {
			if err := dead.Send(context.Background(), msg("", "k")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "send, leased to a process that died", school: "de-vaart", wait: lease, queue: func(t *testing.T, dead *Outbox, _ *redisstore.Store) {
			dead.running.Store(true)
			if err := dead.Send(context.Background(), msg("de-vaart", "k")); err != nil {
				t.Fatal(err)
			}
			<-dead.urgent
		}},
		// The store's change is made at the real time: due a moment after
		// the clock, which stands still until moved.
		{name: "store change, no room", school: "de-vaart", wait: time.Second, queue: func(t *testing.T, dead *Outbox, store *redisstore.Store) {
			queueRequest(t, dead, store, "r1")
		}},
		{name: "store change, leased to a process that died", school: "de-vaart", wait: lease, queue: func(t *testing.T, dead *Outbox, store *redisstore.Store) {
			dead.running.Store(true)
			queueRequest(t, dead, store, "r1")
			<-dead.urgent
			// What its Run does first, before it died.
			if err := dead.flushHints(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "handed back at a stop", school: "de-vaart", queue: func(t *testing.T, dead *Outbox, _ *redisstore.Store) {
			dead.running.Store(true)
			if err := dead.Send(context.Background(), msg("de-vaart", "k")); err != nil {
				t.Fatal(err)
			}
			dead.running.Store(false)
			dead.releaseLocal(context.Background())
		}},
		{name: "retried later", school: "het-anker", wait: 2 * lease, fail: true, queue: func(t *testing.T, dead *Outbox, _ *redisstore.Store) {
			if err := dead.Send(context.Background(), msg("het-anker", "k")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, prefix := redistest.Client(t), redistest.Prefix(t)
			ctx := context.Background()
			clk := &clock{t: time.Now()}
			p := newPlatform()
			if tt.fail {
				p.failing = func(key string, try int) error {
					if key == "k" && try == 1 {
						return &message.RetryAfterError{After: 2 * lease, Err: errors.New("429")}
					}
					return nil
				}
			}
			live := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{Lease: lease, FullLook: time.Hour})
			live.SetRenderer(&renderer{})
			dead := newOutboxOn(t, clk.Now, rdb, prefix, newPlatform(), Options{Lease: lease, Workers: 1})
			store := redisstore.New(rdb, prefix, quiet)
			store.SetCourier(dead)
			// A first message, delivered: live's full look at its start is
			// over before the message under test is queued.
			if err := dead.Send(ctx, msg("het-anker", "probe")); err != nil {
				t.Fatal(err)
			}
			running(t, live)
			eventually(t, "the probe delivered", func() bool { return p.delivered("probe") == 1 })

			tt.queue(t, dead, store)
			indexCovers(t, live)
			if tt.wait > 0 {
				time.Sleep(20 * time.Millisecond) // a few polls, on a clock that stands still
				if n := p.total(); n != 1 {
					t.Fatalf("%d delivered before its time, want only the probe", n)
				}
				clk.Add(tt.wait)
			}
			eventually(t, "delivered", func() bool { return p.total() == 2 })
			if n, err := live.Pending(ctx, tt.school); err != nil || n != 0 {
				eventually(t, "recorded as done", func() bool { n, _ := live.Pending(ctx, tt.school); return n == 0 })
			}
			indexCovers(t, live)
		})
	}
}

// TestFullLookFindsALostHint: a message whose hint was lost (its process
// stopped between queuing and hinting) is not seen by the index, and is
// found by the next full look, which puts its hint back.
func TestFullLookFindsALostHint(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	ctx := context.Background()
	p := newPlatform()
	dead := newOutbox(t, rdb, prefix, newPlatform(), Options{})
	for _, sc := range []string{"de-vaart", ""} {
		if err := dead.Send(ctx, msg(sc, "k"+sc)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.Del(ctx, dead.indexKey()).Err(); err != nil { // the hints lost
		t.Fatal(err)
	}
	o := newOutbox(t, rdb, prefix, p, Options{FullLook: 200 * time.Millisecond})
	now := time.Now()
	if due, err := o.indexed(ctx, now); err != nil || len(due) != 0 {
		t.Fatalf("index look = %v, %v; want nothing", due, err)
	}
	due, err := o.fullLook(ctx, now)
	slices.Sort(due)
	if err != nil || !slices.Equal(due, []string{noSchool, "de-vaart"}) {
		t.Fatalf("full look = %v, %v; want _ and de-vaart", due, err)
	}
	indexCovers(t, o)

	// Lost again; Run's full look, every 200 ms, finds them.
	if err := rdb.Del(ctx, dead.indexKey()).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	running(t, o)
	// Run's first look is a full one: wait for it to pass, then lose the
	// hint of a third message.
	eventually(t, "the first two delivered", func() bool { return p.total() == 2 })
	if err := dead.Send(ctx, msg("het-anker", "late")); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ZRem(ctx, dead.indexKey(), "het-anker").Err(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the third delivered by a full look", func() bool { return p.delivered("late") == 1 })
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v, want about the full look's 200 ms", took)
	}
}

// TestRehintInterleavings runs every interleaving of a writer (queue a
// message: script, then hint) with rehint (remove the hint, read the lanes,
// lower the hint), starting from an old hint that is due, with and without
// a message waiting already: the message queued always ends with a hint at
// or before its next try.
func TestRehintInterleavings(t *testing.T) {
	// w: the writer's two steps; r: rehint's three. Every order of them
	// that keeps each side's own order.
	var orders []string
	var build func(prefix string, w, r int)
	build = func(prefix string, w, r int) {
		if w == 2 && r == 3 {
			orders = append(orders, prefix)
			return
		}
		if w < 2 {
			build(prefix+"w", w+1, r)
		}
		if r < 3 {
			build(prefix+"r", w, r+1)
		}
	}
	build("", 0, 0)
	if len(orders) != 10 {
		t.Fatalf("%d orders, want 10", len(orders))
	}
	for _, waiting := range []bool{false, true} {
		for _, order := range orders {
			t.Run(fmt.Sprintf("%s/waiting=%v", order, waiting), func(t *testing.T) {
				rdb, prefix := redistest.Client(t), redistest.Prefix(t)
				ctx := context.Background()
				now := time.Now()
				o := New(rdb, prefix, schools, newPlatform(), func() time.Time { return now }, Options{}, quiet)
				sc := "de-vaart"
				// The old hint, due already; what it was for is claimed or
				// done.
				if err := rdb.ZAdd(ctx, o.indexKey(), redis.Z{Score: float64(now.Add(-time.Second).UnixMilli()), Member: sc}).Err(); err != nil {
					t.Fatal(err)
				}
				if waiting { // a claimed message, its lease running
					queueRaw(t, o, sc, "old", now.Add(time.Minute).UnixMilli())
				}
				at := now.Add(5 * time.Second).UnixMilli()
				var first []float64
				w, r := 0, 0
				for _, step := range order {
					switch {
					case step == 'w' && w == 0:
						queueRaw(t, o, sc, "new", at)
						w++
					case step == 'w':
						o.hint(ctx, sc, at)
						w++
					case r == 0:
						if err := o.unhint(ctx, []string{sc}); err != nil {
							t.Fatal(err)
						}
						r++
					case r == 1:
						var err error
						if first, err = o.earliest(ctx, []string{sc}); err != nil {
							t.Fatal(err)
						}
						r++
					default:
						var zs []redis.Z
						if !math.IsInf(first[0], 1) {
							zs = append(zs, redis.Z{Score: first[0], Member: sc})
						}
						if _, err := o.lower(ctx, zs); err != nil {
							t.Fatal(err)
						}
					}
				}
				hint, err := rdb.ZScore(ctx, o.indexKey(), sc).Result()
				if err != nil || hint > float64(at) {
					t.Errorf("hint %v (%v), want one at or before %d", hint, err, at)
				}
			})
		}
	}
}

// queueRaw puts a message in sc's queue due at at (ms), as enqueue.lua
// does, without a hint.
func queueRaw(t *testing.T, o *Outbox, sc, key string, at int64) {
	t.Helper()
	keys := []string{o.key(sc, "queue"), o.key(sc, "msg"), o.key(sc, "done:"+key), o.key(sc, "tries")}
	if err := enqueueScript.Run(context.Background(), o.rdb, keys, key, `{}`, strconv.FormatInt(at, 10), "0").Err(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkIdlePoll is one idle look of the poll at 10,000 schools with
// nothing waiting: the full look at every school's two lanes (every poll's
// look before the index, now at start and every FullLook) against the look
// at the index.
func BenchmarkIdlePoll(b *testing.B) {
	rdb, prefix := redistest.Client(b), redistest.Prefix(b)
	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf("school-%05d", i)
	}
	o := New(rdb, prefix, many, newPlatform(), time.Now, Options{}, quiet)
	ctx := context.Background()
	for _, look := range []struct {
		name string
		f    func(context.Context, time.Time) ([]string, error)
	}{{"every school", o.fullLook}, {"index", o.indexed}} {
		b.Run(look.name, func(b *testing.B) {
			before := commands(b, rdb)
			n := 0
			for b.Loop() {
				due, err := look.f(ctx, time.Now())
				if err != nil || len(due) != 0 {
					b.Fatal(due, err)
				}
				n++
			}
			if after := commands(b, rdb); after >= 0 && before >= 0 {
				b.ReportMetric(float64(after-before)/float64(n), "redis-cmds/op")
			}
		})
	}
}

// TestIndexStress: messages queued by processes that do not deliver, from
// many goroutines at once, while a live process polls the index and
// rehints (its full look an hour away): every one is delivered, once.
func TestIndexStress(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	live := newOutbox(t, rdb, prefix, p, Options{FullLook: time.Hour, Poll: time.Millisecond, Workers: 4})
	running(t, live)
	eventually(t, "the live process polling", live.running.Load)
	const senders, each = 8, 40
	var wg sync.WaitGroup
	for g := range senders {
		dead := newOutbox(t, rdb, prefix, newPlatform(), Options{})
		wg.Go(func() {
			for i := range each {
				sc := []string{"de-vaart", "het-anker", ""}[(g+i)%3]
				m := msg(sc, fmt.Sprint("k", g, "-", i))
				m.Urgent = i%2 == 0
				if err := dead.Send(context.Background(), m); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	eventually(t, "all delivered", func() bool { return p.total() >= senders*each })
	if got := p.total(); got != senders*each {
		t.Errorf("%d deliveries for %d messages", got, senders*each)
	}
}
