package redisstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// TestConcurrentRequests fires 500 CreateAndOffer calls for one school with
// three helpers, each from a goroutine of its own: 200 at once, the rest
// arriving over eight seconds of the store's clock. Meanwhile goroutines
// play the helpers (accept, decline, resolve), requesters withdraw, and a
// sweeper times offers out. A checker takes atomic snapshots (one
// read-only script) all along: no helper may ever hold two offers or
// requests, and what a helper holds must be its engaged field. Once all is
// played out, every request is in one final state and the counters add up
// to what the calls reported.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	c := newCrowd(t)
	if !t.Run("play", c.play) {
		return
	}
	t.Run("nobody holds two at the end", c.checkHoldsAtEnd)
	t.Run("each request in one final state", c.checkFinalStates)
	t.Run("counters add up", c.checkCounters)
	t.Run("every path taken", c.checkEveryPath)
}

// Sizes of the crowd.
const (
	crowdRequests = 500
	crowdBurst    = 200  // requests at once at the start
	crowdSpread   = 8000 // ms of the store's clock over which the rest arrive
	crowdTimeout  = 300  // ms of the store's clock an offer lasts
)

// crowd is the state of TestConcurrentRequests: the store, the store's
// clock, and what the successful calls reported, to check the counters
// against.
type crowd struct {
	f       *fixture
	ids     []string
	helpers []string
	cands   []bot.Candidate
	clock   *storeClock

	ev struct {
		offers, escalated, accepted, acceptedFirst, declines, timeouts, resolved, cancelled, cancelledEscalated, noCover atomic.Int64
	}
	snapshots atomic.Int64
	byState   map[bot.State]int64 // the final states, once played

	t      *testing.T // the step that plays
	failed atomic.Bool
}

func newCrowd(t *testing.T) *crowd {
	c := &crowd{
		f:       newFixture(t),
		helpers: []string{"anne", "bram", "cees"},
		cands:   []bot.Candidate{cand("anne", 0), cand("bram", 0), cand("cees", 1)},
		clock:   newStoreClock(),
	}
	for i := range crowdRequests {
		c.ids = append(c.ids, fmt.Sprintf("r%03d", i))
	}
	// The play is about what concurrent changes do to each other, not how
	// fast they answer: on a loaded machine, under -race, a burst of 200
	// creates must not be refused for coming past their answer budget (the
	// guard has tests of its own).
	c.f.s.budget = time.Minute
	return c
}

// fail fails the play and makes every player stop.
func (c *crowd) fail(format string, args ...any) {
	c.failed.Store(true)
	c.t.Errorf(format, args...)
}

