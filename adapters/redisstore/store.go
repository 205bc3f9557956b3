// Package redisstore is bot.Store on Redis (go-redis v9).
//
// Every state change of a request is one Lua script (the .lua files here), so
// it happens whole or not at all, also with several hulpbot processes on one
// Redis. A script touches keys of one Redis Cluster slot only: the slot of
// the school's pool. A pool is the schools joined by the helpers they share
// (bot.Directory.LinkPeople; layout.go): a helper at several schools is one
// person, whose one state every school's script reads and changes, so they
// must be in one slot. A school that shares nobody is a pool of its own, and
// its keys are what they always were. <base> is the school's key base,
// "<prefix>:{<school>}:" alone or "<prefix>:{pool.<id>}:<school>:" in a pool
// of several (<pool> is then "<prefix>:{pool.<id>}:", else <base>):
//
//	<pool>helpers                 hash: person → "status|until|engaged|last|school"
//	<base>req:<id>                hash: the request record; expires after retention
//	<base>story:<id>              hash: a success story held for its author's choice; expires with the hold
//	<base>note:<id>               string: the request's note; expires a grace (SetNoteGrace) after the request closes
//	<base>donenote:<id>           string: the helper's closing note; expires a grace after the request closes
//	<base>deadlines               zset: request id → deadline (ms) of its current offer
//	<base>followups               zset: request id → when the requester hears how it stands (ms)
//	<base>active                  zset: active request id → created (ms)
//	<base>mine:<pseudonym>        zset: a requester's active requests → created (ms)
//	<base>week:<YYYY-Www>         hash: counters of the week; no names, no notes
//	<base>tta:<YYYY-Www>          list: times to accept (ms)
//	<base>month:<YYYY-MM>         hash: counters of the calendar month (school's time zone); no names, no notes
//	<base>tta:<YYYY-MM>           list: times to accept (ms) of the month's requests
//	<base>months                  set: the months that have counters (YYYY-MM)
//	<base>asked:<YYYY-MM>         hash: pseudonym → platform:handle of who asked for help that month (the month's survey); 90 days
//	<base>survey:sent:<survey>:<period>                 set: pseudonyms sent the survey of the period
//	<base>survey:answered:<survey>:<period>:<question>  set: pseudonyms who answered; the answers are counts only
//	<base>survey:<survey>:<period>                      hash: "<question>:<1-5>" → how many answered so; no people
//	<base>stories:<YYYY-Www>      list: success stories
//	<base>audit                   zset: who viewed an overview or exported figures, when (privacy.go); kept privacy.audit_retention
//	<base>op:<operation id>       string: the request an operation changed, for two minutes
//	<base>outbox:…                the school's outbox (adapters/outbox)
//	<prefix>:due                  zset: school → when it may have something due (ms): the sweeper's index, a hint (dueindex.go)
//	<prefix>:layout               hash: school → where its keys were put last (MigrateLayout)
//	<prefix>:lang:<pseudonym>     string: "nl" or "en", the language a person reads at a school that allows both (internal/personlang, written by the platform adapters); 100 days, asked again after a day
//
// No key name holds a person's name or handle: a requester's index is named
// by their pseudonym (internal/pseudonym, with the deployment's key kept at
// <prefix>:pseudonym_key), and the records and hashes keep who is who.
//
// Times are unix milliseconds. The caller's now goes into every script; Redis
// TIME is never used, so tests can move time.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// StatsTTL is how long the weekly and monthly statistics are kept after
// their last change, unless SetStatsTTL says otherwise: two school years and
// a margin, so a school year's overview can be read until the end of the
// next one and this week compared with the same week last year. Counters
// hold no personal data.
const StatsTTL = 800 * 24 * time.Hour

// DefaultPrefix starts every key when New is given no prefix.
const DefaultPrefix = "hb"

// Store keeps requests, helper states and weekly statistics in Redis.
type Store struct {
	rdb      redis.UniversalClient
	prefix   string
	log      *slog.Logger
	sc       scripts
	courier  Courier
	names    *pseudonym.Keyring
	layout   map[string]*schoolLayout // school → where its keys are (UsePools)
	budget   time.Duration
	auditTTL atomic.Int64  // audit retention (SetAuditRetention), ns; 0 is the default
	stats    time.Duration // how long statistics live after their last change
	grace    atomic.Int64  // ms a note is kept after its request closed
	skew     atomic.Int64  // Redis's clock minus this process's, ms

	unsureMu sync.Mutex
	unsure   []unsure // creates of unknown outcome, for Reconcile

	hintsMu   sync.Mutex
	lostHints map[string]float64 // school → due index hints not yet written (dueindex.go)
}

