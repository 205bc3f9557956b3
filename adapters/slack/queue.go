package slackbot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/hulpbot/hulpbot/message"
)

// Backoff is how a Queue retries a job that failed.
type Backoff struct {
	// Wait is the first pause; it doubles up to MaxWait.
	Wait, MaxWait time.Duration
	// Window is how long after it was queued a job is still tried.
	Window time.Duration
}

// DefaultBackoff keeps trying for ten minutes: long after an offer has
// moved on, but a teacher still wants to hear what became of a request.
var DefaultBackoff = Backoff{Wait: 500 * time.Millisecond, MaxWait: 30 * time.Second, Window: 10 * time.Minute}

// Queue does the adapter's outbound work in the background: the messages a
// command or click causes, and the update of a clicked message. Nobody
// waits for Slack's Web API: a command is answered while its DM is still
// on its way, also when Slack is slow or down.
//
// Jobs for one recipient run in order, one at a time; a failed job is tried
// again with backoff until it succeeds, fails for good
// (message.ErrPermanent) or its window passes. The queue is in memory: a
// durable outbox in front of all Senders replaces it for messages.
type Queue struct {
	send    message.Sender
	shards  []chan job
	backoff Backoff
	drain   time.Duration
	log     *slog.Logger

	mu     sync.RWMutex
	closed bool
}

type job struct {
	name   string // for the log: message key or "click"
	do     func(context.Context) error
	queued time.Time
}

var _ message.Sender = (*Queue)(nil)

// NewQueue returns a queue that sends messages through send with workers
// workers and room for size jobs each. Run must be called for anything to
// happen.
func NewQueue(send message.Sender, workers, size int, b Backoff, log *slog.Logger) *Queue {
	if workers < 1 {
		workers = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{send: send, backoff: b, drain: 5 * time.Second, log: log.With("component", "slack")}
	for range workers {
		q.shards = append(q.shards, make(chan job, size))
	}
	return q
}

// ErrQueueFull is a message the queue cannot take now.
var ErrQueueFull = errors.New("slack queue full or stopped")

// Send queues m and returns at once (message.Sender).
func (q *Queue) Send(_ context.Context, m message.Message) error {
	to := m.To.Handle + "#" + m.To.Channel
	return q.Do(to, m.Key, func(ctx context.Context) error { return q.send.Send(ctx, m) })
}

// Do queues f behind the earlier jobs of the same owner.
func (q *Queue) Do(owner, name string, f func(context.Context) error) error {
	h := fnv.New32a()
	h.Write([]byte(owner))
	ch := q.shards[int(h.Sum32()%uint32(len(q.shards)))]
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return fmt.Errorf("queue %s: %w", name, ErrQueueFull)
	}
	select {
	case ch <- job{name: name, do: f, queued: time.Now()}:
		return nil
	default:
		return fmt.Errorf("queue %s: %w", name, ErrQueueFull)
	}
}

// Run works until ctx ends; then it takes no new jobs, gives the queued
// ones a few seconds (one try each) and returns.
func (q *Queue) Run(ctx context.Context) {
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	for _, ch := range q.shards {
		wg.Go(func() { q.work(workCtx, ctx, ch) })
	}
	<-ctx.Done()
	q.mu.Lock()
	q.closed = true
	for _, ch := range q.shards {
		close(ch)
	}
	q.mu.Unlock()
	stop := time.AfterFunc(q.drain, cancel)
	defer stop.Stop()
	wg.Wait()
}

// work runs the jobs of one shard; after running ends, each job gets one
// try within the drain time.
func (q *Queue) work(ctx, running context.Context, ch <-chan job) {
	for j := range ch {
		q.run(ctx, running, j)
	}
}

func (q *Queue) run(ctx, running context.Context, j job) {
	wait := q.backoff.Wait
	for attempt := 1; ; attempt++ {
		err := j.do(ctx)
		if err == nil {
			return
		}
		if errors.Is(err, message.ErrPermanent) || ctx.Err() != nil || running.Err() != nil {
			q.log.Error("slack delivery failed", "job", j.name, "attempts", attempt, "permanent", errors.Is(err, message.ErrPermanent), "err", err)
			return
		}
		d := min(wait, q.backoff.MaxWait)
		var ra *message.RetryAfterError
		if errors.As(err, &ra) {
			d = max(d, ra.After)
		}
		if time.Since(j.queued)+d > q.backoff.Window {
			q.log.Error("slack delivery given up", "job", j.name, "attempts", attempt, "err", err)
			return
		}
		q.log.Warn("slack delivery failed, will retry", "job", j.name, "attempt", attempt, "in", d, "err", err)
		if !sleep(running, d) {
			// Shutting down: one last try without waiting.
			if err := j.do(ctx); err != nil {
				q.log.Error("slack delivery failed at shutdown", "job", j.name, "err", err)
			}
			return
		}
		wait *= 2
	}
}
