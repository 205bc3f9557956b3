package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// platform is a fake chat platform: it fails while failing() says so and
// records every delivery it accepted.
type platform struct {
	mu      sync.Mutex
	got     map[string]int
	tries   map[string][]time.Time // on the clock now reads
	failing func(key string, try int) error
	now     func() time.Time
}

func newPlatform() *platform {
	return &platform{got: map[string]int{}, tries: map[string][]time.Time{}, now: time.Now}
}

func (p *platform) Send(_ context.Context, m message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries[m.Key] = append(p.tries[m.Key], p.now())
	if p.failing != nil {
		if err := p.failing(m.Key, len(p.tries[m.Key])); err != nil {
			return err
		}
	}
	p.got[m.Key]++
	return nil
}

func (p *platform) delivered(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[key]
}

func (p *platform) attempts(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.tries[key])
}

func (p *platform) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.got {
		n += c
	}
	return n
}

func fast(attempt int) time.Duration { return 5 * time.Millisecond }

// schools are the schools every test outbox delivers for.
var schools = []string{"de-vaart", "het-anker"}

func newOutbox(t *testing.T, rdb redis.UniversalClient, prefix string, p message.Sender, opt Options) *Outbox {
	t.Helper()
	return newOutboxOn(t, time.Now, rdb, prefix, p, opt)
}

// newOutboxOn is newOutbox on the clock now.
func newOutboxOn(t *testing.T, now func() time.Time, rdb redis.UniversalClient, prefix string, p message.Sender, opt Options) *Outbox {
	t.Helper()
	if opt.Backoff == nil {
		opt.Backoff = fast
	}
	if opt.Poll == 0 {
		opt.Poll = 5 * time.Millisecond
	}
	return New(rdb, prefix, schools, p, now, opt, quiet)
}

// clock is a fake clock: it stands still until the test moves it, so a
// lease or a Retry-After runs out exactly when the test says.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock reads Monday 23 November 2026, 09:00 UTC.
func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// running starts o.Run and returns stop, which ends it and waits until Run
// has returned: the deliveries under way are done then, and o delivers
// nothing more. The test's end stops it too.
func running(t *testing.T, o *Outbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// nothingPending fails the test when a message still waits in Redis for
// any school: after the outboxes stopped, nothing would deliver it again.
func nothingPending(t *testing.T, o *Outbox) {
	t.Helper()
	for _, s := range append(slices.Clone(schools), noSchool) {
		if n, err := o.Pending(context.Background(), s); n != 0 || err != nil {
			t.Errorf("%s: Pending = %d, %v; want 0 waiting", s, n, err)
		}
	}
}

func msg(school, key string) message.Message {
	return message.Message{
		To:       bot.Recipient{Address: bot.Address{Platform: slack, Handle: "U0ANNE0001"}},
		SchoolID: school, Key: key, Text: "Kun je even helpen?", Urgent: true,
		Buttons:     []message.Button{{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "r1", OfferNo: 1}},
		Attachments: []message.Attachment{{Name: "x.png", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}}},
	}
}

// eventually waits for cond, which another goroutine makes true, looking
// every few milliseconds for up to ten seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	look := time.NewTicker(5 * time.Millisecond)
	defer look.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("not within 10s: %s", what)
		case <-look.C:
		}
	}
}

func TestDeliversOnceAndIgnoresRepeats(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	var seen message.Message
	spy := senderFunc(func(ctx context.Context, m message.Message) error { seen = m; return p.Send(ctx, m) })
	o := newOutbox(t, rdb, prefix, spy, Options{})
	ctx := context.Background()
	if err := o.Send(ctx, msg("de-vaart", "k1")); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(ctx, msg("de-vaart", "k1")); err != nil { // queued twice before delivery
		t.Fatal(err)
	}
	stop := running(t, o)
	eventually(t, "k1 delivered", func() bool { return p.delivered("k1") == 1 })
	if err := o.Send(ctx, msg("de-vaart", "k1")); err != nil { // and again after
		t.Fatal(err)
	}
	if err := o.Send(ctx, msg("het-anker", "k2")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "k2 delivered", func() bool { return p.delivered("k2") == 1 })
	stop() // its record of the deliveries is written when Run returns
	if got := p.delivered("k1"); got != 1 {
		t.Errorf("k1 delivered %d times, want 1", got)
	}
	if seen.Text != "Kun je even helpen?" || len(seen.Buttons) != 1 || string(seen.Attachments[0].Data[1:]) != "PNG" || seen.SchoolID != "het-anker" {
		t.Errorf("message changed on its way through the outbox: %+v", seen)
	}
	nothingPending(t, o)
}

