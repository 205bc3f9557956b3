package outbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// The outbox is the store's courier: what a change queues, it delivers.
var _ redisstore.Courier = (*Outbox)(nil)

// renderer words a notice as "<kind> <request>" to the shell account of the
// person it is for; it can say "nothing to tell" or fail.
type renderer struct {
	mu    sync.Mutex
	calls int
	skip  bool
	err   func(call int) error
}

func (r *renderer) RenderNotice(_ context.Context, school, notice string) (message.Message, bool, error) {
	r.mu.Lock()
	r.calls++
	call := r.calls
	r.mu.Unlock()
	if r.err != nil {
		if err := r.err(call); err != nil {
			return message.Message{}, false, err
		}
	}
	ref, err := bot.ParseNoticeRef(notice)
	if err != nil {
		return message.Message{}, false, errors.Join(message.ErrPermanent, err)
	}
	if r.skip {
		return message.Message{}, false, nil
	}
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: shell, Handle: ref.To}}, SchoolID: school,
		Text: string(ref.Kind) + " " + ref.RequestID, Key: school + "/" + ref.RequestID + "/" + string(ref.Kind)}, true, nil
}

// queueRequest makes a request through the real store, whose script queues
// its notice (an offer to anne) in the same step, leased to o when o runs.
func queueRequest(t *testing.T, o *Outbox, store *redisstore.Store, id string) {
	t.Helper()
	now := time.Now()
	r := bot.Request{ID: id, SchoolID: "de-vaart", Group: "5", Week: "2026-W49", Month: "2026-12", Requester: bot.Address{Platform: shell, Handle: "marie"}, CreatedAt: now}
	if _, err := store.CreateAndOffer(context.Background(), now, r, []bot.Candidate{{HelperID: "anne"}}, now.Add(time.Minute), time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestNoticesAreRenderedAtDelivery(t *testing.T) {
	boom := errors.New("redis blinked")
	tests := []struct {
		name      string
		r         *renderer
		wantSent  int
		wantCalls int
	}{
		{name: "rendered and sent once", r: &renderer{}, wantSent: 1, wantCalls: 1},
		{name: "nothing to tell any more: done, not sent", r: &renderer{skip: true}, wantSent: 0, wantCalls: 1},
		{name: "a failing render is retried", r: &renderer{err: func(call int) error {
			if call == 1 {
				return boom
			}
			return nil
		}}, wantSent: 1, wantCalls: 2},
		{name: "a notice that can never be rendered is dropped", r: &renderer{err: func(int) error { return message.ErrPermanent }}, wantSent: 0, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, prefix := redistest.Client(t), redistest.Prefix(t)
			p := newPlatform()
			o := newOutbox(t, rdb, prefix, p, Options{})
			r := tt.r
			o.SetRenderer(r)
			store := redisstore.New(rdb, prefix, quiet)
			store.SetCourier(o)
			running(t, o)
			queueRequest(t, o, store, "r1")
			eventually(t, "the outbox empty", func() bool {
				n, _ := o.Pending(context.Background(), "de-vaart")
				return n == 0
			})
			if got := p.delivered("de-vaart/r1/offer"); got != tt.wantSent {
				t.Errorf("sent %d times, want %d", got, tt.wantSent)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.calls != tt.wantCalls {
				t.Errorf("rendered %d times, want %d", r.calls, tt.wantCalls)
			}
		})
	}
}

// checking is a platform that can also tell whether it holds a message.
type checking struct {
	*platform
	asked int
}

func (c *checking) Delivered(_ context.Context, m message.Message) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked++
	return c.got[m.Key] > 0, nil
}

// TestCrashAfterThePlatformTookIt: a process that died after the platform
// accepted a notice, before it recorded the delivery, leaves it to its
// lease; the next process asks the platform first and does not send it
// again.
func TestCrashAfterThePlatformTookIt(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	clk := newClock()
	p := &checking{platform: newPlatform()}
	dead := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{Lease: time.Minute})
	dead.SetRenderer(&renderer{})
	dead.running.Store(true) // it delivers its own notices, then dies before recording
	store := redisstore.New(rdb, prefix, quiet)
	store.SetCourier(dead)
	queueRequest(t, dead, store, "r1")
	held := <-dead.urgent
	if !dead.deliver(context.Background(), "de-vaart", held) {
		t.Fatal("first delivery failed")
	}
	// No finish: the process is gone. Another takes over after the lease.
	live := newOutboxOn(t, clk.Now, rdb, prefix, p, Options{})
	live.SetRenderer(&renderer{})
	clk.Add(time.Minute)
	running(t, live)
	eventually(t, "the outbox empty", func() bool {
		n, _ := live.Pending(context.Background(), "de-vaart")
		return n == 0
	})
	if got := p.delivered("de-vaart/r1/offer"); got != 1 {
		t.Errorf("sent %d times, want 1", got)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.asked != 1 {
		t.Errorf("platform asked %d times, want once (before the second attempt)", p.asked)
	}
}

// TestSyncDeliversInTheCall: the terminal chat's outbox delivers what a
// change queued before the change returns.
func TestSyncDeliversInTheCall(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	p := newPlatform()
	o := newOutbox(t, rdb, prefix, p, Options{Sync: true})
	o.SetRenderer(&renderer{})
	store := redisstore.New(rdb, prefix, quiet)
	store.SetCourier(o)
	queueRequest(t, o, store, "r1")
	if got := p.delivered("de-vaart/r1/offer"); got != 1 {
		t.Fatalf("sent %d times in the call, want 1", got)
	}
	if n, _ := o.Pending(context.Background(), "de-vaart"); n != 0 {
		t.Errorf("%d left pending", n)
	}
	if err := o.Send(context.Background(), msg("de-vaart", "weekly")); err != nil || p.delivered("weekly") != 1 {
		t.Errorf("Send in sync mode: %v, delivered %d", err, p.delivered("weekly"))
	}
}

func TestUrgentNotice(t *testing.T) {
	for notice, want := range map[string]bool{
		"notice|offer|r1|1|helper:anne|anne||": true, "notice|escalated|r1|0|channel|||": true,
		"notice|offer_lapsed|r1|1|helper:anne|||": false, "notice|moved_on|r1|2|requester|||": false,
		"notice|picked_note|r1|0|picker|||": true, `{"Text":"notice|offer|"}`: false,
	} {
		if got := urgentNotice(notice); got != want {
			t.Errorf("urgentNotice(%q) = %v, want %v", strings.TrimSpace(notice), got, want)
		}
	}
}
