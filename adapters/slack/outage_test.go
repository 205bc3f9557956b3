package slackbot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slack/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// TestOutage: with Slack's Web API failing (500s, timeouts, 429) while a
// request is offered, the teacher's answer comes at once, the request is
// in Redis with its deadline running, and the DM arrives, once, when Slack
// is back. A click answered while response_urls fail is acknowledged at
// once too, and the message is updated later.
func TestOutage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		fault  slackfake.Fault
	}{
		{"500s", "chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusInternalServerError}},
		{"timeouts after posting", "chat.postMessage", slackfake.Fault{Times: -1, Delay: 3 * time.Second}},
		{"rate limited", "chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusTooManyRequests, RetryAfter: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, func(o *Options) { o.HTTPTimeout = 300 * time.Millisecond })
			s.fake.Fail(tc.method, tc.fault)
			s.fake.Fail("response", slackfake.Fault{Times: -1, Status: http.StatusBadGateway})

			start := time.Now()
			ans, _ := s.command(marieID, "juf.marie", "groep 5 onrust na gym")
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("the answer took %s with Slack down; it must not wait for Slack", d)
			}
			if !strings.Contains(ans.Text, "doorgezet naar Anne") {
				t.Errorf("answer = %q", ans.Text)
			}
			ks := s.requestKeys()
			if len(ks) != 1 {
				t.Fatalf("requests in Redis: %v, want 1", ks)
			}
			id := ks[0][strings.LastIndex(ks[0], ":")+1:]
			r := s.request(id)
			if r.State != bot.StateOffered || r.HelperID != "anne" || r.Deadline.IsZero() {
				t.Errorf("request is %s with %q, deadline %s; want offered to anne with a deadline", r.State, r.HelperID, r.Deadline)
			}
			if due, err := s.store.DueOffers(context.Background(), s.school.ID, r.Deadline, 10); err != nil || len(due) != 1 || due[0].RequestID != id {
				t.Errorf("due offers at the deadline = %v, %v; want this request, so the sweeper moves it on", due, err)
			}

			// The outage lasts; the adapter keeps trying, within bounds.
			time.Sleep(700 * time.Millisecond)
			if n := len(s.fake.Posted("D0ANNE0001")); n != 0 {
				t.Fatalf("delivered during the outage?")
			}
			tries := len(s.fake.Calls(tc.method))
			switch {
			case tc.fault.RetryAfter > 0 && tries != 1:
				t.Errorf("%s tried %d times within 700ms of a Retry-After of %ds", tc.method, tries, tc.fault.RetryAfter)
			case tc.fault.RetryAfter == 0 && tries < 2:
				t.Errorf("%s tried %d times during the outage, want retries", tc.method, tries)
			}

			// Anne accepts by typing while her DM is still on its way: the
			// click path is the same queue, tested below.
			s.fake.Heal()
			m := s.offer(anneID, 1)
			time.Sleep(300 * time.Millisecond)
			if n := len(s.fake.Posted("D0ANNE0001")); n != 1 {
				t.Errorf("Anne got %d DMs after the outage, want 1", n)
			}
			// A timed-out chat.postMessage may have reached Slack anyway; the
			// fake saw it as not answered, so it does not count as posted.

			// Slack is down again when Anne clicks: the click is acknowledged
			// at once and the message updated once Slack is back.
			s.fake.Fail("response", slackfake.Fault{Times: 3, Status: http.StatusBadGateway})
			s.fake.Fail("chat.update", slackfake.Fault{Times: 3, Status: http.StatusBadGateway})
			b := slackfake.Buttons(t, m)[0]
			start = time.Now()
			s.click(anneID, "anne", m, b, "during-outage")
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("the click took %s to acknowledge with Slack down", d)
			}
			if r := s.request(id); r.State != bot.StateAccepted {
				t.Errorf("request is %s after the click, want accepted", r.State)
			}
			s.fake.Wait(t, "the message updated after the outage", 5*time.Second, func([]slackfake.Call) bool {
				return len(s.fake.Responses("during-outage")) == 1
			})
		})
	}
}

