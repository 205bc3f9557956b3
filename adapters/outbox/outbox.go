// Package outbox delivers chat messages durably: a message is first queued in
// Redis, then delivered by whichever hulpbot process claims it, retried with
// backoff when the chat platform fails, and remembered once delivered so a
// repeated send of the same key is not delivered twice.
//
// Keys, per school (the hash tag keeps them in one Redis Cluster slot):
//
//	<prefix>:{<school>}:outbox:urgent     zset: message key → next try (ms); taken first
//	<prefix>:{<school>}:outbox:queue      zset: the same for messages nobody must act on at once
//	<prefix>:{<school>}:outbox:msg        hash: message key → JSON message
//	<prefix>:{<school>}:outbox:tries      hash: message key → attempts so far
//	<prefix>:{<school>}:outbox:done:<key> string: delivered; expires after a day
//
// Delivery is at least once with respect to crashes (a process killed after
// the platform accepted a message but before it recorded that, delivers it
// again after the lease), and exactly once otherwise: a claim leases a
// message to one worker, and keys already delivered are not queued again.
package outbox

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

var (
	//go:embed enqueue.lua
	enqueueLua string
	//go:embed claim.lua
	claimLua string
	//go:embed finish.lua
	finishLua string
	//go:embed retry.lua
	retryLua string

	enqueueScript = redis.NewScript(enqueueLua)
	claimScript   = redis.NewScript(claimLua)
	finishScript  = redis.NewScript(finishLua)
	retryScript   = redis.NewScript(retryLua)
)

// Options tune delivery; the zero value of a field means its default.
type Options struct {
	// Lease is how long a claimed message is reserved for its worker.
	// It must be well above SendTimeout. Default 60s.
	Lease time.Duration
	// SendTimeout bounds one delivery attempt. Default 15s.
	SendTimeout time.Duration
	// Poll is how often a worker looks for due messages when not woken by a
	// send of its own process: for retries, and what another process
	// queued beyond its own room. Default 1s.
	Poll time.Duration
	// MaxAttempts ends the retries of a message; it is then dropped and
	// logged. Default 25 (about an hour with the backoff below).
	MaxAttempts int
	// Remember is how long a delivered key is remembered. Default 24h.
	Remember time.Duration
	// Workers is the number of deliveries in flight at once. Default 32.
	Workers int
	// Backoff is the wait before attempt n+1 after n failures. Default:
	// 1s doubling to at most 5 minutes, with jitter.
	Backoff func(attempt int) time.Duration
}

func (o *Options) fill() {
	if o.Lease == 0 {
		o.Lease = 60 * time.Second
	}
	if o.SendTimeout == 0 {
		o.SendTimeout = 15 * time.Second
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 25
	}
	if o.Remember == 0 {
		o.Remember = 24 * time.Hour
	}
	if o.Workers == 0 {
		o.Workers = 32
	}
	if o.Backoff == nil {
		o.Backoff = defaultBackoff
	}
}

func defaultBackoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 9)
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1) // jitter: replicas do not retry in step
}

// Outbox is a message.Sender that queues, and a worker that delivers
// through the platform senders.
type Outbox struct {
	rdb     redis.UniversalClient
	prefix  string
	schools []string
	next    message.Sender
	now     func() time.Time
	opt     Options
	log     *slog.Logger
	wake    chan struct{}

	mu    sync.Mutex
	dirty map[string]bool // schools this process queued for since the last look

	// Messages this process queued and leased to itself: delivered at once
	// by Run, without a claim. Urgent ones are taken first. Each lane has
	// room of its own (uroom, nroom), so messages nobody must act on never
	// crowd out an offer; beyond it a message is queued for a claim.
	// how many wait here; beyond it a message is queued for a claim.
	urgent, normal chan claimed
	uroom, nroom   chan struct{}
	running        atomic.Bool // Run is delivering: only then may Send lease to this process
	// fins carries messages done with to the goroutine that records them,
	// many in one round trip.
	fins chan finished
}

// finished is a message to record as done.
type finished struct {
	school string
	c      claimed
}

var _ message.Sender = (*Outbox)(nil)

// noSchool holds messages that belong to no school.
const noSchool = "_"

