// Package outbox is the one path by which a message reaches a chat
// platform. A message is first queued in Redis, then delivered by whichever
// hulpbot process claims it, retried with backoff when the platform fails
// (one retry policy: jitter, Retry-After, give up on permanent errors), and
// remembered once delivered so the same key is not delivered twice (one
// de-duplication).
//
// Two kinds of entries wait here. Notices are queued by the store's scripts
// in the same step as the change that owes them (a transactional outbox):
// "notice|kind|request|…", put in words at delivery, from the request as it
// stands then, by a Renderer. Messages made whole elsewhere (the weekly
// posts) are queued by Send as JSON.
//
// Keys, per school, under the school's key base (<base> below: the
// store's, "<prefix>:{<school>}:" for a school alone, or
// "<prefix>:{pool.<id>}:<school>:" for a school in a pool of several; see
// adapters/redisstore). The hash tag keeps them in the Redis Cluster slot of
// the school's store keys, so a script can queue with its change:
//
//	<base>outbox:urgent     zset: message key → next try (ms); taken first
//	<base>outbox:queue      zset: the same for messages nobody must act on at once
//	<base>outbox:msg        hash: message key → notice, or JSON message
//	<base>outbox:tries      hash: message key → attempts so far
//	<base>outbox:done:<key> string: delivered; expires after a day
//
// A message key names no person, since it names a key and travels with the
// message: a notice's names its recipient by role ("n/<request>/<kind>/
// <offer>/helper"), a weekly post's by pseudonym, and one queued without
// a key gets an anonymous one.
//
// A claim leases a message to one worker, and keys already delivered are
// not queued again. A process killed after the platform accepted a message
// but before it recorded that leaves it to its lease; the next attempt first
// asks the platform whether it has the message already (message.Checker),
// so the crash does not double it.
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
	"strings"
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
	// SendTimeout bounds one delivery attempt. Default 15s, at most half
	// the lease.
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
	// FullLook is how often the poll looks at every school's lanes
	// rather than at the index of schools with messages due only: the
	// safety net for a hint lost when a process stopped between queuing a
	// message and writing its hint. Default 30s.
	FullLook time.Duration
	// Sync delivers what this process queues at once, in the caller's
	// goroutine, before the call returns: the terminal chat, where what a
	// command causes is printed before the next prompt. Retries and other
	// processes' messages still go through Run.
	Sync bool
}

// Renderer puts a queued notice in words, from the request as it stands
// (catalog.NoticeRenderer). It reports false when there is nothing to tell
// any more; an error wrapping message.ErrPermanent when there never will be.
type Renderer interface {
	RenderNotice(ctx context.Context, school, notice string) (message.Message, bool, error)
}