var _ bot.Store = (*Store)(nil)

// New returns a Store on rdb whose keys start with prefix ("hb" when empty).
// rdb may be a single node, a failover or a cluster client.
func New(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st := &Store{rdb: rdb, prefix: prefix, log: log.With("component", "redisstore"), sc: newScripts(), budget: AnswerBudget, stats: StatsTTL,
		names: pseudonym.New(sharedKey(rdb, prefix+":pseudonym_key"))}
	st.grace.Store(DefaultNoteGrace.Milliseconds())
	return st
}

// DefaultNoteGrace is how long a note is kept after its request closed,
// unless SetNoteGrace says otherwise: time for the messages that carry it
// (the picker's direct message) to be delivered, retries included.
const DefaultNoteGrace = time.Hour

// SetNoteGrace sets how long a request's note, and the helper's closing
// note, are kept after the request closed (resolved, cancelled, or taken
// from the fallback channel); the record itself is kept for its
// retention. d <= 0 keeps the default.
func (s *Store) SetNoteGrace(d time.Duration) {
	if d.Milliseconds() < 1 {
		d = DefaultNoteGrace
	}
	s.grace.Store(d.Milliseconds())
}

// noteGrace is the grace as scripts take it.
func (s *Store) noteGrace() string { return strconv.FormatInt(s.grace.Load(), 10) }

// scriptErr maps the code a script returns for a failed check to the core's
// sentinel. A script returns such a code before its first write.
func scriptErr(code string) error {
	switch code {
	case "not_found":
		return bot.ErrNotFound
	case "not_yours":
		return bot.ErrNotYours
	case "already_accepted":
		return bot.ErrAlreadyAccepted
	case "stale":
		return bot.ErrStale
	case "closed":
		return bot.ErrClosed
	case "no_offer":
		return bot.ErrNoOffer
	case "no_active":
		return bot.ErrNoActiveRequest
	case "busy":
		return bot.ErrBusy
	case "duplicate":
		return bot.ErrDuplicate
	case "not_held":
		return bot.ErrNotHeld
	case "too_late":
		return fmt.Errorf("%w: %w", bot.ErrUnavailable, errTooLate)
	}
	return nil
}

// CreateAndOffer stores r and offers it to the helper bot.Choose picks among
// cands, in one script. With nobody to pick, r is stored escalated (offer
// number 0: no offer was made). When r.ID is stored already (the same
// command delivered again) nothing is written: it returns the stored
// request as it stands now and an error wrapping bot.ErrDuplicate, still in
// one round trip.
func (s *Store) CreateAndOffer(ctx context.Context, now time.Time, r bot.Request, cands []bot.Candidate, deadline time.Time, retention time.Duration) (bot.Request, error) {
	return s.create(ctx, now, r, cands, deadline, time.Time{}, retention)
}

// Hold stores r held until until: offered to nobody, nobody told, until its
// requester decides or until passes (Release). The same script as
// CreateAndOffer: a repeat is a duplicate alike.
func (s *Store) Hold(ctx context.Context, now time.Time, r bot.Request, until time.Time, retention time.Duration) (bot.Request, error) {
	if until.IsZero() {
		return bot.Request{}, fmt.Errorf("redisstore: hold request %s: no deadline", r.ID)
	}
	return s.create(ctx, now, r, nil, until, until, retention)
}

// LetGo lets a held request go, once: how says whether it is sent
// without its note, as typed, withdrawn, or sent without its note because
// its deadline passed (bot.ReleaseTimeout, the sweeper's: who is "" then).
// Sent, it is offered to the helper bot.Choose picks among cands, or
// escalated. A request no longer held answers bot.ErrNotHeld with the
// request as it stands.
func (s *Store) LetGo(ctx context.Context, now time.Time, school, requestID string, who bot.Address, how bot.ReleaseHow, cands []bot.Candidate, deadline, followUp time.Time) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: release request %q (%s)", requestID, how)
	switch {
	case !how.Valid():
		return bot.Request{}, fmt.Errorf("%s: unknown way", op)
	case deadline.IsZero():
		return bot.Request{}, fmt.Errorf("%s: no offer deadline", op)
	case requestID == "":
		return bot.Request{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	case how != bot.ReleaseTimeout && who.Handle == "":
		return bot.Request{}, fmt.Errorf("%s: no requester", op)
	}
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	args, err := appendCands([]any{requestID, string(how), mineOf(how, who), ms(deadline), ms(followUp)}, s.lay(school), cands)
	if err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	// A press is someone waiting for the answer; a timeout is the
	// sweeper's, re-checked by the script whenever it runs.
	g := guard{}
	if how != bot.ReleaseTimeout {
		g = s.newGuard(bot.NewRequestID())
	}
	keys := []string{s.key(school, "req:"+requestID), s.key(school, "deadlines"), s.key(school, "active"),
		s.key(school, "followups"), s.key(school, "note:"+requestID)}
	out, err := s.runRequest(ctx, op, s.sc.release, school, keys, now, g, args...)
	s.hint(ctx, school, err, deadline, followUp)
	return out, err
}

