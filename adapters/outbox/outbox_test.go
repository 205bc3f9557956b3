package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	tries   map[string][]time.Time
	failing func(key string, try int) error
}

func newPlatform() *platform {
	return &platform{got: map[string]int{}, tries: map[string][]time.Time{}}
}

func (p *platform) Send(_ context.Context, m message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries[m.Key] = append(p.tries[m.Key], time.Now())
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

func newOutbox(t *testing.T, rdb redis.UniversalClient, prefix string, p message.Sender, opt Options) *Outbox {
	t.Helper()
	if opt.Backoff == nil {
		opt.Backoff = fast
	}
	if opt.Poll == 0 {
		opt.Poll = 5 * time.Millisecond
	}
	return New(rdb, prefix, []string{"de-vaart", "het-anker"}, p, time.Now, opt, quiet)
}

// running starts o.Run and stops it when the test ends.
func running(t *testing.T, o *Outbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func msg(school, key string) message.Message {
	return message.Message{
		To:       bot.Recipient{Address: bot.Address{Platform: bot.Slack, Handle: "U0ANNE0001"}},
		SchoolID: school, Key: key, Text: "Kun je even helpen?", Urgent: true,
		Buttons:     []message.Button{{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "r1", OfferNo: 1}},
		Attachments: []message.Attachment{{Name: "x.png", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}}},
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
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
	running(t, o)
	eventually(t, "k1 delivered", func() bool { return p.delivered("k1") == 1 })
	if err := o.Send(ctx, msg("de-vaart", "k1")); err != nil { // and again after
		t.Fatal(err)
	}
	if err := o.Send(ctx, msg("het-anker", "k2")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "k2 delivered", func() bool { return p.delivered("k2") == 1 })
	if got := p.delivered("k1"); got != 1 {
		t.Errorf("k1 delivered %d times, want 1", got)
	}
	if seen.Text != "Kun je even helpen?" || len(seen.Buttons) != 1 || string(seen.Attachments[0].Data[1:]) != "PNG" || seen.SchoolID != "het-anker" {
		t.Errorf("message changed on its way through the outbox: %+v", seen)
	}
	for _, s := range []string{"de-vaart", "het-anker"} {
		if n, _ := o.Pending(ctx, s); n != 0 {
			t.Errorf("%s: %d messages still pending", s, n)
		}
	}
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
	running(t, o)
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
	time.Sleep(50 * time.Millisecond)
	for i := range 20 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times, want 1", i, got)
		}
	}
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

func TestRetryAfterIsRespected(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	p.failing = func(_ string, try int) error {
		if try == 1 {
			return &message.RetryAfterError{After: 300 * time.Millisecond, Err: errors.New("429 ratelimited")}
		}
		return nil
	}
	o := newOutbox(t, rdb, prefix, p, Options{})
	running(t, o)
	_ = o.Send(context.Background(), msg("de-vaart", "k"))
	eventually(t, "delivered", func() bool { return p.delivered("k") == 1 })
	p.mu.Lock()
	defer p.mu.Unlock()
	if gap := p.tries["k"][1].Sub(p.tries["k"][0]); gap < 300*time.Millisecond {
		t.Errorf("second try %s after a 429 with Retry-After 300ms", gap)
	}
}

// TestReplicas: five processes' outboxes on one Redis deliver each message
// exactly once between them.
func TestReplicas(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	var boxes []*Outbox
	for range 5 {
		o := newOutbox(t, rdb, prefix, p, Options{Workers: 4})
		running(t, o)
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
	time.Sleep(100 * time.Millisecond)
	if got := p.total(); got != n {
		t.Errorf("%d deliveries for %d messages", got, n)
	}
}

// TestLeaseRunsOut: a process that queued a message for its own delivery,
// or claimed one, and died does not block it: after its lease another
// process delivers it, once.
func TestLeaseRunsOut(t *testing.T) {
	for _, how := range []string{"queued", "claimed"} {
		t.Run(how, func(t *testing.T) {
			rdb, prefix := redistest.Client(t), redistest.Prefix(t)
			p := newPlatform()
			dead := newOutbox(t, rdb, prefix, p, Options{Lease: 200 * time.Millisecond, Workers: 1})
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
			// The dead process never delivers. A live one starts.
			live := newOutbox(t, rdb, prefix, p, Options{})
			running(t, live)
			time.Sleep(100 * time.Millisecond)
			if got := p.delivered("k"); got != 0 {
				t.Fatalf("delivered during the lease (%d)", got)
			}
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
	running(t, o)
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
	time.Sleep(50 * time.Millisecond)
	for i := range 50 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times", i, got)
		}
	}
	if n, _ := o.Pending(ctx, "het-anker"); n != 0 {
		t.Errorf("%d still pending", n)
	}
}

// TestStopHandsBackWaitingMessages: a process that stops with messages of
// its own not yet delivered makes them due at once for the other processes,
// instead of leaving them to their leases.
func TestStopHandsBackWaitingMessages(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	unblock := make(chan struct{})
	slow := senderFunc(func(ctx context.Context, m message.Message) error {
		<-unblock
		return p.Send(ctx, m)
	})
	stopping := newOutbox(t, rdb, prefix, slow, Options{Workers: 1, Lease: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { stopping.Run(ctx); close(done) }()
	for i := range 4 {
		if err := stopping.Send(context.Background(), msg("de-vaart", fmt.Sprint("k", i))); err != nil {
			t.Fatal(err)
		}
	}
	// One delivery is under way and blocked; the rest wait in the process.
	time.Sleep(50 * time.Millisecond)
	cancel()
	close(unblock)
	<-done
	// Sent after the process stopped delivering: it waits in Redis, due.
	if err := stopping.Send(context.Background(), msg("de-vaart", "k4")); err != nil {
		t.Fatal(err)
	}

	other := newOutbox(t, rdb, prefix, p, Options{})
	running(t, other)
	eventually(t, "all five delivered long before the hour's lease", func() bool { return p.total() == 5 })
	time.Sleep(50 * time.Millisecond)
	for i := range 5 {
		if got := p.delivered(fmt.Sprint("k", i)); got != 1 {
			t.Errorf("k%d delivered %d times", i, got)
		}
	}
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

func TestLogKeyHasNoHandle(t *testing.T) {
	for key, want := range map[string]string{
		"de-vaart/r1/offer/2/mattermost:juf.marie#": "de-vaart/r1/offer/2",
		"weekly/de-vaart/2026-W48":                  "weekly/de-vaart/2026-W48",
	} {
		if got := logKey(key); got != want {
			t.Errorf("logKey(%q) = %q, want %q", key, got, want)
		}
	}
}
