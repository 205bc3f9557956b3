package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Service runs the use cases. It holds no state of its own: everything lives
// in the Store, so any number of processes can serve the same schools.
type Service struct {
	store Store
	obs   Observer
	log   *slog.Logger
	newID func() string
	cal   *Calendar  // the government's school holidays; nil: the schools' own closed days only
	dir   *Directory // the other schools of a helper who serves several; may be nil
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithCalendar lets the Service know the government's school holidays, for
// the deadlines of consults (the end of the next school day).
func WithCalendar(cal *Calendar) ServiceOption { return func(s *Service) { s.cal = cal } }

// UseDirectory lets a helper's status pass on an offer they hold at any
// school of theirs (Directory.LinkPeople), not only the one where they set
// it. Call it before the service is used.
func (s *Service) UseDirectory(d *Directory) { s.dir = d }

// NewService returns a Service on store. The store queues what each change
// must tell whom; obs (may be nil) is shown those notices for metrics.
func NewService(store Store, obs Observer, log *slog.Logger, opts ...ServiceOption) *Service {
	s := &Service{store: store, obs: obs, log: log.With("component", "bot"), newID: NewRequestID}
	for _, o := range opts {
		o(s)
	}
	return s
}

// NewRequestID returns a random request id: 12 characters of [a-z2-7],
// short enough for button payloads, and not guessable.
func NewRequestID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return string(b[:])
}

// HelpRequest is what a requester asks for.
type HelpRequest struct {
	From  Actor
	Group string // a configured group id
	Note  string
	// ID makes the request idempotent when a platform delivers it twice;
	// empty means a new random id.
	ID string
	// Hold keeps the request from everyone until the requester decides
	// (Release), or HoldFor passes: its note seems to name a child or hold
	// health data.
	Hold bool
}

// RequestHelp creates a request and offers it to the best available helper,
// or escalates it to the fallback channel when nobody is available.
//
// With in.ID set, a repeated delivery of the same command is the same
// request: the store creates it once, and a repeat returns the request as it
// stands and tells nobody again (the first delivery did).
func (s *Service) RequestHelp(ctx context.Context, now time.Time, sc *School, in HelpRequest) (Request, error) {
	if _, ok := sc.Group(in.Group); !ok {
		return Request{}, fmt.Errorf("request help for %q: %w", in.Group, ErrUnknownGroup)
	}
	r := Request{
		ID:            in.ID,
		SchoolID:      sc.ID,
		Group:         in.Group,
		Note:          capRunes(in.Note, MaxNoteLen),
		Week:          sc.Week(now),
		Month:         sc.Month(now),
		Requester:     in.From.Address,
		RequesterName: in.From.Name,
		CreatedAt:     now,
	}
	if r.ID == "" {
		r.ID = s.newID()
	}
	if p, ok := sc.DayPartAt(now); ok {
		r.DayPart = p.Name
	}
	if sc.FollowUpAfter > 0 {
		r.FollowUpAt = now.Add(sc.FollowUpAfter)
	}
	var (
		out Request
		err error
	)
	if in.Hold && r.Note != "" {
		// Followed up from the moment it is let go, not from now.
		r.FollowUpAt = time.Time{}
		out, err = s.store.Hold(ctx, now, r, now.Add(HoldFor), sc.Retention)
	} else {
		out, err = s.store.CreateAndOffer(ctx, now, r, candidatesFor(sc, r, now), now.Add(sc.OfferTimeout), sc.Retention)
	}
	if errors.Is(err, ErrDuplicate) {
		if out.ID == "" {
			// The store did not say how it stands: it exists, that is all.
			out = r
		}
		s.log.Info("request repeated", "school", sc.ID, "request", out.ID, "state", out.State, "helper", Mask(out.HelperID))
		return out, nil
	}
	if err != nil {
		return Request{}, fmt.Errorf("request help: %w", err)
	}
	s.log.Info("request created", "school", sc.ID, "request", out.ID, "state", out.State, "helper", Mask(out.HelperID))
	switch out.State {
	case StateOffered:
		s.tell(ctx, sc, NoticeOffer, helperRecipient(sc, out.HelperID, out.Requester.Platform), out, out.HelperID, "")
	case StateEscalated:
		s.tell(ctx, sc, NoticeEscalated, channelRecipient(sc, out), out, "", "")
	}
	return out, nil
}