// New returns an outbox on rdb for the given schools that delivers through next.
func New(rdb redis.UniversalClient, prefix string, schools []string, next message.Sender, now func() time.Time, opt Options, log *slog.Logger) *Outbox {
	opt.fill()
	local := 4 * opt.Workers
	return &Outbox{
		rdb: rdb, prefix: prefix, schools: append(append([]string(nil), schools...), noSchool),
		next: next, now: now, opt: opt, log: log.With("component", "outbox"),
		wake: make(chan struct{}, 1), dirty: map[string]bool{},
		urgent: make(chan claimed, local), normal: make(chan claimed, local), uroom: make(chan struct{}, local), nroom: make(chan struct{}, local),
		fins: make(chan finished, local),
	}
}

func (o *Outbox) key(school, rest string) string {
	if school == "" {
		school = noSchool
	}
	return o.prefix + ":{" + school + "}:outbox:" + rest
}

// Send queues m for delivery (message.Sender). A message whose key is queued
// or was delivered already is accepted and ignored. m.Key may be empty for a
// message that needs no protection against repeats.
//
// While this process has room, the message is queued leased to this process
// (as if claimed) and handed to its own delivery at once: one round trip
// before delivery instead of a queue, a wake-up and a claim. Should the
// process die first, the lease runs out and another process delivers it.
func (o *Outbox) Send(ctx context.Context, m message.Message) error {
	if m.Key == "" {
		m.Key = "anon/" + strconv.FormatInt(o.now().UnixNano(), 36) + "/" + strconv.FormatUint(rand.Uint64(), 36)
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("outbox: encode %s: %w", m.Key, err)
	}
	school := m.SchoolID
	if school == "" {
		school = noSchool
	}
	// What someone must act on now goes in a lane of its own, taken first:
	// when thousands of offers lapse at once, the next helpers hear first.
	lane := "queue"
	if m.Urgent {
		lane = "urgent"
	}
	now := o.now()
	at, leased := now.UnixMilli(), false
	room := o.nroom
	if m.Urgent {
		room = o.uroom
	}
	if o.running.Load() {
		select {
		case room <- struct{}{}:
			at, leased = now.Add(o.opt.Lease).UnixMilli(), true
		default: // this process has enough to do: whoever is free claims it
		}
	}
	release := func() {
		if leased {
			<-room
		}
	}
	keys := []string{o.key(school, lane), o.key(school, "msg"), o.key(school, "done:"+m.Key), o.key(school, "tries")}
	queued, err := enqueueScript.Run(ctx, o.rdb, keys, m.Key, payload, at, map[bool]string{true: "1", false: "0"}[leased]).Int()
	if err != nil {
		release()
		return fmt.Errorf("outbox: queue %s: %w: %w", m.Key, bot.ErrUnavailable, err)
	}
	if queued == 0 {
		release()
		o.log.Debug("already queued or delivered", "key", logKey(m.Key))
		return nil
	}
	if leased {
		c := claimed{key: m.Key, msg: m, attempt: 1, leaseEnd: at, school: school}
		if m.Urgent {
			o.urgent <- c // never blocks: a slot was free
		} else {
			o.normal <- c
		}
		return nil
	}
	o.mu.Lock()
	o.dirty[school] = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run delivers until ctx ends, then waits for deliveries in flight. A
// message this process queued is delivered at once; what other processes
// queued or what is due for a retry is found by one look at all queues per
// poll.
func (o *Outbox) Run(ctx context.Context) {
	sem := make(chan struct{}, o.opt.Workers)
	var wg sync.WaitGroup
	finDone := make(chan struct{})
	go func() { defer close(finDone); o.recordFinished(context.WithoutCancel(ctx)) }()
	o.running.Store(true)
	defer func() {
		o.running.Store(false) // what is sent from now on waits in Redis
		wg.Wait()
		o.releaseLocal(context.WithoutCancel(ctx))
		close(o.fins)
		<-finDone
	}()
	t := time.NewTicker(o.opt.Poll)
	defer t.Stop()
	schools := o.schools
	for {
		// Urgent messages of this process's own, then those of every school
		// in Redis, before the rest of any school.
		for more := true; more; {
			select {
			case c := <-o.urgent:
				o.start(ctx, c, sem, &wg)
			default:
				more = false
			}
		}
		for _, lanes := range []int{urgentOnly, allLanes} {
			for _, school := range schools {
				o.drain(ctx, school, lanes, sem, &wg)
			}
		}
		schools = nil
		select {
		case <-ctx.Done():
			return
		case c := <-o.urgent:
			o.start(ctx, c, sem, &wg)
		case c := <-o.normal:
			// An urgent message that came meanwhile goes first.
			select {
			case u := <-o.urgent:
				o.start(ctx, u, sem, &wg)
			default:
			}
			o.start(ctx, c, sem, &wg)
		case <-o.wake:
			schools = o.takeDirty()
		case <-t.C:
			due, err := o.dueSchools(ctx)
			if err != nil {
				o.log.Warn("look for due messages failed", "err", err)
			}
			schools = due
		}
	}
}

// start delivers one message of this process's own when a worker is free.
func (o *Outbox) start(ctx context.Context, c claimed, sem chan struct{}, wg *sync.WaitGroup) {
	sem <- struct{}{}
	if c.msg.Urgent {
		<-o.uroom
	} else {
		<-o.nroom
	}
	wg.Go(func() {
		defer func() { <-sem }()
		if o.deliver(context.WithoutCancel(ctx), c.school, c) {
			o.fins <- finished{c.school, c}
		}
	})
}

// releaseLocal hands the messages still waiting for this process's own
// delivery back to the queue, due now, so another process need not wait for
// their leases to run out.
func (o *Outbox) releaseLocal(ctx context.Context) {
	var left []claimed
	for {
		select {
		case c := <-o.urgent:
			<-o.uroom
			left = append(left, c)
			continue
		case c := <-o.normal:
			<-o.nroom
			left = append(left, c)
			continue
		default:
		}
		break
	}
	if len(left) == 0 {
		return
	}
	now := o.now().UnixMilli()
	_, err := o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range left {
			p.Eval(ctx, retryLua, []string{o.key(c.school, "urgent"), o.key(c.school, "queue")}, c.key, now, c.leaseEnd)
		}
		return nil
	})
	if err != nil {
		o.log.Warn("could not hand back undelivered messages; their leases run out", "n", len(left), "err", err)
		return
	}
	o.log.Info("handed back undelivered messages", "n", len(left))
}