func mineOf(how bot.ReleaseHow, who bot.Address) string {
	if how == bot.ReleaseTimeout {
		return ""
	}
	return mine(who)
}

// create is CreateAndOffer, or Hold when hold is set.
func (s *Store) create(ctx context.Context, now time.Time, r bot.Request, cands []bot.Candidate, deadline, hold time.Time, retention time.Duration) (bot.Request, error) {
	op := "redisstore: create request " + r.ID
	switch {
	case r.ID == "":
		return bot.Request{}, fmt.Errorf("%s: empty request id", op)
	case retention.Milliseconds() < 1:
		// PEXPIRE 0 would delete the record at once.
		return bot.Request{}, fmt.Errorf("%s: retention %v is not positive", op, retention)
	case deadline.IsZero():
		return bot.Request{}, fmt.Errorf("%s: no offer deadline", op)
	}
	if err := checkSchool(r.SchoolID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	created := r.CreatedAt
	if created.IsZero() {
		created = now
	}
	// The week is the school's (bot.School.Week, in its time zone): the
	// store cannot know it.
	week := r.Week
	if week == "" || r.Month == "" {
		return bot.Request{}, fmt.Errorf("%s: no week or month", op)
	}
	l := s.lay(r.SchoolID)
	candArgs, err := appendCands(nil, l, cands)
	if err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	index, err := s.pseudonym(ctx, op, mine(r.Requester))
	if err != nil {
		return bot.Request{}, err
	}
	args := append([]any{
		r.ID, r.SchoolID, r.Group, r.Note, r.DayPart, week,
		string(r.Requester.Platform), r.Requester.Handle, r.RequesterName, mine(r.Requester),
		ms(created), ms(deadline), strconv.FormatInt(retention.Milliseconds(), 10),
		strconv.FormatInt(now.Add(-retention).UnixMilli(), 10),
		ms(r.FollowUpAt), index, r.Month, ms(hold),
	}, candArgs...)
	// A repeat after a lost answer finds the request it made by its id
	// (create_offer.lua's duplicate): no operation id needed.
	keys := []string{s.key(r.SchoolID, "req:"+r.ID), s.key(r.SchoolID, "deadlines"), s.key(r.SchoolID, "active"),
		s.key(r.SchoolID, "mine:"+index), s.key(r.SchoolID, "followups"), s.key(r.SchoolID, "week:"+week),
		s.key(r.SchoolID, "month:"+r.Month), s.key(r.SchoolID, "months"), s.key(r.SchoolID, "note:"+r.ID),
		s.key(r.SchoolID, "asked:"+r.Month)}
	out, err := s.runRequest(ctx, op, s.sc.createOffer, r.SchoolID, keys, now, s.newGuard(""), args...)
	followUp := r.FollowUpAt
	if !hold.IsZero() {
		// A hold's deadline is the hold; its follow-up comes when it is let go.
		followUp = time.Time{}
	}
	s.hint(ctx, r.SchoolID, err, deadline, followUp)
	if errors.Is(err, ErrOutcomeUnknown) {
		s.remember(r.SchoolID, r.ID)
	}
	return out, err
}

// Accept makes helperID's offer accepted; the helper stays engaged in it.
func (s *Store) Accept(ctx context.Context, now time.Time, school, helperID, requestID string, offerNo int) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: accept request %q offer %d", requestID, offerNo)
	if err := checkIDs(school, helperID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.runRequest(ctx, op, s.sc.accept, school, s.keysWith(school, requestID, "deadlines"), now, s.newGuard(bot.NewRequestID()),
		helperID, requestID, strconv.Itoa(offerNo), s.lay(school).person(helperID))
}

// Advance moves offer offerNo of a request on to the next helper, or
// escalates it. A timeout moves only an offer whose stored deadline is at or
// before now; a decline only the offer from holds.
func (s *Store) Advance(ctx context.Context, now time.Time, school, requestID string, offerNo int, reason bot.AdvanceReason, from string, cands []bot.Candidate, deadline time.Time) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: %s request %q offer %d", reason, requestID, offerNo)
	switch {
	case reason != bot.ReasonDecline && reason != bot.ReasonTimeout:
		return bot.Request{}, fmt.Errorf("%s: unknown reason", op)
	case deadline.IsZero():
		return bot.Request{}, fmt.Errorf("%s: no offer deadline", op)
	}
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	l := s.lay(school)
	fromPerson := ""
	if reason == bot.ReasonTimeout {
		from = ""
	} else if from != "" {
		fromPerson = l.person(from)
	}
	args, err := appendCands([]any{requestID, strconv.Itoa(offerNo), string(reason), from, ms(deadline), fromPerson}, l, cands)
	if err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	// A decline is someone waiting for the answer; a timeout is the
	// sweeper's, re-checked by the script whenever it runs.
	g := guard{}
	if reason == bot.ReasonDecline {
		g = s.newGuard(bot.NewRequestID())
	}
	out, err := s.runRequest(ctx, op, s.sc.advance, school, s.keysWith(school, requestID, "deadlines"), now, g, args...)
	s.hint(ctx, school, err, deadline)
	return out, err
}