// Release lets a held request go the way its requester chose: sent
// without its note, sent as typed, or withdrawn. Only the requester may;
// a request let go already answers ErrNotHeld with the request as it
// stands.
func (s *Service) Release(ctx context.Context, now time.Time, sc *School, by Actor, requestID string, how ReleaseHow) (Request, error) {
	if how == ReleaseTimeout || !how.Valid() {
		return Request{}, fmt.Errorf("release %q: not a choice", how)
	}
	cur, err := s.store.Request(ctx, sc.ID, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("release: %w", err)
	}
	return s.release(ctx, now, sc, cur, by.Address, how)
}

// release lets cur, a held request as last read, go; the store re-checks
// it atomically, so of a press and the deadline exactly one wins.
func (s *Service) release(ctx context.Context, now time.Time, sc *School, cur Request, who Address, how ReleaseHow) (Request, error) {
	var followUp time.Time
	if sc.FollowUpAfter > 0 {
		followUp = now.Add(sc.FollowUpAfter)
	}
	out, err := s.store.LetGo(ctx, now, sc.ID, cur.ID, who, how, candidatesFor(sc, cur, now), now.Add(sc.OfferTimeout), followUp)
	if err != nil {
		return out, fmt.Errorf("release (%s): %w", how, err)
	}
	s.log.Info("held request let go", "school", sc.ID, "request", out.ID, "how", how, "state", out.State, "helper", Mask(out.HelperID))
	switch out.State {
	case StateOffered:
		s.tell(ctx, sc, NoticeOffer, helperRecipient(sc, out.HelperID, out.Requester.Platform), out, out.HelperID, "")
	case StateEscalated:
		s.tell(ctx, sc, NoticeEscalated, channelRecipient(sc, out), out, "", "")
	}
	if how == ReleaseTimeout && out.State != StateCancelled {
		s.tell(ctx, sc, NoticeHeldSent, Recipient{Address: out.Requester}, out, out.HelperID, "")
	}
	return out, nil
}

// Accept is a helper saying "Ik kom eraan" to an offer: requestID and offerNo
// from the button, or empty and 0 for the offer the helper holds.
func (s *Service) Accept(ctx context.Context, now time.Time, sc *School, by Actor, requestID string, offerNo int) (Request, error) {
	h, ok := sc.Helper(by.Address)
	if !ok {
		return Request{}, ErrNotHelper
	}
	out, err := s.store.Accept(ctx, now, sc.ID, h.ID, requestID, offerNo)
	if err != nil {
		return out, fmt.Errorf("accept: %w", err)
	}
	s.log.Info("request accepted", "school", sc.ID, "request", out.ID, "helper", Mask(h.ID), "offer", out.OfferNo)
	s.tell(ctx, sc, NoticeAccepted, Recipient{Address: out.Requester}, out, h.ID, "")
	return out, nil
}

// Decline is a helper saying "Kan nu niet": the request moves on to the next
// helper, or to the fallback channel.
func (s *Service) Decline(ctx context.Context, now time.Time, sc *School, by Actor, requestID string, offerNo int) (Request, error) {
	h, ok := sc.Helper(by.Address)
	if !ok {
		return Request{}, ErrNotHelper
	}
	typed := requestID == ""
	if typed {
		st, err := s.store.HelperStates(ctx, sc.ID, []string{h.ID})
		if err != nil {
			return Request{}, fmt.Errorf("decline: %w", err)
		}
		if requestID = st[h.ID].Engaged; requestID == "" {
			return Request{}, ErrNoOffer
		}
	}
	cur, err := s.store.Request(ctx, sc.ID, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("decline: %w", err)
	}
	if typed && (cur.State != StateOffered || cur.HelperID != h.ID) {
		// "/hulp kan niet" while working on an accepted request: there is
		// no offer to pass on; closing it is "/hulp klaar".
		return cur, ErrNoOffer
	}
	return s.advance(ctx, now, sc, cur, offerNo, ReasonDecline, h.ID)
}

