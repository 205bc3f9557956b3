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

// DefaultBackoff keeps trying for ten minutes, well within the 30 minutes
// a response_url lives.
var DefaultBackoff = Backoff{Wait: 500 * time.Millisecond, MaxWait: 30 * time.Second, Window: 10 * time.Minute}

// Queue answers clicks in the background: the update of a clicked message
// (through its response_url, or chat.update) and a note for the clicker.
// That is all it is for: messages go through the durable outbox, which
// calls the Sender. A click's answer is no message the outbox knows (its
// response_url lives 30 minutes and is used once), so it is retried here,
// and nobody waits for Slack while a click is acknowledged.
//
// Jobs of one owner (a clicked message) run in order, one at a time; a
// failed job is tried again with backoff until it succeeds, fails for good
// (message.ErrPermanent) or its window passes. The queue is in memory.
type Queue struct {
	shards  []chan job
	backoff Backoff
	drain   time.Duration
	log     *slog.Logger

	mu     sync.RWMutex
	closed bool
}

type job struct {
	name   string // for the log: "click <request id>"
	do     func(context.Context) error
	queued time.Time
}

// NewQueue returns a queue with workers workers and room for size jobs
// each. Run must be called for anything to happen.
func NewQueue(workers, size int, b Backoff, log *slog.Logger) *Queue {
	if workers < 1 {
		workers = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{backoff: b, drain: 5 * time.Second, log: log.With("component", "slack")}
	for range workers {
		q.shards = append(q.shards, make(chan job, size))
	}
	return q
}

// ErrQueueFull is a job the queue cannot take now.
var ErrQueueFull = errors.New("slack queue full or stopped")

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
			q.log.Error("slack click answer failed", "job", j.name, "attempts", attempt, "permanent", errors.Is(err, message.ErrPermanent), "err", err)
			return
		}
		d := min(wait, q.backoff.MaxWait)
		var ra *message.RetryAfterError
		if errors.As(err, &ra) {
			d = max(d, ra.After)
		}
		if time.Since(j.queued)+d > q.backoff.Window {
			q.log.Error("slack click answer given up", "job", j.name, "attempts", attempt, "err", err)
			return
		}
		q.log.Warn("slack click answer failed, will retry", "job", j.name, "attempt", attempt, "in", d, "err", err)
		if !sleep(running, d) {
			// Shutting down: one last try without waiting.
			if err := j.do(ctx); err != nil {
				q.log.Error("slack click answer failed at shutdown", "job", j.name, "err", err)
			}
			return
		}
		wait *= 2
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