// Pickup gives an escalated request to whoever pressed "Ik pak dit op":
// helperID (engaged in it from now) or, when "", someone who is not a
// helper.
func (s *Store) Pickup(ctx context.Context, now time.Time, school, requestID string, by bot.Actor, helperID string) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: pick up request %q", requestID)
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	if requestID == "" {
		return bot.Request{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	}
	picked := ""
	if helperID == "" && by.Handle != "" {
		// Someone who is no helper: an index by pseudonym lets "/hulp
		// klaar" find what they took (ResolvePicked).
		p, err := s.pseudonym(ctx, op, mine(by.Address))
		if err != nil {
			return bot.Request{}, err
		}
		picked = p
	}
	person := ""
	if helperID != "" {
		person = s.lay(school).person(helperID)
	}
	keys := []string{s.key(school, "req:"+requestID), s.key(school, "active"), s.key(school, "note:"+requestID)}
	if picked != "" {
		keys = append(keys, s.key(school, "picked:"+picked))
	}
	return s.runRequest(ctx, op, s.sc.pickup, school, keys, now, s.newGuard(bot.NewRequestID()),
		requestID, string(by.Platform), by.Handle, by.Name, helperID, s.noteGrace(), picked, person)
}

// ClaimFollowUps takes the follow-ups due at now (each for one caller only).
func (s *Store) ClaimFollowUps(ctx context.Context, school string, now time.Time, limit int) ([]string, error) {
	op := "redisstore: claim follow-ups"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, op, s.sc.claimFollowUps, school, []string{s.key(school, "followups")}, strconv.FormatInt(now.UnixMilli(), 10), strconv.Itoa(max(limit, 1)))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(v))
	for _, x := range v {
		if id, ok := x.(string); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// CloseUnpicked closes the escalated requests created before cutoff that
// nobody picked up from the fallback channel, each telling its requester
// and the channel, and returns their ids.
func (s *Store) CloseUnpicked(ctx context.Context, now time.Time, school string, cutoff time.Time) ([]string, error) {
	op := "redisstore: close unpicked"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, op, s.sc.closeUnpicked, school, []string{s.key(school, "active"), s.key(school, "followups")}, strconv.FormatInt(now.UnixMilli(), 10),
		strconv.FormatInt(cutoff.UnixMilli(), 10), s.noteGrace())
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(v))
	for _, x := range v {
		if id, ok := x.(string); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Resolve closes the request helperID has accepted and frees the helper.
func (s *Store) Resolve(ctx context.Context, now time.Time, school, helperID, note string) (bot.Request, error) {
	const op = "redisstore: resolve"
	if err := checkIDs(school, helperID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.runRequest(ctx, op, s.sc.resolve, school, []string{s.key(school, "active"), s.key(school, "deadlines")}, now, s.newGuard(bot.NewRequestID()),
		helperID, note, s.noteGrace(), s.lay(school).person(helperID))
}

// Cancel withdraws requester's request requestID, or their latest active one
// when requestID is "". The result names the helper who was offered or had
// accepted it ("" when it was escalated), who is free again.
func (s *Store) Cancel(ctx context.Context, now time.Time, school string, requester bot.Address, requestID string) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: cancel request %q", requestID)
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	if requester.Handle == "" {
		return bot.Request{}, fmt.Errorf("%s: no requester", op)
	}
	who := mine(requester)
	index, err := s.pseudonym(ctx, op, who)
	if err != nil {
		return bot.Request{}, err
	}
	keys := s.keysWith(school, requestID, "mine:"+index, "active", "deadlines")
	return s.runRequest(ctx, op, s.sc.cancel, school, keys, now, s.newGuard(bot.NewRequestID()), requestID, who, s.noteGrace())
}

// SetAvailability sets a helper's status and returns the request the helper
// is engaged in. An engaged request whose record has expired no longer holds
// the helper: it is cleared and "" returned.
func (s *Store) SetAvailability(ctx context.Context, school, helperID string, a bot.Availability) (string, error) {
	const op = "redisstore: set status"
	if err := checkIDs(school, helperID); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	// set_status.lua does not read the time; the epoch fills the argument.
	// Setting a status twice is setting it once: no operation id needed.
	g := s.newGuard("")
	l := s.lay(school)
	v, err := s.runGuarded(ctx, op, s.sc.setStatus, school, nil, time.UnixMilli(0), g, string(a.Status), ms(a.Until), l.person(helperID))
	if err != nil {
		return "", err
	}
	if len(v) < 2 {
		return "", fmt.Errorf("%s: short script reply", op)
	}
	engaged, _ := v[0].(string)
	at, _ := v[1].(string)
	if at != "" && l.base != s.lay(at).base {
		// Engaged at another school of the person's: its offer is that
		// school's to pass on (it lapses at its deadline, and nobody
		// offers this person anything meanwhile).
		return "", nil
	}
	return engaged, nil
}

// MigrateHelperStates moves the states of a school's helpers from the
// hash per helper that earlier versions kept into the school's helpers hash,
// and reports how many it moved. Run at start; a second run moves nothing.
func (s *Store) MigrateHelperStates(ctx context.Context, school string, helperIDs []string) (int, error) {
	op := "redisstore: migrate helper states of " + school
	if err := checkSchool(school); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if len(helperIDs) == 0 {
		return 0, nil
	}
	l := s.lay(school)
	args := make([]any, len(helperIDs))
	keys := make([]string, len(helperIDs))
	for i, id := range helperIDs {
		args[i] = l.person(id)
		keys[i] = s.key(school, "helper:"+id)
	}
	v, err := s.run(ctx, op, s.sc.migrateHelpers, school, keys, "0", args...)
	if err != nil {
		return 0, err
	}
	n, _ := v[0].(int64)
	return int(n), nil
}

// MigrateAllHelperStates is MigrateHelperStates for every school, at start.
// It stops at the first school that fails (Redis is down, most likely) and
// logs the outcome: a failure is not fatal, those helpers count as
// available and free until a next start migrates them.
func (s *Store) MigrateAllHelperStates(ctx context.Context, schools []*bot.School) (int, error) {
	moved := 0
	for _, sc := range schools {
		ids := make([]string, len(sc.Helpers))
		for i, h := range sc.Helpers {
			ids[i] = h.ID
		}
		n, err := s.MigrateHelperStates(ctx, sc.ID, ids)
		if err != nil {
			s.log.Warn("helper states of an earlier version not migrated", "school", sc.ID, "err", err)
			return moved, err
		}
		moved += n
	}
	if moved > 0 {
		s.log.Info("helper states migrated", "helpers", moved)
	}
	return moved, nil
}

// HelperStates reads the given helpers in one round trip. A helper never
// seen is available, engaged in nothing, never assigned.
func (s *Store) HelperStates(ctx context.Context, school string, helperIDs []string) (map[string]bot.HelperState, error) {
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("redisstore: helper states: %w", err)
	}
	out := make(map[string]bot.HelperState, len(helperIDs))
	if len(helperIDs) == 0 {
		return out, nil
	}
	l := s.lay(school)
	people := make([]string, len(helperIDs))
	for i, id := range helperIDs {
		people[i] = l.person(id)
	}
	v, err := s.rdb.HMGet(ctx, l.pool+"helpers", people...).Result()
	if err != nil {
		return nil, fail("redisstore: helper states", err)
	}
	for i, id := range helperIDs {
		packed, _ := v[i].(string)
		h := unpackHelper(packed)
		out[id] = bot.HelperState{
			Availability: bot.Availability{Status: bot.Status(h[hStatus]), Until: msTime(h[hUntil])},
			Engaged:      h[hEngaged],
			LastAssigned: msTime(h[hLast]),
		}
	}
	return out, nil
}