// takeDirty returns the schools queued for by this process since last time.
func (o *Outbox) takeDirty() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]string, 0, len(o.dirty))
	for s := range o.dirty {
		out = append(out, s)
	}
	clear(o.dirty)
	return out
}

// dueSchools looks, in one pipelined round trip, which schools have a
// message due now.
func (o *Outbox) dueSchools(ctx context.Context) ([]string, error) {
	by := &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(o.now().UnixMilli(), 10), Count: 1}
	cmds := make([][2]*redis.StringSliceCmd, len(o.schools))
	if _, err := o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, s := range o.schools {
			cmds[i][0] = p.ZRangeByScore(ctx, o.key(s, "urgent"), by)
			cmds[i][1] = p.ZRangeByScore(ctx, o.key(s, "queue"), by)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var due []string
	for i, s := range o.schools {
		if len(cmds[i][0].Val())+len(cmds[i][1].Val()) > 0 {
			due = append(due, s)
		}
	}
	return due, nil
}

// drain claims due messages of one school in batches and delivers them.
func (o *Outbox) drain(ctx context.Context, school string, lanes int, sem chan struct{}, wg *sync.WaitGroup) {
	for ctx.Err() == nil {
		batch, err := o.claim(ctx, school, lanes, o.opt.Workers)
		if err != nil {
			o.log.Warn("claim failed", "school", school, "err", err)
			return
		}
		for _, c := range batch {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if o.deliver(context.WithoutCancel(ctx), school, c) {
					o.fins <- finished{school, c}
				}
			})
		}
		if len(batch) < o.opt.Workers {
			return
		}
	}
}

type claimed struct {
	school   string
	key      string
	msg      message.Message
	attempt  int
	leaseEnd int64
	bad      error // the payload did not decode
}

// The lanes a claim takes from.
const (
	urgentOnly = 1
	allLanes   = 2
)

func (o *Outbox) claim(ctx context.Context, school string, lanes, n int) ([]claimed, error) {
	now := o.now()
	leaseEnd := now.Add(o.opt.Lease).UnixMilli()
	keys := []string{o.key(school, "urgent"), o.key(school, "queue"), o.key(school, "msg"), o.key(school, "tries")}
	v, err := claimScript.Run(ctx, o.rdb, keys, now.UnixMilli(), leaseEnd, n, lanes).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]claimed, 0, len(v)/3)
	for i := 0; i+2 < len(v); i += 3 {
		c := claimed{leaseEnd: leaseEnd, school: school}
		c.key, _ = v[i].(string)
		payload, _ := v[i+1].(string)
		a, _ := v[i+2].(int64)
		c.attempt = int(a)
		if err := json.Unmarshal([]byte(payload), &c.msg); err != nil {
			c.bad = err
		}
		out = append(out, c)
	}
	return out, nil
}