// raced reports a lost race, which is fine; anything else fails the test.
func raced(err error) bool {
	for _, e := range []error{bot.ErrStale, bot.ErrClosed, bot.ErrAlreadyAccepted, bot.ErrNotYours, bot.ErrNoOffer, bot.ErrNoActiveRequest} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// tally counts what a create or a move on came to.
func (c *crowd) tally(r bot.Request) {
	switch r.State {
	case bot.StateOffered:
		c.ev.offers.Add(1)
	case bot.StateEscalated:
		c.ev.escalated.Add(1)
	}
}

func (c *crowd) deadline(at time.Time) time.Time { return at.Add(crowdTimeout * time.Millisecond) }

// play runs the crowd until every request is settled and no offer is left.
func (c *crowd) play(t *testing.T) {
	c.t = t
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var requesters sync.WaitGroup
	start := make(chan struct{})
	for i := range crowdBurst {
		requesters.Go(func() { <-start; c.ask(ctx, i) })
	}
	requesters.Go(func() { <-start; c.arrive(ctx, &requesters) })

	var created atomic.Bool
	var players sync.WaitGroup
	for hi, h := range c.helpers {
		players.Go(func() { c.help(ctx, hi, h, &created) })
	}

	playedOut := make(chan struct{})
	var background sync.WaitGroup
	background.Go(func() { c.sweep(ctx, playedOut) })
	background.Go(func() { c.check(ctx, playedOut) })

	close(start)
	requesters.Wait()
	created.Store(true)
	players.Wait()
	close(playedOut)
	background.Wait()
	if c.failed.Load() {
		return
	}
	if ctx.Err() != nil {
		t.Fatalf("did not settle: %v", ctx.Err())
	}
}

// arrive starts the requests after the burst, each when the store's clock
// reaches its random time of arrival.
func (c *crowd) arrive(ctx context.Context, requesters *sync.WaitGroup) {
	type arrival struct {
		i  int
		at int64
	}
	var later []arrival
	for i := crowdBurst; i < crowdRequests; i++ {
		later = append(later, arrival{i, rand.Int64N(crowdSpread)})
	}
	slices.SortFunc(later, func(a, b arrival) int { return cmp.Compare(a.at, b.at) })
	for _, a := range later {
		if !c.clock.until(ctx.Done(), a.at) {
			return
		}
		requesters.Go(func() { c.ask(ctx, a.i) })
	}
}

// ask is teacher i asking for help; some withdraw at once, some by id,
// some "the latest".
func (c *crowd) ask(ctx context.Context, i int) {
	id := c.ids[i]
	r := request(id, c.clock.step(1))
	r.Requester = bot.Address{Platform: slack, Handle: "t" + strconv.Itoa(i%40)}
	r.Group = strconv.Itoa(1 + i%8)
	cs := c.cands
	if i%50 == 0 {
		cs = nil // nobody on duty
		c.ev.noCover.Add(1)
	}
	at := c.clock.step(1)
	got, err := c.f.s.CreateAndOffer(ctx, at, r, cs, c.deadline(at), retention)
	if err != nil {
		c.fail("create %s: %v", id, err)
		return
	}
	c.tally(got)
	if i%9 != 0 {
		return
	}
	which := id
	if i%2 == 0 {
		which = ""
	}
	got, err = c.f.s.Cancel(ctx, c.clock.step(1), school, r.Requester, which)
	switch {
	case err == nil:
		c.ev.cancelled.Add(1)
		if got.HelperID == "" {
			c.ev.cancelledEscalated.Add(1)
		}
	case !raced(err):
		c.fail("cancel %q of %s: %v", which, r.Requester.Handle, err)
	}
}

// help plays helper h: resolve what it accepted, accept or decline what it
// is offered, or leave one offer in ten to time out. With nothing to do it
// looks again 5 ms later on the store's clock (which others move), with an
// offer it leaves once its deadline has passed; once every request is
// created and it holds nothing, it is done.
func (c *crowd) help(ctx context.Context, seed int, h string, created *atomic.Bool) {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	ignored := map[string]bool{} // offers left to time out
	for ctx.Err() == nil && !c.failed.Load() {
		now, _ := c.clock.read()
		st, err := c.f.s.HelperStates(ctx, school, []string{h})
		if err != nil {
			c.fail("%s: helper states: %v", h, err)
			return
		}
		id := st[h].Engaged
		if id == "" && created.Load() {
			return
		}
		var r bot.Request
		if id != "" {
			if r, err = c.f.s.Request(ctx, school, id); err != nil {
				c.fail("%s: read %s: %v", h, id, err)
				return
			}
		}
		next := now + 5
		offer := id + "/" + strconv.Itoa(r.OfferNo)
		if r.State == bot.StateOffered && (ignored[offer] || rng.IntN(10) == 0) {
			ignored[offer] = true // the sweeper will move it on
			id, next = "", max(next, r.Deadline.Sub(t0).Milliseconds())
		}
		if id == "" {
			c.clock.until(ctx.Done(), next)
			continue
		}
		at := c.clock.step(1)
		switch {
		case r.State == bot.StateAccepted:
			_, err = c.f.s.Resolve(ctx, at, school, h, "")
			if err == nil {
				c.ev.resolved.Add(1)
			}
		case rng.IntN(10) < 6: // accept the offer held, like /hulp ok
			r, err = c.f.s.Accept(ctx, at, school, h, "", 0)
			if err == nil {
				c.ev.accepted.Add(1)
				if r.OfferNo == 1 {
					c.ev.acceptedFirst.Add(1)
				}
			}
		default: // decline, like the button: with request and offer number
			r, err = c.f.s.Advance(ctx, at, school, id, r.OfferNo, bot.ReasonDecline, h, c.cands, c.deadline(at))
			if err == nil {
				c.ev.declines.Add(1)
				c.tally(r)
			}
		}
		if err != nil && !raced(err) {
			c.fail("%s on %s: %v", h, id, err)
			return
		}
	}
}

// sweep times offers out, like the sweeper, until the play is over and no
// deadline is left. It is what moves the store's clock when nobody acts:
// every 5 ms of real time it looks, 20 ms of the store's clock later.
func (c *crowd) sweep(ctx context.Context, playedOut <-chan struct{}) {
	look := time.NewTicker(5 * time.Millisecond)
	defer look.Stop()
	for ctx.Err() == nil && !c.failed.Load() {
		at := c.clock.step(20)
		due, err := c.f.s.DueOffers(ctx, school, at, 50)
		if err != nil {
			c.fail("due offers: %v", err)
			return
		}
		for _, o := range due {
			r, err := c.f.s.Advance(ctx, at, school, o.RequestID, o.OfferNo, bot.ReasonTimeout, "", c.cands, c.deadline(at))
			switch {
			case err == nil:
				c.ev.timeouts.Add(1)
				c.tally(r)
			case !raced(err):
				c.fail("timeout %s: %v", o.RequestID, err)
				return
			}
		}
		if len(due) == 0 && closed(playedOut) {
			if n, err := c.f.rdb.ZCard(ctx, c.f.key("deadlines")).Result(); err == nil && n == 0 {
				return
			}
		}
		select {
		case <-look.C:
		case <-ctx.Done():
		}
	}
}

// check takes a snapshot every 50 ms of the store's clock until the play is
// over.
func (c *crowd) check(ctx context.Context, playedOut <-chan struct{}) {
	for ctx.Err() == nil && !c.failed.Load() {
		now, _ := c.clock.read()
		if err := checkHolds(ctx, c.f, c.ids, c.helpers); err != nil {
			c.fail("during the play: %v", err)
			return
		}
		c.snapshots.Add(1)
		if !c.clock.until(playedOut, now+50) {
			return
		}
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (c *crowd) checkHoldsAtEnd(t *testing.T) {
	if err := checkHolds(context.Background(), c.f, c.ids, c.helpers); err != nil {
		t.Fatal(err)
	}
}

// checkFinalStates: every request is resolved, escalated or cancelled, and
// the indexes agree with its state.
func (c *crowd) checkFinalStates(t *testing.T) {
	f, ctx := c.f.on(t), context.Background()
	c.byState = map[bot.State]int64{}
	for _, id := range c.ids {
		r, err := f.s.Request(ctx, school, id)
		if err != nil {
			t.Fatal(err)
		}
		c.byState[r.State]++
		active := r.State.Active()
		if _, err := f.rdb.ZScore(ctx, f.key("active"), id).Result(); (err == nil) != active {
			t.Errorf("%s in state %s: in the active set %v, want %v", id, r.State, err == nil, active)
		}
		if _, err := f.rdb.ZScore(ctx, f.key(f.mine(r.Requester)), id).Result(); (err == nil) != active {
			t.Errorf("%s in state %s: in the requester's set %v, want %v", id, r.State, err == nil, active)
		}
	}
	if left := c.byState[bot.StateOffered] + c.byState[bot.StateAccepted]; left != 0 {
		t.Errorf("%d requests offered or accepted (states %v), want none", left, c.byState)
	}
	if got := c.byState[bot.StateResolved] + c.byState[bot.StateEscalated] + c.byState[bot.StateCancelled]; got != crowdRequests {
		t.Errorf("states %v add up to %d, want %d", c.byState, got, crowdRequests)
	}
	if d := f.members("deadlines"); len(d) != 0 {
		t.Errorf("deadlines left: %v, want none", d)
	}
}

// checkCounters: the week's counters are what the calls reported, and
// agree with the final states.
func (c *crowd) checkCounters(t *testing.T) {
	f := c.f.on(t)
	st := f.stats()
	want := map[string]int64{
		"requests":        crowdRequests,
		"offers":          c.ev.offers.Load(),
		"accepted":        c.ev.accepted.Load(),
		"accepted_first":  c.ev.acceptedFirst.Load(),
		"declines":        c.ev.declines.Load(),
		"timeouts":        c.ev.timeouts.Load(),
		"escalated":       c.ev.escalated.Load(),
		"resolved":        c.ev.resolved.Load(),
		"cancelled":       c.ev.cancelled.Load(),
		"no_cover":        c.ev.noCover.Load(),
		"daypart:ochtend": crowdRequests,
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if st[k] != want[k] {
			t.Errorf("counter %s = %d, want %d", k, st[k], want[k])
		}
	}
	var groups int64
	for k, v := range st {
		if strings.HasPrefix(k, "group:") {
			groups += v
		}
	}
	if groups != crowdRequests {
		t.Errorf("group counters add up to %d, want %d", groups, crowdRequests)
	}
	// An escalated request may still be withdrawn: counted in both.
	if c.byState != nil {
		for _, s := range []struct {
			state bot.State
			want  int64
		}{
			{bot.StateResolved, st["resolved"]},
			{bot.StateCancelled, st["cancelled"]},
			{bot.StateEscalated, st["escalated"] - c.ev.cancelledEscalated.Load()},
		} {
			if got := c.byState[s.state]; got != s.want {
				t.Errorf("%d requests %s, want %d from the counters %v (%d escalated requests withdrawn)", got, s.state, s.want, st, c.ev.cancelledEscalated.Load())
			}
		}
	}
	if tta, err := f.s.TimesToAccept(context.Background(), school, week); err != nil || int64(len(tta)) != st["accepted"] {
		t.Errorf("TimesToAccept = %d waits, %v; want %d, one per acceptance", len(tta), err, st["accepted"])
	}
	t.Logf("states %v; counters %v; %d snapshots checked", c.byState, st, c.snapshots.Load())
}

// checkEveryPath: the play took every path: accept, decline, timeout,
// resolve and withdraw.
func (c *crowd) checkEveryPath(t *testing.T) {
	st := c.f.on(t).stats()
	for _, k := range []string{"accepted", "declines", "timeouts", "resolved", "cancelled"} {
		if st[k] == 0 {
			t.Errorf("counter %s = 0, want some: the play did not take every path (counters %v)", k, st)
		}
	}
}

// storeClock is the store's time in TestConcurrentRequests, in milliseconds
// since t0: every call moves it on 1 ms, every look of the sweeper 20 ms.
// A goroutine with nothing to do waits for it to move, not for real time.
type storeClock struct {
	mu    sync.Mutex
	ms    int64
	moved chan struct{} // closed at the next move
}

func newStoreClock() *storeClock { return &storeClock{moved: make(chan struct{})} }

// step moves the clock on by d ms and returns the time it then reads.
func (c *storeClock) step(d int64) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ms += d
	close(c.moved)
	c.moved = make(chan struct{})
	return t0.Add(time.Duration(c.ms) * time.Millisecond)
}

// read returns the time in ms since t0 and a channel closed at the next move.
func (c *storeClock) read() (int64, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ms, c.moved
}

// until waits until the clock reads at least ms since t0; false when stop
// is closed first.
func (c *storeClock) until(stop <-chan struct{}, ms int64) bool {
	for {
		now, moved := c.read()
		if now >= ms {
			return true
		}
		select {
		case <-moved:
		case <-stop:
			return false
		}
	}
}

// holdsScript reads the state and helper of every request (ARGV[1]: how
// many request keys follow ARGV[2], the school's helpers hash) and the
// engaged part of every helper id after them. One script is one moment of
// the store, read in one round trip.
var holdsScript = redis.NewScript(`
local out = {}
local n = tonumber(ARGV[1])
for i = 3, n + 2 do
  local v = redis.call('HMGET', ARGV[i], 'state', 'helper')
  out[#out + 1] = v[1] or ''
  out[#out + 1] = v[2] or ''
end
for i = n + 3, #ARGV do
  local v = redis.call('HGET', ARGV[2], ARGV[i])
  out[#out + 1] = v and string.match(v, '^[^|]*|[^|]*|([^|]*)|') or ''
end
return out
`)

// checkHolds checks, at one moment, that each helper holds at most one
// offered or accepted request and that its engaged field names exactly that.
func checkHolds(ctx context.Context, f *fixture, ids, helpers []string) error {
	args := []any{strconv.Itoa(len(ids)), f.key("helpers")}
	for _, id := range ids {
		args = append(args, f.key("req:"+id))
	}
	for _, h := range helpers {
		args = append(args, h)
	}
	v, err := holdsScript.Run(ctx, f.rdb, []string{f.key("deadlines")}, args...).StringSlice()
	if err != nil {
		return err
	}
	held := map[string][]string{}
	for i, id := range ids {
		state, helper := v[2*i], v[2*i+1]
		switch state {
		case "", "resolved", "cancelled":
		case "escalated":
			if helper != "" {
				return fmt.Errorf("%s escalated but has helper %s", id, helper)
			}
		case "offered", "accepted":
			held[helper] = append(held[helper], id)
		default:
			return fmt.Errorf("%s in unknown state %q", id, state)
		}
	}
	for i, h := range helpers {
		engaged := v[2*len(ids)+i]
		switch got := held[h]; {
		case len(got) > 1:
			return fmt.Errorf("%s holds %v at once", h, got)
		case len(got) == 1 && engaged != got[0]:
			return fmt.Errorf("%s holds %s but is engaged in %q", h, got[0], engaged)
		case len(got) == 0 && engaged != "":
			return fmt.Errorf("%s holds nothing but is engaged in %q", h, engaged)
		}
	}
	return nil
}