// Request reads one request; a missing or expired one is bot.ErrNotFound.
func (s *Store) Request(ctx context.Context, school, requestID string) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: read request %q", requestID)
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	if requestID == "" {
		return bot.Request{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	}
	// The record and its notes, which live in keys of their own, in one
	// round trip.
	var (
		rec        *redis.MapStringStringCmd
		note, done *redis.StringCmd
	)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rec = p.HGetAll(ctx, s.key(school, "req:"+requestID))
		note = p.Get(ctx, s.key(school, "note:"+requestID))
		done = p.Get(ctx, s.key(school, "donenote:"+requestID))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return bot.Request{}, fail(op, err)
	}
	m := rec.Val()
	if len(m) == 0 {
		return bot.Request{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	}
	if n, err := note.Result(); err == nil {
		// A record of an earlier version keeps its note in the record.
		m[fNote] = n
	}
	if n, err := done.Result(); err == nil {
		m[fDoneNote] = n
	}
	return decodeRequest(m), nil
}

// DueOffers lists offers whose deadline is at or before now, oldest first,
// at most limit (all when limit <= 0). Listing claims nothing: advance.lua
// checks the offer is still current and due, so when two sweepers list the
// same offer only one moves it.
func (s *Store) DueOffers(ctx context.Context, school string, now time.Time, limit int) ([]bot.OfferRef, error) {
	const op = "redisstore: due offers"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	dk := s.key(school, "deadlines")
	due, err := s.rdb.ZRangeByScoreWithScores(ctx, dk, &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: int64(max(limit, 0)),
	}).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	if len(due) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(due))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range due {
			cmds[i] = p.HMGet(ctx, s.key(school, "req:"+z.Member.(string)), fState, fOfferNo)
		}
		return nil
	}); err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.OfferRef, 0, len(due))
	var gone []any
	for i, z := range due {
		id := z.Member.(string)
		v := cmds[i].Val()
		if v[0] == nil {
			gone = append(gone, id)
			continue
		}
		no, _ := v[1].(string)
		n, _ := strconv.Atoi(no)
		out = append(out, bot.OfferRef{RequestID: id, OfferNo: n, Deadline: time.UnixMilli(int64(z.Score)).UTC()})
	}
	if len(gone) > 0 {
		// Not an error for the caller: these offers are gone with their
		// requests. Pruning keeps them from filling every later listing.
		keys := make([]string, 0, 1+len(gone))
		keys = append(keys, dk)
		for _, id := range gone {
			keys = append(keys, s.key(school, "req:"+id.(string)))
		}
		if _, err := s.run(ctx, op, s.sc.pruneDeadlines, school, keys, "0", gone...); err != nil {
			return out, err
		}
		s.log.Warn("pruned deadlines of expired requests", "school", school, "count", len(gone))
	}
	return out, nil
}