// Timeout moves an offer on whose deadline has passed. The store checks the
// offer is still current and due, so a late or repeated call changes nothing
// and returns ErrStale or ErrClosed.
func (s *Service) Timeout(ctx context.Context, now time.Time, sc *School, requestID string, offerNo int) (Request, error) {
	return s.readAndAdvance(ctx, now, sc, requestID, offerNo, ReasonTimeout, "")
}

func (s *Service) readAndAdvance(ctx context.Context, now time.Time, sc *School, requestID string, offerNo int, reason AdvanceReason, from string) (Request, error) {
	cur, err := s.store.Request(ctx, sc.ID, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("%s: %w", reason, err)
	}
	if cur.State == StateHeld && reason == ReasonTimeout {
		// A hold's deadline, in the same set as the offers': nobody
		// chose in time, so it goes without its note.
		out, err := s.release(ctx, now, sc, cur, Address{}, ReleaseTimeout)
		if errors.Is(err, ErrNotHeld) {
			// A press was first.
			return out, fmt.Errorf("%s: %w", reason, ErrClosed)
		}
		return out, err
	}
	return s.advance(ctx, now, sc, cur, offerNo, reason, from)
}

// advance moves the offer on from cur, the request as last read; the store
// re-checks it atomically, so a stale cur only costs an ErrStale.
func (s *Service) advance(ctx context.Context, now time.Time, sc *School, cur Request, offerNo int, reason AdvanceReason, from string) (Request, error) {
	requestID := cur.ID
	if offerNo == 0 {
		offerNo = cur.OfferNo
	}
	out, err := s.store.Advance(ctx, now, sc.ID, requestID, offerNo, reason, from, candidatesFor(sc, cur, now), now.Add(sc.OfferTimeout))
	if err != nil {
		return out, fmt.Errorf("%s: %w", reason, err)
	}
	prev := cur.HelperID
	s.log.Info("offer moved on", "school", sc.ID, "request", out.ID, "reason", reason, "from", Mask(prev), "state", out.State, "helper", Mask(out.HelperID))
	// Whoever must act now is told first: the next helper, or the
	// fallback channel. Then the helper whose offer lapsed, then the
	// requester.
	switch out.State {
	case StateOffered:
		s.tellWhy(ctx, sc, NoticeOffer, helperRecipient(sc, out.HelperID, out.Requester.Platform), out, out.HelperID, prev, reason)
	case StateEscalated:
		s.tellWhy(ctx, sc, NoticeEscalated, channelRecipient(sc, out), out, "", prev, reason)
	}
	if reason == ReasonTimeout {
		lapsed := out
		lapsed.OfferNo = offerNo
		s.tellWhy(ctx, sc, NoticeOfferLapsed, helperRecipient(sc, prev, out.Requester.Platform), lapsed, prev, "", reason)
	}
	switch out.State {
	case StateOffered:
		s.tellWhy(ctx, sc, NoticeMovedOn, Recipient{Address: out.Requester}, out, out.HelperID, prev, reason)
	case StateEscalated:
		s.tellWhy(ctx, sc, NoticeNobody, Recipient{Address: out.Requester}, out, "", prev, reason)
	}
	return out, nil
}

// Pickup is someone in the fallback channel pressing "Ik pak dit op" on an
// escalated request. Anyone there may; a helper who does is busy with it
// until "/hulp klaar".
func (s *Service) Pickup(ctx context.Context, now time.Time, sc *School, by Actor, requestID string) (Request, error) {
	helperID, name := "", by.Name
	if h, ok := sc.Helper(by.Address); ok {
		helperID, name = h.ID, h.Name
	} else if c, ok := sc.Coordinator(by.Address); ok && c.Name != "" {
		name = c.Name
	}
	if name == "" {
		name = by.Handle
	}
	by.Name = name
	out, err := s.store.Pickup(ctx, now, sc.ID, requestID, by, helperID)
	if err != nil {
		return out, fmt.Errorf("pick up: %w", err)
	}
	s.log.Info("request picked up", "school", sc.ID, "request", out.ID, "helper", Mask(helperID))
	s.tell(ctx, sc, NoticeAccepted, Recipient{Address: out.Requester}, out, helperID, "")
	if out.Note != "" {
		// The channel saw group, time and who asked; the note goes to the
		// one who picked it up only.
		s.tell(ctx, sc, NoticePickedNote, Recipient{Address: out.PickedBy}, out, helperID, "")
	}
	return out, nil
}

