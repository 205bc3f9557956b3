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

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// TestOutage: with Slack's Web API failing (500s, timeouts, 429) while a
// request is offered, the teacher's answer comes at once, the request is
// in Redis with its deadline running, and the DM arrives, once, when Slack
// is back: the outbox retries, each try of the Sender is one call. A click
// answered while response_urls fail is acknowledged at once too, and the
// message is updated later.
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
			s := newStack(t, func(c *stackConfig) { c.HTTPTimeout = 300 * time.Millisecond })
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

			// The outage lasts; the outbox keeps trying, within bounds, and
			// waits as long as a 429 asks.
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

// jobs records what a Queue ran, and holds or fails jobs on purpose.
type jobs struct {
	release chan struct{} // when set, every job waits for it
	fail    func(name string, n int) error
	calls   atomic.Int32
	mu      sync.Mutex
	done    []string
}

// job is a queue job named name, run by j.
func (j *jobs) job(name string) func(context.Context) error {
	return func(ctx context.Context) error {
		n := int(j.calls.Add(1))
		if j.release != nil {
			select {
			case <-j.release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if j.fail != nil {
			if err := j.fail(name, n); err != nil {
				return err
			}
		}
		j.mu.Lock()
		defer j.mu.Unlock()
		j.done = append(j.done, name)
		return nil
	}
}

func (j *jobs) finished() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.done...)
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

// TestQueue: the click answers' queue returns at once, runs the jobs of one
// clicked message in order, retries within its window and stops.
func TestQueue(t *testing.T) {
	b := Backoff{Wait: 10 * time.Millisecond, MaxWait: 50 * time.Millisecond, Window: time.Second}

	t.Run("do returns at once", func(t *testing.T) {
		j := &jobs{release: make(chan struct{})}
		q := NewQueue(2, 10, b, nil)
		runQueue(t, q)
		start := time.Now()
		if err := q.Do("D0ANNE0001/1.1", "click r1", j.job("k1")); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Do took %s", d)
		}
		close(j.release)
	})

	t.Run("one owner in order", func(t *testing.T) {
		j := &jobs{fail: func(name string, n int) error {
			if name == "a1" && n == 1 {
				return errors.New("outage")
			}
			return nil
		}}
		q := NewQueue(4, 10, b, nil)
		for _, k := range []string{"a1", "a2", "a3"} {
			if err := q.Do("D0ANNE0001/1.1", k, j.job(k)); err != nil {
				t.Fatal(err)
			}
		}
		runQueue(t, q)
		deadline := time.Now().Add(5 * time.Second)
		for len(j.finished()) < 3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := strings.Join(j.finished(), ","); got != "a1,a2,a3" {
			t.Errorf("ran %s, want a1,a2,a3", got)
		}
	})

	t.Run("permanent is not retried; the window bounds retries", func(t *testing.T) {
		j := &jobs{fail: func(name string, n int) error {
			if name == "perm" {
				return errors.Join(errors.New("expired_url"), message.ErrPermanent)
			}
			return errors.New("outage")
		}}
		q := NewQueue(1, 10, Backoff{Wait: 10 * time.Millisecond, MaxWait: 20 * time.Millisecond, Window: 200 * time.Millisecond}, nil)
		runQueue(t, q)
		_ = q.Do("x", "perm", j.job("perm"))
		time.Sleep(50 * time.Millisecond)
		if n := j.calls.Load(); n != 1 {
			t.Errorf("a permanent failure was tried %d times", n)
		}
		_ = q.Do("x", "down", j.job("down"))
		time.Sleep(500 * time.Millisecond)
		n := j.calls.Load()
		time.Sleep(200 * time.Millisecond)
		if j.calls.Load() != n || n < 3 || n > 20 {
			t.Errorf("an outage was tried %d times and then %d; want a few retries that stop", n, j.calls.Load())
		}
	})

	t.Run("full", func(t *testing.T) {
		j := &jobs{}
		q := NewQueue(1, 2, b, nil)
		for i := range 2 {
			if err := q.Do("x", itoa(i), j.job(itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Do("x", "3", j.job("3")); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Do on a full queue = %v, want ErrQueueFull", err)
		}
	})

	t.Run("stops", func(t *testing.T) {
		j := &jobs{release: make(chan struct{})} // never released
		q := NewQueue(2, 10, b, nil)
		q.drain = 100 * time.Millisecond
		stop := runQueue(t, q)
		_ = q.Do("x", "stuck", j.job("stuck"))
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		stop()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("stopping took %s", d)
		}
		if err := q.Do("x", "late", j.job("late")); !errors.Is(err, ErrQueueFull) {
			t.Errorf("Do after stop = %v, want ErrQueueFull", err)
		}
	})
}