// SchoolsWithDueWork returns the schools among schools that have an offer
// deadline, a follow-up or a consult's deadline due at now, and the
// earliest of them after now (zero when none waits), in one pipelined
// round trip over every school. It is the sweeper's full look: it also
// puts back in the due index (dueindex.go) the hints it lacks, a second
// round trip.
func (s *Store) SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) ([]string, time.Time, error) {
	const op = "redisstore: schools with due work"
	hs, err := s.heads(ctx, op, schools)
	if err != nil {
		return nil, time.Time{}, err
	}
	nowms := float64(now.UnixMilli())
	var (
		due   []string
		next  = math.Inf(1)
		hints = make([]redis.Z, 0, len(schools))
	)
	for i, sc := range schools {
		isDue := false
		for _, at := range hs[i] {
			switch {
			case at <= nowms:
				isDue = true
			case at < next:
				next = at
			}
		}
		if isDue {
			due = append(due, sc)
		}
		if at := hs[i].earliest(); !math.IsInf(at, 1) {
			hints = append(hints, redis.Z{Score: at, Member: sc})
		}
	}
	// Lowering only: a hint lower than what the sets hold now is at worst
	// one look too many.
	repaired, err := s.lower(ctx, hints)
	if err != nil {
		return nil, time.Time{}, err
	}
	if repaired > 0 {
		s.log.Info("due index: hints put back", "count", repaired)
	}
	var nextAt time.Time
	if !math.IsInf(next, 1) {
		nextAt = time.UnixMilli(int64(next))
	}
	return due, nextAt, nil
}