type senderFunc func(context.Context, message.Message) error

func (f senderFunc) Send(ctx context.Context, m message.Message) error { return f(ctx, m) }

func TestRetriesUntilThePlatformRecovers(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	var down sync.Mutex
	outage := true
	p.failing = func(string, int) error {
		down.Lock()
		defer down.Unlock()
		if outage {
			return errors.New("502 bad gateway")
		}
		return nil
	}
	o := newOutbox(t, rdb, prefix, p, Options{})
	stop := running(t, o)
	for i := range 20 {
		if err := o.Send(context.Background(), msg("de-vaart", fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "several tries during the outage", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.tries["k0"]) >= 3
	})
	down.Lock()
	outage = false
	down.Unlock()
	eventually(t, "all delivered after recovery", func() bool { return p.total() == 20 })
	stop()
	for i := range 20 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times, want 1", i, got)
		}
	}
	nothingPending(t, o)
}

func TestPermanentFailureIsDropped(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	p.failing = func(key string, _ int) error {
		if key == "gone" {
			return fmt.Errorf("user_not_found: %w", message.ErrPermanent)
		}
		return nil
	}
	o := newOutbox(t, rdb, prefix, p, Options{})
	running(t, o)
	_ = o.Send(context.Background(), msg("de-vaart", "gone"))
	_ = o.Send(context.Background(), msg("de-vaart", "ok"))
	eventually(t, "ok delivered", func() bool { return p.delivered("ok") == 1 })
	eventually(t, "queue empty", func() bool { n, _ := o.Pending(context.Background(), "de-vaart"); return n == 0 })
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.tries["gone"]); n != 1 {
		t.Errorf("a permanent failure was tried %d times, want 1", n)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	p.failing = func(string, int) error { return errors.New("timeout") }
	o := newOutbox(t, rdb, prefix, p, Options{MaxAttempts: 4})
	running(t, o)
	_ = o.Send(context.Background(), msg("de-vaart", "k"))
	eventually(t, "queue empty", func() bool { n, _ := o.Pending(context.Background(), "de-vaart"); return n == 0 })
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.tries["k"]); n != 4 {
		t.Errorf("tried %d times, want 4", n)
	}
}

// TestRetryAfterIsRespected: after a 429 with Retry-After, the next try
// waits that long (not the shorter backoff), on a clock the test moves.
func TestRetryAfterIsRespected(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	clk := newClock()
	p := newPlatform()
	p.now = clk.Now
	p.failing = func(_ string, try int) error {
		if try == 1 {
			return &message.RetryAfterError{After: 300 * time.Millisecond, Err: errors.New("429 ratelimited")}
		}
		return nil
	}
	o := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{})
	running(t, o)
	ctx := context.Background()
	_ = o.Send(ctx, msg("de-vaart", "k"))
	retryAt := clk.Now().Add(300 * time.Millisecond).UnixMilli()
	eventually(t, "the retry scheduled", func() bool {
		return rdb.ZScore(ctx, o.key("de-vaart", "urgent"), "k").Val() == float64(retryAt)
	})
	// The clock stands still: no try is due before it moves.
	clk.Add(299 * time.Millisecond)
	if batch, err := o.claim(ctx, "de-vaart", allLanes, 10); len(batch) != 0 || err != nil {
		t.Fatalf("claim 1ms before the Retry-After ran out = %+v, %v; want nothing", batch, err)
	}
	clk.Add(time.Millisecond)
	eventually(t, "delivered", func() bool { return p.delivered("k") == 1 })
	p.mu.Lock()
	defer p.mu.Unlock()
	if gap := p.tries["k"][1].Sub(p.tries["k"][0]); gap != 300*time.Millisecond {
		t.Errorf("second try %s after a 429 with Retry-After 300ms, want 300ms", gap)
	}
}