// FollowUps tells each requester whose follow-up is due at now and whose
// request nobody has accepted yet how it stands. Each follow-up is claimed
// once, whichever process asks; it returns how many were told.
func (s *Service) FollowUps(ctx context.Context, now time.Time, sc *School) (int, error) {
	ids, err := s.store.ClaimFollowUps(ctx, sc.ID, now, 500)
	if err != nil {
		return 0, fmt.Errorf("follow-ups: %w", err)
	}
	if s.obs != nil {
		for _, id := range ids {
			s.obs.Observe(Notice{Kind: NoticeFollowUp, SchoolID: sc.ID, Request: Request{ID: id, SchoolID: sc.ID}})
		}
	}
	return len(ids), nil
}

// CloseUnpicked closes, once the school day is over, the requests of the
// fallback channel that nobody picked up: the teacher hears it (and what
// to do), the channel's post loses its button, and they are counted. A
// request asked after the day ended waits for the next day's end. Safe to
// call from several processes and again: a request is closed once.
func (s *Service) CloseUnpicked(ctx context.Context, now time.Time, sc *School) (int, error) {
	end := sc.SchoolDayEnd(now)
	if now.Before(end) {
		return 0, nil
	}
	ids, err := s.store.CloseUnpicked(ctx, now, sc.ID, end)
	if err != nil {
		return 0, fmt.Errorf("close unpicked: %w", err)
	}
	if len(ids) > 0 {
		s.log.Info("unpicked requests closed", "school", sc.ID, "count", len(ids))
	}
	if s.obs != nil {
		for _, id := range ids {
			s.obs.Observe(Notice{Kind: NoticeUnpicked, SchoolID: sc.ID, Request: Request{ID: id, SchoolID: sc.ID, State: StateUnpicked}})
		}
	}
	return len(ids), nil
}

// Resolve is a helper closing the request they accepted ("/hulp klaar").
func (s *Service) Resolve(ctx context.Context, now time.Time, sc *School, by Actor, note string) (Request, error) {
	h, ok := sc.Helper(by.Address)
	if !ok {
		// Someone who is no helper (an IB'er, a teacher) closes what they
		// took from the fallback channel.
		out, err := s.store.ResolvePicked(ctx, now, sc.ID, by.Address, capRunes(note, MaxNoteLen))
		if errors.Is(err, ErrNoActiveRequest) {
			return out, fmt.Errorf("resolve: %w: %w", ErrNotHelper, err)
		}
		if err != nil {
			return out, fmt.Errorf("resolve: %w", err)
		}
		s.log.Info("request resolved", "school", sc.ID, "request", out.ID, "picker", true)
		s.tell(ctx, sc, NoticeResolved, Recipient{Address: out.Requester}, out, "", "")
		return out, nil
	}
	out, err := s.store.Resolve(ctx, now, sc.ID, h.ID, capRunes(note, MaxNoteLen))
	if err != nil {
		return out, fmt.Errorf("resolve: %w", err)
	}
	s.log.Info("request resolved", "school", sc.ID, "request", out.ID, "helper", Mask(h.ID))
	s.tell(ctx, sc, NoticeResolved, Recipient{Address: out.Requester}, out, h.ID, "")
	return out, nil
}

// Cancel is a requester withdrawing their own active request: requestID, or
// the latest when empty. The helper involved, or the fallback channel, is told.
func (s *Service) Cancel(ctx context.Context, now time.Time, sc *School, by Actor, requestID string) (Request, error) {
	out, err := s.store.Cancel(ctx, now, sc.ID, by.Address, requestID)
	if err != nil {
		return out, fmt.Errorf("cancel: %w", err)
	}
	s.log.Info("request cancelled", "school", sc.ID, "request", out.ID)
	if out.HelperID != "" {
		s.tell(ctx, sc, NoticeCancelled, helperRecipient(sc, out.HelperID, out.Requester.Platform), out, out.HelperID, "")
	} else {
		// It was escalated: the fallback channel saw it, so it hears it is over.
		s.tell(ctx, sc, NoticeCancelled, channelRecipient(sc, out), out, "", "")
	}
	return out, nil
}