// AddStory keeps a success story for the week's post; the week's stories
// expire retention after the last one (StatsTTL when retention <= 0).
func (s *Store) AddStory(ctx context.Context, school, week, text string, retention time.Duration) error {
	const op = "redisstore: add story"
	if err := checkIDs(school, week); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.pushStory(ctx, op, school, week, "stories:", text, retention, nil)
}

// pushStory appends entry to the week's list of stories (list: "stories:"
// unsigned, "signed:" signed), which expires retention after the last one
// (StatsTTL when retention <= 0), and counts the story; also, when not nil,
// runs in the same MULTI/EXEC, so the story is never kept without its
// expiry, its count or what also adds.
func (s *Store) pushStory(ctx context.Context, op, school, week, list, entry string, retention time.Duration, also func(redis.Pipeliner, time.Duration)) error {
	if retention.Milliseconds() < 1 {
		retention = StatsTTL
	}
	k := s.key(school, list+week)
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, k, entry)
		p.PExpire(ctx, k, retention)
		if also != nil {
			also(p, retention)
		}
		s.countStory(ctx, p, school, week)
		return nil
	}); err != nil {
		return fail(op, err)
	}
	return nil
}

// WeekStats returns the counters of a week of a school: requests, offers,
// accepted, accepted_first, declines, timeouts, escalated, cancelled,
// resolved, no_cover, group:<id> and daypart:<name> ("buiten" outside
// school hours). Counters never incremented are absent.
func (s *Store) WeekStats(ctx context.Context, school, week string) (map[string]int64, error) {
	const op = "redisstore: week stats"
	if err := checkIDs(school, week); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.key(school, "week:"+week)).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: counter %s: %w", op, k, err)
		}
		out[k] = n
	}
	return out, nil
}

// TimesToAccept returns how long teachers waited for each accepted request
// created in the week, in order of acceptance.
func (s *Store) TimesToAccept(ctx context.Context, school, week string) ([]time.Duration, error) {
	const op = "redisstore: times to accept"
	if err := checkIDs(school, week); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.rdb.LRange(ctx, s.key(school, "tta:"+week), 0, -1).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make([]time.Duration, len(v))
	for i, x := range v {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out, nil
}

// Stories returns the success stories of a week, oldest first.
func (s *Store) Stories(ctx context.Context, school, week string) ([]string, error) {
	const op = "redisstore: stories"
	if err := checkIDs(school, week); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.rdb.LRange(ctx, s.key(school, "stories:"+week), 0, -1).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	return v, nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fail("redisstore: ping", err)
	}
	return nil
}

// key is a key of school; see the package doc for the layout.
func (s *Store) key(school, rest string) string { return s.lay(school).base + rest }

// keysWith are the keys named by rest of school, then the key of request
// id when the caller names it ("" when the script finds it in the data).
func (s *Store) keysWith(school, id string, rest ...string) []string {
	keys := make([]string, 0, len(rest)+1)
	for _, r := range rest {
		keys = append(keys, s.key(school, r))
	}
	if id != "" {
		keys = append(keys, s.key(school, "req:"+id))
	}
	return keys
}

// base starts every key of school (layout.go).
func (s *Store) base(school string) string { return s.lay(school).base }

// runRequest runs a script that returns a request record, under guard g
// when someone waits for the answer (g.giveUp set).
func (s *Store) runRequest(ctx context.Context, op string, sc *redis.Script, school string, keys []string, now time.Time, g guard, args ...any) (bot.Request, error) {
	var (
		v   []any
		err error
	)
	if g.giveUp.IsZero() {
		v, err = s.runWith(ctx, op, sc, school, keys, strconv.FormatInt(now.UnixMilli(), 10), "", "", args...)
	} else {
		v, err = s.runGuarded(ctx, op, sc, school, keys, now, g, args...)
	}
	if errors.Is(err, errReplay) {
		// An earlier attempt of this very operation did it: its answer.
		err = nil
	}
	if err != nil {
		if len(v) > 0 {
			// A refusal that carries the record as it stands
			// (create_offer.lua's duplicate).
			return decodeRequest(pairs(v)), err
		}
		return bot.Request{}, err
	}
	return decodeRequest(pairs(v)), nil
}