// blockingSender holds every Send until released or its context ends.
type blockingSender struct {
	release chan struct{}
	mu      sync.Mutex
	got     []string
	fail    func(m message.Message, n int) error
	calls   atomic.Int32
}

func (b *blockingSender) Send(ctx context.Context, m message.Message) error {
	n := int(b.calls.Add(1))
	if b.release != nil {
		select {
		case <-b.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if b.fail != nil {
		if err := b.fail(m, n); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, m.Key)
	return nil
}

func (b *blockingSender) delivered() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.got...)
}

func runQueue(t *testing.T, q *Queue) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("the queue did not stop within 10s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestQueue(t *testing.T) {
	b := Backoff{Wait: 10 * time.Millisecond, MaxWait: 50 * time.Millisecond, Window: time.Second}

	t.Run("send returns at once", func(t *testing.T) {
		s := &blockingSender{release: make(chan struct{})}
		q := NewQueue(s, 2, 10, b, nil)
		runQueue(t, q)
		start := time.Now()
		if err := q.Send(context.Background(), dmTo(anneID, "k1", "x")); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Send took %s", d)
		}
		close(s.release)
	})

	t.Run("one recipient in order", func(t *testing.T) {
		s := &blockingSender{fail: func(m message.Message, n int) error {
			if m.Key == "a1" && n == 1 {
				return errors.New("outage")
			}
			return nil
		}}
		q := NewQueue(s, 4, 10, b, nil)
		for _, k := range []string{"a1", "a2", "a3"} {
			if err := q.Send(context.Background(), dmTo(anneID, k, "x")); err != nil {
				t.Fatal(err)
			}
		}
		runQueue(t, q)
		deadline := time.Now().Add(5 * time.Second)
		for len(s.delivered()) < 3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := strings.Join(s.delivered(), ","); got != "a1,a2,a3" {
			t.Errorf("delivered %s, want a1,a2,a3", got)
		}
	})

	t.Run("permanent is not retried; the window bounds retries", func(t *testing.T) {
		s := &blockingSender{fail: func(m message.Message, n int) error {
			if m.Key == "perm" {
				return errors.Join(errors.New("user_not_found"), message.ErrPermanent)
			}
			return errors.New("outage")
		}}
		q := NewQueue(s, 1, 10, Backoff{Wait: 10 * time.Millisecond, MaxWait: 20 * time.Millisecond, Window: 200 * time.Millisecond}, nil)
		runQueue(t, q)
		_ = q.Send(context.Background(), dmTo(anneID, "perm", "x"))
		time.Sleep(50 * time.Millisecond)
		if n := s.calls.Load(); n != 1 {
			t.Errorf("a permanent failure was tried %d times", n)
		}
		_ = q.Send(context.Background(), dmTo(anneID, "down", "x"))
		time.Sleep(500 * time.Millisecond)
		n := s.calls.Load()
		time.Sleep(200 * time.Millisecond)
		if s.calls.Load() != n || n < 3 || n > 20 {
			t.Errorf("an outage was tried %d times and then %d; want a few retries that stop", n, s.calls.Load())
		}
	})

	t.Run("full", func(t *testing.T) {
		q := NewQueue(&blockingSender{}, 1, 2, b, nil)
		for i := range 2 {
			if err := q.Send(context.Background(), dmTo(anneID, itoa(i), "x")); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Send(context.Background(), dmTo(anneID, "3", "x")); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Send on a full queue = %v, want ErrQueueFull", err)
		}
	})

	t.Run("stops", func(t *testing.T) {
		s := &blockingSender{release: make(chan struct{})} // never released
		q := NewQueue(s, 2, 10, b, nil)
		q.drain = 100 * time.Millisecond
		stop := runQueue(t, q)
		_ = q.Send(context.Background(), dmTo(anneID, "stuck", "x"))
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		stop()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("stopping took %s", d)
		}
		if err := q.Send(context.Background(), dmTo(anneID, "late", "x")); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Send after stop = %v, want ErrQueueFull", err)
		}
	})
}