// TestReplicas: five processes' outboxes on one Redis deliver each message
// exactly once between them.
func TestReplicas(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	var boxes []*Outbox
	var stops []func()
	for range 5 {
		o := newOutbox(t, rdb, prefix, p, Options{Workers: 4})
		stops = append(stops, running(t, o))
		boxes = append(boxes, o)
	}
	const n = 300
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every message is sent by two replicas, as a retried event would.
			m := msg([]string{"de-vaart", "het-anker"}[i%2], fmt.Sprint("k", i))
			_ = boxes[i%5].Send(context.Background(), m)
			_ = boxes[(i+1)%5].Send(context.Background(), m)
		}()
	}
	wg.Wait()
	eventually(t, "all delivered", func() bool { return p.total() >= n })
	for _, stop := range stops {
		stop()
	}
	if got := p.total(); got != n {
		t.Errorf("%d deliveries for %d messages", got, n)
	}
	nothingPending(t, boxes[0])
}

// TestLeaseRunsOut: a process that queued a message for its own delivery,
// or claimed one, and died does not block it: after its lease another
// process delivers it, once.
func TestLeaseRunsOut(t *testing.T) {
	const lease = time.Minute
	for _, how := range []string{"queued", "claimed"} {
		t.Run(how, func(t *testing.T) {
			rdb, prefix := redistest.Client(t), redistest.Prefix(t)
			clk := newClock()
			p := newPlatform()
			dead := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{Lease: lease, Workers: 1})
			ctx := context.Background()
			var held claimed
			dead.running.Store(true) // as if Run had started, then the process died
			if how == "queued" {
				_ = dead.Send(ctx, msg("de-vaart", "k"))
				held = <-dead.urgent
			} else {
				for i := range 4 { // fill the dead process's own room, so k waits for a claim
					_ = dead.Send(ctx, msg("de-vaart", fmt.Sprint("own", i)))
				}
				_ = dead.Send(ctx, msg("de-vaart", "k"))
				batch, err := dead.claim(ctx, "de-vaart", allLanes, 10)
				if err != nil || len(batch) != 1 || batch[0].key != "k" {
					t.Fatalf("claim = %+v, %v; want k", batch, err)
				}
				held = batch[0]
			}
			// The dead process never delivers. Another cannot claim k until
			// the lease has run out, to the millisecond.
			live := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{})
			clk.Add(lease - time.Millisecond)
			if batch, err := live.claim(ctx, "de-vaart", allLanes, 10); len(batch) != 0 || err != nil {
				t.Fatalf("claim during the lease = %+v, %v; want nothing", batch, err)
			}
			clk.Add(time.Millisecond)
			running(t, live)
			eventually(t, "delivered after the lease", func() bool { return p.delivered("k") == 1 })
			// The dead process's late finish must not count for anything.
			dead.finish(ctx, finished{"de-vaart", held})
			eventually(t, "the live process finished k", func() bool {
				return rdb.Exists(ctx, live.key("de-vaart", "done:k")).Val() == 1
			})
			if got := p.delivered("k"); got != 1 {
				t.Errorf("delivered %d times, want 1", got)
			}
		})
	}
}

// TestOwnMessagesNeedNoClaim: what a process queues itself is delivered at
// once, without a poll, a wake-up or a claim; beyond its room the rest waits
// in Redis for a claim, and everything is delivered once.
func TestOwnMessagesNeedNoClaim(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	o := newOutbox(t, rdb, prefix, p, Options{Workers: 2, Poll: time.Hour})
	ctx := context.Background()
	stop := running(t, o)
	if err := o.Send(ctx, msg("de-vaart", "first")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "delivered without a poll", func() bool { return p.delivered("first") == 1 })
	eventually(t, "recorded as done, its attempts forgotten", func() bool {
		return rdb.Exists(ctx, o.key("de-vaart", "done:first")).Val() == 1 &&
			rdb.HExists(ctx, o.key("de-vaart", "tries"), "first").Val() == false
	})

	// 50 at once: 8 fit in the process's room (4 × Workers), the others are
	// claimed through the wake-up.
	for i := range 50 {
		if err := o.Send(ctx, msg("het-anker", fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "all 51 delivered", func() bool { return p.total() == 51 })
	stop()
	for i := range 50 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times, want 1", i, got)
		}
	}
	nothingPending(t, o)
}