// SetStatus is a helper setting beschikbaar, bezet or afwezig. A status other
// than available without an end lapses at the end of the day. A helper who
// becomes unavailable while holding an offer declines it, so the request
// moves on at once instead of waiting for the deadline.
func (s *Service) SetStatus(ctx context.Context, now time.Time, sc *School, by Actor, a Availability) (Availability, error) {
	h, ok := sc.Helper(by.Address)
	if !ok {
		return Availability{}, ErrNotHelper
	}
	switch {
	case a.Status == Available:
		a.Until = time.Time{}
	case a.Until.IsZero() || !a.Until.After(now):
		a.Until = sc.EndOfDay(now)
	}
	engaged, err := s.store.SetAvailability(ctx, sc.ID, h.ID, a)
	if err != nil {
		return Availability{}, fmt.Errorf("set status: %w", err)
	}
	s.log.Info("status set", "school", sc.ID, "helper", Mask(h.ID), "status", a.Status)
	if a.Status == Available {
		return a, nil
	}
	if engaged != "" {
		if err := s.passOn(ctx, now, sc, h.ID, engaged); err != nil {
			return a, err
		}
		return a, nil
	}
	// One person at several schools: the status holds at all of them (the
	// store keeps one), and so does passing on the offer they hold.
	if s.dir == nil || len(h.AlsoAt) == 0 {
		return a, nil
	}
	for _, at := range s.dir.Elsewhere(sc.ID, h.ID) {
		other, ok := s.dir.School(at.School)
		if !ok || other.ID == sc.ID {
			continue
		}
		st, err := s.store.HelperStates(ctx, other.ID, []string{at.Helper})
		if err != nil {
			return a, fmt.Errorf("set status: offer at another school: %w", err)
		}
		if e := st[at.Helper].Engaged; e != "" {
			if err := s.passOn(ctx, now, other, at.Helper, e); err != nil {
				return a, err
			}
		}
	}
	return a, nil
}

// passOn moves the offer of request id at sc on from helperID, when they
// hold it: they set a status other than available.
func (s *Service) passOn(ctx context.Context, now time.Time, sc *School, helperID, id string) error {
	r, err := s.store.Request(ctx, sc.ID, id)
	if err != nil || r.State != StateOffered || r.HelperID != helperID {
		return nil // not an offer of theirs here (any more)
	}
	if _, err := s.advance(ctx, now, sc, r, r.OfferNo, ReasonDecline, helperID); err != nil && !isRace(err) {
		return fmt.Errorf("set status: pass on offer: %w", err)
	}
	return nil
}

// candidatesFor is Candidates without the requester: a helper who asks for
// help is not offered their own request.
func candidatesFor(sc *School, r Request, now time.Time) []Candidate {
	cands := Candidates(sc, r.Group, now)
	if h, ok := sc.Helper(r.Requester); ok {
		cands = slices.DeleteFunc(cands, func(c Candidate) bool { return c.HelperID == h.ID })
	}
	return cands
}

// isRace reports errors that mean someone else changed the request first.
func isRace(err error) bool {
	return errors.Is(err, ErrStale) || errors.Is(err, ErrClosed) || errors.Is(err, ErrAlreadyAccepted) || errors.Is(err, ErrNotYours)
}

// HelperView is one line of "who can help now".
type HelperView struct {
	Helper *Helper
	OnDuty bool
	Status Status    // in force now
	Until  time.Time // when Status lapses; zero for available
	// Engaged is set when the helper holds an offer or works on a request.
	Engaged bool
}

// Free reports whether this helper would be offered a request now.
func (v HelperView) Free() bool { return v.OnDuty && v.Status == Available && !v.Engaged }