// deliver sends one claimed message and reports whether it is done with
// (delivered, or never deliverable); one to retry it reschedules itself.
func (o *Outbox) deliver(ctx context.Context, school string, c claimed) bool {
	log := o.log.With("school", school, "key", logKey(c.key), "attempt", c.attempt)
	if c.bad != nil {
		log.Error("dropping undecodable message", "err", c.bad)
		return true
	}
	sctx, cancel := context.WithTimeout(ctx, o.opt.SendTimeout)
	err := o.next.Send(sctx, c.msg)
	cancel()
	switch {
	case err == nil:
		log.Debug("delivered")
		return true
	case errors.Is(err, message.ErrPermanent):
		log.Error("dropping undeliverable message", "err", err)
		return true
	case c.attempt >= o.opt.MaxAttempts:
		log.Error("giving up after too many attempts", "err", err)
		return true
	default:
		wait := o.opt.Backoff(c.attempt)
		var ra *message.RetryAfterError
		if errors.As(err, &ra) && ra.After > wait {
			wait = ra.After
		}
		log.Warn("delivery failed, will retry", "in", wait, "err", err)
		at := o.now().Add(wait).UnixMilli()
		if _, rerr := retryScript.Run(ctx, o.rdb, []string{o.key(school, "urgent"), o.key(school, "queue")}, c.key, at, c.leaseEnd).Result(); rerr != nil {
			// The lease runs out and the message is tried again anyway.
			log.Warn("could not reschedule", "err", rerr)
		}
		return false
	}
}

// recordFinished records delivered messages as done until fins is closed:
// whatever finished meanwhile in one pipelined round trip.
func (o *Outbox) recordFinished(ctx context.Context) {
	const most = 64
	batch := make([]finished, 0, most)
	for f := range o.fins {
		batch = append(batch[:0], f)
	more:
		for len(batch) < most {
			select {
			case g, ok := <-o.fins:
				if !ok {
					break more
				}
				batch = append(batch, g)
			default:
				break more
			}
		}
		o.finish(ctx, batch...)
	}
}

// finish records messages as done, in one pipelined round trip.
func (o *Outbox) finish(ctx context.Context, fs ...finished) {
	if len(fs) == 0 {
		return
	}
	keys := func(f finished) []string {
		return []string{o.key(f.school, "urgent"), o.key(f.school, "queue"), o.key(f.school, "msg"), o.key(f.school, "tries"), o.key(f.school, "done:"+f.c.key)}
	}
	remember := o.opt.Remember.Milliseconds()
	cmds := make([]*redis.Cmd, len(fs))
	_, _ = o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, f := range fs {
			cmds[i] = finishScript.EvalSha(ctx, p, keys(f), f.c.key, remember, f.c.leaseEnd)
		}
		return nil
	})
	for i, f := range fs {
		err := cmds[i].Err()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			// Redis restarted and forgot the script: load it on the way.
			err = finishScript.Run(ctx, o.rdb, keys(f), f.c.key, remember, f.c.leaseEnd).Err()
		}
		if err != nil {
			// The lease runs out and the message is delivered again: the
			// one case of a repeat, logged so it can be told apart.
			o.log.Warn("could not record delivery", "school", f.school, "key", logKey(f.c.key), "err", err)
		}
	}
}

// Pending counts the messages of a school waiting for delivery.
func (o *Outbox) Pending(ctx context.Context, school string) (int64, error) {
	u, err := o.rdb.ZCard(ctx, o.key(school, "urgent")).Result()
	if err != nil {
		return 0, err
	}
	n, err := o.rdb.ZCard(ctx, o.key(school, "queue")).Result()
	return u + n, err
}

// logKey is a message key fit for the log: school, request, notice kind
// and offer, without the recipient's handle that follows.
func logKey(key string) string {
	n := 0
	for i := range len(key) {
		if key[i] == '/' {
			if n++; n == 4 {
				return key[:i]
			}
		}
	}
	return key
}