// run runs a script nobody waits on (no guard, no operation id); see runWith.
func (s *Store) run(ctx context.Context, op string, sc *redis.Script, school string, keys []string, nowMS string, args ...any) ([]any, error) {
	return s.runWith(ctx, op, sc, school, keys, nowMS, "", "", args...)
}

// runWith runs a script with the keys lib.lua expects first (the pool's
// helpers hash, the operation's key, the school's outbox), then keys, the
// script's own; with the arguments lib.lua expects first (key base, now in
// ms, statistics TTL, lease end of its notices, not-after, operation id),
// then args. It returns what follows the notices of its 'ok', after handing those
// notices to the courier; or, with the sentinel of the check that failed,
// whatever the script sent after its code (most send nothing).
func (s *Store) runWith(ctx context.Context, op string, sc *redis.Script, school string, keys []string, nowMS, notAfter, opID string, args ...any) ([]any, error) {
	var leaseEnd time.Time
	lease := ""
	if s.courier != nil {
		if until, ok := s.courier.Lease(); ok {
			leaseEnd, lease = until, strconv.FormatInt(until.UnixMilli(), 10)
		}
	}
	argv := make([]any, 0, 6+len(args))
	l := s.lay(school)
	argv = append(argv, l.base, nowMS, strconv.FormatInt(s.stats.Milliseconds(), 10), lease, notAfter, opID)
	argv = append(argv, args...)
	all := make([]string, 0, 6+len(keys))
	all = append(all, l.pool+"helpers", l.base+"op:"+opID,
		l.base+"outbox:msg", l.base+"outbox:urgent", l.base+"outbox:queue", l.base+"outbox:tries")
	all = append(all, keys...)
	v, err := sc.Run(ctx, s.rdb, all, argv...).Slice()
	if err != nil {
		return nil, fail(op, err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("%s: empty script reply", op)
	}
	code, _ := v[0].(string)
	if code == "replay" {
		return v[1:], errReplay
	}
	if code != "ok" {
		if e := scriptErr(code); e != nil {
			return v[1:], fmt.Errorf("%s: %w", op, e)
		}
		return nil, fmt.Errorf("%s: unexpected script reply %q", op, code)
	}
	n, _ := v[1].(int64)
	if len(v) < 2+2*int(n) {
		return nil, fmt.Errorf("%s: short script reply", op)
	}
	switch {
	case n > 0:
		told := make([]string, 2*n)
		for i := range told {
			told[i], _ = v[2+i].(string)
		}
		s.courier.Deliver(school, leaseEnd, told)
	case s.courier != nil && lease == "":
		// No room to lease what the change may have queued: it waits due
		// in Redis, to be claimed now rather than at the next poll.
		s.courier.Queued(school)
	}
	return v[2+2*n:], nil
}

// fail wraps an error of a Redis call. Trouble reaching Redis (network,
// timeouts, cancelled context, closed client, a server loading, read-only or
// without a master) is bot.ErrUnavailable, with the cause kept. Other server
// errors (a script error, a key of the wrong type) are bugs, not outages.
func fail(op string, err error) error {
	if unavailable(err) {
		return fmt.Errorf("%s: %w: %w", op, bot.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return true // not a reply from the server: the connection failed
	}
	for _, p := range []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS", "BUSY ", "ERR max number of clients"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// checkSchool rejects a school id that would break the hash tag: Redis
// Cluster hashes only what is between the first { and the next }, so an
// empty id or one with braces would spread the school over slots.
func checkSchool(school string) error {
	if school == "" || strings.ContainsAny(school, "{}") {
		return fmt.Errorf("school id %q is empty or has braces", school)
	}
	return nil
}

// checkIDs checks a school and other ids that must not be empty.
func checkIDs(school string, ids ...string) error {
	if err := checkSchool(school); err != nil {
		return err
	}
	for _, id := range ids {
		if id == "" {
			return errors.New("empty id")
		}
	}
	return nil
}

// appendCands appends candidates as id, person, rank triples. Helper ids go
// in the comma-separated tried list of a record, so they may not hold
// commas.
func appendCands(args []any, l *schoolLayout, cands []bot.Candidate) ([]any, error) {
	for _, c := range cands {
		if c.HelperID == "" || strings.Contains(c.HelperID, ",") {
			return nil, errors.New("a helper id is empty or has a comma")
		}
		args = append(args, c.HelperID, l.person(c.HelperID), strconv.Itoa(c.Rank))
	}
	return args, nil
}