// WhoCanHelp lists the school's helpers with their state now, those who
// would be asked first at the top.
func (s *Service) WhoCanHelp(ctx context.Context, now time.Time, sc *School) ([]HelperView, error) {
	ids := make([]string, len(sc.Helpers))
	for i, h := range sc.Helpers {
		ids[i] = h.ID
	}
	states, err := s.store.HelperStates(ctx, sc.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("who can help: %w", err)
	}
	views := make([]HelperView, 0, len(sc.Helpers))
	for i := range sc.Helpers {
		h := &sc.Helpers[i]
		st := states[h.ID]
		v := HelperView{Helper: h, OnDuty: h.Schedule.OnDuty(sc, now), Status: st.At(now), Engaged: st.Engaged != ""}
		if v.Status != Available {
			v.Until = st.Until
		}
		views = append(views, v)
	}
	order := func(v HelperView) int {
		switch {
		case v.Free():
			return 0
		case v.OnDuty:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(views, func(a, b HelperView) int {
		if d := order(a) - order(b); d != 0 {
			return d
		}
		return sc.rolePriority(a.Helper.Role) - sc.rolePriority(b.Helper.Role)
	})
	return views, nil
}

// ShareStory keeps a success story for the week's post. Stories are kept
// without their author.
func (s *Service) ShareStory(ctx context.Context, now time.Time, sc *School, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("share story: empty")
	}
	if err := s.store.AddStory(ctx, sc.ID, sc.Week(now), capRunes(text, MaxNoteLen), sc.Retention); err != nil {
		return fmt.Errorf("share story: %w", err)
	}
	return nil
}

// HoldStory holds a success story that seems to name a child or hold
// health data instead of sharing it: its author decides within HoldFor
// (DecideStory); without a decision it is never shared — nothing about a
// story is urgent, and privacy comes first. signed keeps it with the
// author's name, as ShareSignedStory would. It returns the hold's id.
func (s *Service) HoldStory(ctx context.Context, now time.Time, sc *School, by Actor, text string, signed bool) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", fmt.Errorf("hold story: %w", ErrEmpty)
	}
	st := Story{Text: capRunes(text, MaxNoteLen)}
	if signed {
		st.By = Signature(sc, by)
	}
	id := s.newID()
	if err := s.store.HoldStory(ctx, now, sc.ID, id, sc.Week(now), sc.Month(now), by.Address, st, sc.Retention, HoldFor); err != nil {
		return "", fmt.Errorf("hold story: %w", err)
	}
	s.log.Info("story held", "school", sc.ID, "story", id)
	return id, nil
}

// DecideStory is the author of a held story pressing Deel toch (share) or
// Annuleer. shared tells what became of it, also with ErrNotHeld (decided
// before); ErrNotFound means its hold passed and it was not shared.
func (s *Service) DecideStory(ctx context.Context, now time.Time, sc *School, by Actor, id string, share bool) (bool, error) {
	shared, err := s.store.DecideStory(ctx, now, sc.ID, id, by.Address, share)
	if err != nil {
		return shared, fmt.Errorf("decide story: %w", err)
	}
	s.log.Info("held story decided", "school", sc.ID, "story", id, "shared", shared)
	return shared, nil
}

// tell shows the observer a notice the change just made queued with it
// (the store's scripts decide the same notices; Service.Notice words them).
func (s *Service) tell(ctx context.Context, sc *School, kind NoticeKind, to Recipient, r Request, helperID, prevID string) {
	s.tellWhy(ctx, sc, kind, to, r, helperID, prevID, "")
}

func (s *Service) tellWhy(ctx context.Context, sc *School, kind NoticeKind, to Recipient, r Request, helperID, prevID string, why AdvanceReason) {
	if s.obs == nil {
		return
	}
	s.obs.Observe(Notice{Kind: kind, To: to, SchoolID: sc.ID, Request: r, Helper: helperRef(sc, helperID), Previous: helperRef(sc, prevID), Reason: why})
}