func (o *Options) fill() {
	if o.Lease == 0 {
		o.Lease = 60 * time.Second
	}
	if o.SendTimeout == 0 {
		// Well inside the lease: an attempt ends before another process
		// may take the message over.
		o.SendTimeout = min(15*time.Second, o.Lease/2)
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.FullLook == 0 {
		o.FullLook = 30 * time.Second
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
	bases   Bases
	schools []string
	known   map[string]bool // schools, as a set
	next    message.Sender
	render  Renderer
	now     func() time.Time
	opt     Options
	log     *slog.Logger
	wake    chan struct{}

	mu    sync.Mutex
	dirty map[string]bool  // schools this process queued for since the last look
	hints map[string]int64 // hints (school → ms) not written yet; see index.go

	// Messages leased to this process (its changes' notices, what it
	// sent): delivered at once by Run, without a claim, urgent ones first.
	// Each lane has room of its own (uroom, nroom), so messages nobody must
	// act on never crowd out an offer; beyond it a message waits in Redis
	// for a claim.
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

// The store's Courier is checked where both meet: in the tests and in
// cmd/hulpbot's wiring, so the outbox does not import the store.
var _ message.Sender = (*Outbox)(nil)

// noSchool holds messages that belong to no school.
const noSchool = "_"

// New returns an outbox on rdb for the given schools that delivers through next.
func New(rdb redis.UniversalClient, prefix string, schools []string, next message.Sender, now func() time.Time, opt Options, log *slog.Logger) *Outbox {
	opt.fill()
	local := 4 * opt.Workers
	known := map[string]bool{noSchool: true}
	for _, sc := range schools {
		known[sc] = true
	}
	return &Outbox{
		rdb: rdb, prefix: prefix, schools: append(append([]string(nil), schools...), noSchool), known: known,
		next: next, now: now, opt: opt, log: log.With("component", "outbox"),
		wake: make(chan struct{}, 1), dirty: map[string]bool{}, hints: map[string]int64{},
		urgent: make(chan claimed, local), normal: make(chan claimed, local), uroom: make(chan struct{}, local), nroom: make(chan struct{}, local),
		fins: make(chan finished, local),
	}
}

// Bases says where a school's keys start; the store's layout
// (redisstore.Store.Base), so a notice a script queues is found here.
type Bases interface {
	Base(school string) string
}

// SetBases makes b place the keys of each school. Set it before Run;
// without it a school's keys start with "<prefix>:{<school>}:".
func (o *Outbox) SetBases(b Bases) { o.bases = b }

// SetRenderer makes r put queued notices in words. Set it before Run.
func (o *Outbox) SetRenderer(r Renderer) { o.render = r }

// Lease implements redisstore.Courier: a change made now may lease its
// notices to this process while it delivers and has room.
func (o *Outbox) Lease() (time.Time, bool) {
	if !o.opt.Sync && (!o.running.Load() || len(o.urgent)+len(o.normal) >= cap(o.urgent)) {
		return time.Time{}, false
	}
	return o.now().Add(o.opt.Lease), true
}

// Deliver implements redisstore.Courier: the notices a change of this
// process queued, leased to it until leaseEnd, delivered at once. What finds
// no room is handed back, due now, for whichever process claims it.
func (o *Outbox) Deliver(school string, leaseEnd time.Time, keyNotice []string) {
	end := leaseEnd.UnixMilli()
	// Should this process stop before delivering them, the poll finds
	// them when their lease runs out.
	o.hintLater(school, end)
	var back []claimed
	for i := 0; i+1 < len(keyNotice); i += 2 {
		c := claimed{key: keyNotice[i], payload: keyNotice[i+1], attempt: 1, leaseEnd: end, school: school}
		c.urgent = urgentNotice(c.payload)
		if o.opt.Sync {
			ctx := context.Background()
			if o.deliver(ctx, school, c) {
				o.finish(ctx, finished{school, c})
			}
			continue
		}
		room, lane := o.nroom, o.normal
		if c.urgent {
			room, lane = o.uroom, o.urgent
		}
		select {
		case room <- struct{}{}:
			lane <- c // never blocks: a slot was free
		default:
			back = append(back, c)
		}
	}
	if len(back) > 0 {
		o.handBack(context.Background(), back)
	}
}

// Queued implements redisstore.Courier: a change queued notices due now;
// they are claimed at once by whichever worker is free.
func (o *Outbox) Queued(school string) {
	o.hintLater(school, o.now().UnixMilli())
	o.queued(school)
}

// queued wakes Run to claim what school has due now.
func (o *Outbox) queued(school string) {
	o.mu.Lock()
	o.dirty[school] = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// urgentNotice reports a queued notice someone must act on now.
func urgentNotice(notice string) bool {
	rest, ok := strings.CutPrefix(notice, "notice|")
	if !ok {
		return false
	}
	kind, _, ok := strings.Cut(rest, "|")
	return ok && bot.NoticeKind(kind).Urgent()
}

func (o *Outbox) key(school, rest string) string {
	if school == "" {
		school = noSchool
	}
	if o.bases != nil {
		return o.bases.Base(school) + "outbox:" + rest
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
	switch {
	case o.opt.Sync:
		at, leased = now.Add(o.opt.Lease).UnixMilli(), true
	case o.running.Load():
		select {
		case room <- struct{}{}:
			at, leased = now.Add(o.opt.Lease).UnixMilli(), true
		default: // this process has enough to do: whoever is free claims it
		}
	}
	release := func() {
		if leased && !o.opt.Sync {
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
		c := claimed{key: m.Key, payload: string(payload), attempt: 1, leaseEnd: at, school: school, urgent: m.Urgent}
		if o.opt.Sync {
			o.hint(ctx, school, at)
			if o.deliver(context.WithoutCancel(ctx), school, c) {
				o.finish(context.WithoutCancel(ctx), finished{school, c})
			}
			return nil
		}
		if m.Urgent {
			o.urgent <- c // never blocks: a slot was free
		} else {
			o.normal <- c
		}
		// After the hand-over, so the delivery does not wait for it; for
		// when this process stops before delivering.
		o.hint(ctx, school, at)
		return nil
	}
	o.hint(ctx, school, at)
	o.queued(school)
	return nil
}

// Run delivers until ctx ends, then waits for deliveries in flight. A
// message this process queued is delivered at once; what other processes
// queued or what is due for a retry is found by a look at the index of
// schools with messages due each poll, and at every school's lanes at start
// and every FullLook.
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
	// The first look is a full one: what waited while no process ran.
	var lastFull time.Time
	schools, polled := o.poll(ctx, true)
	if polled {
		lastFull = o.now()
	}
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
		if polled && ctx.Err() == nil {
			// Their hints now say when they are due next: after the
			// leases just taken, or a later retry.
			if err := o.rehint(ctx, schools); err != nil {
				o.log.Warn("outbox index: rehint failed; the next look is at every school", "err", err)
				lastFull = time.Time{}
			}
		}
		schools, polled = nil, false
		// The hints of the store's changes (hintLater), after the
		// deliveries above have started: they do not wait for it.
		if err := o.flushHints(ctx); err != nil {
			o.log.Warn("outbox index: hints not written; kept", "err", err)
		}
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
			now := o.now()
			full := now.Sub(lastFull) >= o.opt.FullLook || now.Before(lastFull)
			schools, polled = o.poll(ctx, full)
			if full && polled {
				lastFull = now
			}
		}
	}
}

// poll returns the schools with messages due now: from the index, or, when
// full, from every school's lanes. It reports whether it looked, so the
// hints of what it found are set again after their messages are claimed.
func (o *Outbox) poll(ctx context.Context, full bool) ([]string, bool) {
	look := o.indexed
	if full {
		look = o.fullLook
	}
	due, err := look(ctx, o.now())
	if err != nil {
		o.log.Warn("look for due messages failed", "full", full, "err", err)
		return due, false
	}
	return due, true
}

// start delivers one message of this process's own when a worker is free.
func (o *Outbox) start(ctx context.Context, c claimed, sem chan struct{}, wg *sync.WaitGroup) {
	sem <- struct{}{}
	if c.urgent {
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
	o.handBack(ctx, left)
}

// handBack makes messages leased to this process due now, for whichever
// process claims them first.
func (o *Outbox) handBack(ctx context.Context, left []claimed) {
	if len(left) == 0 {
		return
	}
	now := o.now().UnixMilli()
	_, err := o.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range left {
			p.Eval(ctx, retryLua, []string{o.key(c.school, "urgent"), o.key(c.school, "queue"), o.key(c.school, "tries")}, c.key, now, c.leaseEnd, "1")
		}
		return nil
	})
	if err != nil {
		o.log.Warn("could not hand back undelivered messages; their leases run out", "n", len(left), "err", err)
		return
	}
	// Claimed at once by whichever worker is free, not at the next poll.
	for _, c := range left {
		o.keepHint(c.school, now)
		o.queued(c.school)
	}
	if err := o.flushHints(ctx); err != nil {
		o.log.Warn("outbox index: hints of messages handed back not written; the full look finds them", "err", err)
	}
	o.log.Debug("handed back undelivered messages", "n", len(left))
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
	payload  string // a notice, or a JSON message
	urgent   bool
	attempt  int
	leaseEnd int64
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
		c.payload, _ = v[i+1].(string)
		c.urgent = urgentNotice(c.payload)
		a, _ := v[i+2].(int64)
		c.attempt = int(a)
		out = append(out, c)
	}
	return out, nil
}

// deliver sends one claimed message and reports whether it is done with
// (delivered, or never deliverable); one to retry it reschedules itself.
func (o *Outbox) deliver(ctx context.Context, school string, c claimed) bool {
	log := o.log.With("school", school, "key", logKey(c.key), "attempt", c.attempt)
	sctx, cancel := context.WithTimeout(ctx, o.opt.SendTimeout)
	defer cancel()
	m, ok, err := o.message(sctx, school, c)
	switch {
	case err == nil && !ok:
		log.Debug("nothing to tell any more")
		return true
	case err == nil && c.attempt > 1:
		// An earlier attempt may have reached the platform before its
		// process died: ask the platform before sending again.
		if ch, isChecker := o.next.(message.Checker); isChecker {
			have, cerr := ch.Delivered(sctx, m)
			if cerr == nil && have {
				log.Info("already on the platform; not sent again")
				return true
			}
			if cerr != nil {
				log.Warn("could not look for an earlier delivery", "err", cerr)
			}
		}
	}
	if err == nil {
		err = o.next.Send(sctx, m)
	}
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
		moved, rerr := retryScript.Run(ctx, o.rdb, []string{o.key(school, "urgent"), o.key(school, "queue"), o.key(school, "tries")}, c.key, at, c.leaseEnd, "0").Int()
		switch {
		case rerr != nil:
			// The lease runs out and the message is tried again anyway;
			// its hint is at or before the lease's end.
			log.Warn("could not reschedule", "err", rerr)
		case moved == 1:
			o.hint(ctx, school, at)
		}
		return false
	}
}