// TestStopHandsBackWaitingMessages: a process that stops with messages of
// its own not yet delivered makes them due at once for the other processes,
// instead of leaving them to their leases.
func TestStopHandsBackWaitingMessages(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	underway, unblock := make(chan struct{}, 1), make(chan struct{})
	slow := senderFunc(func(ctx context.Context, m message.Message) error {
		select {
		case underway <- struct{}{}:
		default:
		}
		<-unblock
		return p.Send(ctx, m)
	})
	stopping := newOutbox(t, rdb, prefix, slow, Options{Workers: 1, Lease: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { stopping.Run(ctx); close(done) }()
	// Only a process that delivers takes what it sends for its own delivery.
	eventually(t, "the process delivering", stopping.running.Load)
	for i := range 4 {
		if err := stopping.Send(context.Background(), msg("de-vaart", fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	// One delivery is under way and blocked; the rest wait in the process.
	select {
	case <-underway:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery under way within 10s")
	}
	cancel()
	close(unblock)
	<-done
	// Sent after the process stopped delivering: it waits in Redis, due.
	if err := stopping.Send(context.Background(), msg("de-vaart", "k4")); err != nil {
		t.Fatal(err)
	}

	other := newOutbox(t, rdb, prefix, p, Options{})
	stop := running(t, other)
	eventually(t, "all five delivered long before the hour's lease", func() bool { return p.total() == 5 })
	stop()
	for i := range 5 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times, want 1", i, got)
		}
	}
	nothingPending(t, other)
}

func TestRedisDownOnSend(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	o := New(rdb, "hb", []string{"de-vaart"}, newPlatform(), time.Now, Options{}, quiet)
	err := o.Send(context.Background(), msg("de-vaart", "k"))
	if !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("Send with Redis down = %v, want ErrUnavailable", err)
	}
}

// TestUrgentFirst: with many messages waiting, offers go out before the
// messages nobody has to act on.
func TestUrgentFirst(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	var mu sync.Mutex
	var order []string
	rec := senderFunc(func(_ context.Context, m message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, m.Key)
		return nil
	})
	o := newOutbox(t, rdb, prefix, rec, Options{Workers: 1, Poll: 50 * time.Millisecond})
	ctx := context.Background()
	for i := range 5 {
		m := msg("de-vaart", fmt.Sprint("later", i))
		m.Urgent = false
		_ = o.Send(ctx, m)
	}
	_ = o.Send(ctx, msg("de-vaart", "offer"))
	running(t, o)
	eventually(t, "all six delivered", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 6 })
	mu.Lock()
	defer mu.Unlock()
	if order[0] != "offer" {
		t.Errorf("delivered in order %v, want the offer first", order)
	}
}

// TestLogKeyHasNoHandle: what the log shows of a message key names nobody,
// also of the keys earlier versions queued.
func TestLogKeyHasNoHandle(t *testing.T) {
	for key, want := range map[string]string{
		"n/r1/offer/2/helper":              "n/r1/offer/2/helper",
		"n/r1/offer/2/helper:jan-de-vries": "n/r1/offer/2/helper",
		"n/r1/accepted/1/requester":        "n/r1/accepted/1/requester",
		"weekly/de-vaart/digest@2026-12-04T16:00:00/mattermost:0123456789abcdef": "weekly/de-vaart/digest@2026-12-04T16:00:00",
		"weekly/de-vaart/digest@2026-12-04T16:00:00/mattermost:juf.els#":         "weekly/de-vaart/digest@2026-12-04T16:00:00",
		"summary/de-vaart/2026-W48/slack:U0SANNE001/1764000000000":               "summary/de-vaart/2026-W48",
		"anon/abc/def":             "anon/abc/def",
		"weekly/de-vaart/2026-W48": "weekly/de-vaart/2026-W48",
	} {
		if got := logKey(key); got != want {
			t.Errorf("logKey(%q) = %q, want %q", key, got, want)
		}
	}
}