// Notice puts a queued notice together from the request as it stands now,
// for delivery. It reports false when there is nothing to tell any more: the
// request expired, an offer is no longer the current one (accepted, moved
// on or withdrawn before its message went out), a follow-up comes after
// someone accepted, or the school has nobody to tell (no fallback channel,
// a helper no longer configured).
func (s *Service) Notice(ctx context.Context, sc *School, ref NoticeRef) (Notice, bool, error) {
	r, err := s.store.Request(ctx, sc.ID, ref.RequestID)
	if errors.Is(err, ErrNotFound) {
		return Notice{}, false, nil
	}
	if err != nil {
		return Notice{}, false, fmt.Errorf("notice %s of request %s: %w", ref.Kind, ref.RequestID, err)
	}
	switch ref.Kind {
	case NoticeOffer:
		if r.State != StateOffered || r.OfferNo != ref.OfferNo || r.HelperID != ref.Helper {
			return Notice{}, false, nil
		}
	case NoticeFollowUp:
		if r.State != StateOffered && r.State != StateEscalated {
			return Notice{}, false, nil
		}
	case NoticeConsult, NoticeConsultReminder:
		// Answered or closed before the question went out: nothing to ask.
		if r.State != StateAsked {
			return Notice{}, false, nil
		}
	case NoticePickedNote:
		// The note is erased a grace after the request closed: then there
		// is nothing left to hand over.
		if r.Note == "" {
			return Notice{}, false, nil
		}
	}
	// The offer the notice is about, which for a lapsed offer is not the
	// request's current one.
	r.OfferNo = ref.OfferNo
	n := Notice{Kind: ref.Kind, SchoolID: sc.ID, Request: r, Helper: helperRef(sc, ref.Helper), Previous: helperRef(sc, ref.Previous), Reason: ref.Reason}
	switch {
	case ref.To == ToRequester:
		n.To = Recipient{Address: r.Requester}
	case ref.To == ToChannel:
		n.To = channelRecipient(sc, r)
	case ref.To == ToPicker:
		n.To = Recipient{Address: r.PickedBy}
	default:
		n.To = helperRecipient(sc, strings.TrimPrefix(ref.To, toHelperPrefix), r.Requester.Platform)
	}
	if n.To.Handle == "" && n.To.Channel == "" {
		s.log.Warn("nobody to tell", "school", sc.ID, "request", r.ID, "notice", ref.Kind)
		return Notice{}, false, nil
	}
	if (ref.Kind == NoticeAccepted || ref.Kind == NoticePickedNote || ref.Kind == NoticeResolved) && ref.Helper == "" {
		// Picked up in the fallback channel by someone who is no helper.
		n.Helper.Name = r.PickedByName
	}
	return n, true, nil
}

func helperRef(sc *School, id string) HelperRef {
	if h, ok := sc.HelperByID(id); ok {
		return HelperRef{ID: h.ID, Name: h.Name, Role: h.Role}
	}
	return HelperRef{ID: id}
}

func helperRecipient(sc *School, id string, prefer Platform) Recipient {
	if h, ok := sc.HelperByID(id); ok {
		if a, ok := h.AddressOn(prefer); ok {
			return Recipient{Address: a}
		}
	}
	return Recipient{}
}

func channelRecipient(sc *School, r Request) Recipient {
	return Recipient{Address: Address{Platform: r.Requester.Platform}, Channel: sc.FallbackChannel}
}

// CapRunes cuts s to at most n runes (trailing space of the cut trimmed);
// shortened reports whether it did. Notes and stories are capped by it.
func CapRunes(s string, n int) (out string, shortened bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	return strings.TrimSpace(string([]rune(s)[:n])), true
}

func capRunes(s string, n int) string {
	out, _ := CapRunes(s, n)
	return out
}

// SchoolsWithDueWork returns those of schools with an offer deadline or a
// follow-up due at now, and when the next one after now falls (zero when
// none is waiting).
func (s *Service) SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) ([]string, time.Time, error) {
	due, next, err := s.store.SchoolsWithDueWork(ctx, schools, now)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("schools with due work: %w", err)
	}
	return due, next, nil
}

// DueOffers lists the school's offers whose deadline is at or before now.
func (s *Service) DueOffers(ctx context.Context, school string, now time.Time, limit int) ([]OfferRef, error) {
	refs, err := s.store.DueOffers(ctx, school, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due offers: %w", err)
	}
	return refs, nil
}