// message is what c says: a notice put in words as its request stands now,
// or the message queued whole.
func (o *Outbox) message(ctx context.Context, school string, c claimed) (message.Message, bool, error) {
	if strings.HasPrefix(c.payload, "notice|") {
		if o.render == nil {
			return message.Message{}, false, errors.New("no renderer for notices")
		}
		m, ok, err := o.render.RenderNotice(ctx, school, c.payload)
		if err != nil {
			return m, false, fmt.Errorf("render notice: %w", err)
		}
		if ok && m.Key == "" {
			m.Key = c.key
		}
		return m, ok, nil
	}
	var m message.Message
	if err := json.Unmarshal([]byte(c.payload), &m); err != nil {
		return m, false, fmt.Errorf("decode: %w: %w", message.ErrPermanent, err)
	}
	return m, true, nil
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
		// The lane it is in first: one look instead of two.
		lanes := []string{o.key(f.school, "urgent"), o.key(f.school, "queue")}
		if !f.c.urgent {
			lanes[0], lanes[1] = lanes[1], lanes[0]
		}
		return append(lanes, o.key(f.school, "msg"), o.key(f.school, "tries"), o.key(f.school, "done:"+f.c.key))
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

// logKey is a message key fit for the log, without whatever could name the
// recipient. Keys name nobody now (a notice's recipient by role, a weekly
// post's by pseudonym), but messages queued by an earlier version may
// still wait with a handle or a helper's id in their key: a notice's key
// "n/<request>/<kind>/<offer>/<role>" is kept whole but for what follows a
// colon in the role ("helper:<id>"); any other key ("weekly/<school>/<tick>/
// <recipient>", "summary/<school>/<week>/<recipient>/<time>", "anon/…")
// to its first three parts.
func logKey(key string) string {
	parts := strings.SplitN(key, "/", 6)
	n := 3
	if parts[0] == "n" {
		n = 5
	}
	if len(parts) > n {
		parts = parts[:n]
	}
	if parts[0] == "n" && len(parts) == 5 {
		parts[4], _, _ = strings.Cut(parts[4], ":")
	}
	return strings.Join(parts, "/")
}
