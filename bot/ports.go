package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Store keeps requests, helper states and weekly statistics. Every method
// that changes state does so atomically: it either happens whole or not at
// all, also when several hulpbot processes share the store. A change queues
// the notices it owes in the same step (NoticeRef; see Service.Notice):
// either it happens with everything it must tell queued, or nothing
// happens. Errors the caller
// branches on are this package's sentinels; an unreachable store wraps
// ErrUnavailable.
type Store interface {
	// CreateAndOffer stores r (State and HelperID are decided here) and offers
	// it to the first helper Choose would pick among cands; the offer lapses at
	// deadline. With nobody to pick the request is stored escalated. r
	// expires after retention. A request with r.ID already stored (the same
	// command delivered again) changes nothing: the stored request, as it
	// stands, comes back with an error wrapping ErrDuplicate.
	CreateAndOffer(ctx context.Context, now time.Time, r Request, cands []Candidate, deadline time.Time, retention time.Duration) (Request, error)

	// Hold stores r held until until (a note that must not go out
	// unasked): offered to nobody, nobody told. r expires after retention;
	// a repeat is ErrDuplicate with the stored request, as CreateAndOffer.
	Hold(ctx context.Context, now time.Time, r Request, until time.Time, retention time.Duration) (Request, error)

	// LetGo lets held request requestID go, once, the way how says:
	// sent (offered to the first helper Choose would pick among cands,
	// lapsing at deadline, or escalated) with or without its note, or
	// withdrawn. who is the requester pressing (ErrNotYours for anyone
	// else); for ReleaseTimeout, the sweeper's, the hold must be due. A
	// request no longer held is ErrNotHeld, with the request as it stands.
	LetGo(ctx context.Context, now time.Time, school, requestID string, who Address, how ReleaseHow, cands []Candidate, deadline, followUp time.Time) (Request, error)

	// HoldStory keeps a success story st of author, held for hold under
	// id: shared (signed when st.By is set) only if its author decides so
	// (DecideStory), gone unshared when hold passes.
	HoldStory(ctx context.Context, now time.Time, school, id, week, month string, author Address, st Story, retention, hold time.Duration) error

	// DecideStory shares held story id after all (share) or drops it, for
	// its author only (ErrNotYours). Decided before: ErrNotHeld, with
	// shared telling how; its hold passed: ErrNotFound (not shared).
	DecideStory(ctx context.Context, now time.Time, school, id string, by Address, share bool) (shared bool, err error)

	// Accept makes helperID's offer accepted. requestID "" means the offer
	// the helper holds; offerNo 0 means the current offer.
	Accept(ctx context.Context, now time.Time, school, helperID, requestID string, offerNo int) (Request, error)

	// Advance moves offer offerNo of a request on, because its helper
	// declined (from is that helper) or because its deadline passed (a
	// timeout; from is ""): offered to the next helper Choose would pick, or
	// escalated.
	Advance(ctx context.Context, now time.Time, school, requestID string, offerNo int, reason AdvanceReason, from string, cands []Candidate, deadline time.Time) (Request, error)

	// Pickup gives an escalated request to whoever pressed "Ik pak dit op"
	// in the fallback channel: helperID when that is a configured helper
	// (who then works on it and is not free; ErrBusy when engaged already),
	// or "" for anyone else. A second press gets ErrAlreadyAccepted.
	Pickup(ctx context.Context, now time.Time, school, requestID string, by Actor, helperID string) (Request, error)

	// ClaimFollowUps takes the requests whose follow-up is due at now, each
	// for exactly one caller, queues the follow-up notice of each that
	// nobody accepted yet in the same step, and returns their ids.
	ClaimFollowUps(ctx context.Context, school string, now time.Time, limit int) ([]string, error)

	// CloseUnpicked closes the escalated requests created before cutoff
	// that nobody picked up, queuing in the same step the notice to each
	// requester and to the fallback channel, and returns their ids.
	CloseUnpicked(ctx context.Context, now time.Time, school string, cutoff time.Time) ([]string, error)

	// Resolve closes the request helperID has accepted.
	Resolve(ctx context.Context, now time.Time, school, helperID, note string) (Request, error)

	// ResolvePicked closes the latest open request picker (no helper) took
	// from the fallback channel; ErrNoActiveRequest when there is none.
	ResolvePicked(ctx context.Context, now time.Time, school string, picker Address, note string) (Request, error)

	// Cancel withdraws an active request of requester: requestID, or the
	// latest when requestID is "". Someone else's request is ErrNotYours.
	Cancel(ctx context.Context, now time.Time, school string, requester Address, requestID string) (Request, error)

	// SetAvailability sets a helper's status and returns the request the
	// helper is engaged in, if any.
	SetAvailability(ctx context.Context, school, helperID string, a Availability) (engaged string, err error)

	// HelperStates reads the states of the given helpers.
	HelperStates(ctx context.Context, school string, helperIDs []string) (map[string]HelperState, error)

	// Request reads one request.
	Request(ctx context.Context, school, requestID string) (Request, error)

	// SchoolsWithDueWork returns those of schools with an offer deadline, a
	// follow-up or a consult's deadline due at now: a cheap look before the
	// work. next is the earliest of them after now, zero when there is none.
	SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) (due []string, next time.Time, err error)

	// DueOffers lists offers whose deadline is at or before now, oldest first.
	DueOffers(ctx context.Context, school string, now time.Time, limit int) ([]OfferRef, error)

	// CreateConsult stores the consult r (KindConsult), asked of helperID,
	// due at due, and queues the question to the helper. A consult with
	// r.ID stored already changes nothing and comes back as it stands with
	// ErrDuplicate.
	CreateConsult(ctx context.Context, now time.Time, r Request, helperID string, due time.Time, retention time.Duration) (Request, error)
	// AnswerConsult records helperID's answer to a consult asked of them
	// (requestID; "" for the oldest not answered) and queues it to the
	// teacher. ErrNotYours when asked of someone else, ErrClosed when
	// answered or closed already, ErrNoActiveRequest when "" finds none.
	AnswerConsult(ctx context.Context, now time.Time, school, requestID, helperID string, a ConsultAnswer, moment string) (Request, error)
	// CloseConsult closes a consult, for its requester (who, as
	// Address.Identity) or the helper helperID it was asked of.
	CloseConsult(ctx context.Context, now time.Time, school, requestID, who, helperID string) (Request, error)
	// HoldConsult keeps the question of a consult that must not be sent
	// unasked, held for hold under id (the consult's id to be): sent only
	// if its author chooses so (SendHeldConsult), gone unsent when hold
	// passes. A second hold of id changes nothing.
	HoldConsult(ctx context.Context, now time.Time, school, id, week, month string, author Address, group, question string, hold time.Duration) error
	// HeldConsult reads the question held as id; ErrNotFound when its hold
	// passed.
	HeldConsult(ctx context.Context, school, id string) (HeldConsult, error)
	// SendHeldConsult is CreateConsult of the question held as r.ID, its
	// author having chosen to send it: in the same step, once. ErrNotFound
	// when the hold passed, ErrNotYours for someone else, ErrNotHeld when
	// it was dropped.
	SendHeldConsult(ctx context.Context, now time.Time, r Request, helperID string, due time.Time, retention time.Duration) (Request, error)
	// DropHeldConsult drops the question held as id, for its author only
	// (ErrNotYours). Decided before: ErrNotHeld, with done "sent" or
	// "cancelled"; its hold passed: ErrNotFound.
	DropHeldConsult(ctx context.Context, now time.Time, school, id string, by Address) (done string, err error)
	// DueConsults lists the consults whose deadline is at or before now.
	DueConsults(ctx context.Context, school string, now time.Time, limit int) ([]ConsultRef, error)
	// ConsultDue moves a due consult on, once per deadline: asked, the
	// helper is reminded and it is due again at next; reminded, it goes on
	// the kernteam's agenda (kept retention) and the teacher is told.
	// ErrStale when not due (moved on by another caller), ErrClosed when
	// answered or closed.
	ConsultDue(ctx context.Context, now time.Time, school, requestID string, next time.Time, retention time.Duration) (Request, error)

	// AddStory keeps a success story for the week's post.
	AddStory(ctx context.Context, school, week, text string, retention time.Duration) error

	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
}

// AdvanceReason says why an offer moves on.
type AdvanceReason string

// Reasons an offer moves on.
const (
	ReasonDecline AdvanceReason = "decline"
	ReasonTimeout AdvanceReason = "timeout"
)

// OfferRef names one offer: a request and its offer number.
type OfferRef struct {
	RequestID string
	OfferNo   int
	Deadline  time.Time
}

// Observer is shown every notice a change owes, after the change (for
// metrics). Delivery is not its job: the store queues the notices with the
// change itself (a transactional outbox), and the outbox delivers them.
type Observer interface {
	Observe(n Notice)
}

// NoticeKind is what a notice is about.
type NoticeKind string

// Notices the core sends.
const (
	// NoticeOffer asks a helper to come (buttons: accept, decline).
	NoticeOffer NoticeKind = "offer"
	// NoticeAccepted tells the requester who is coming.
	NoticeAccepted NoticeKind = "accepted"
	// NoticeMovedOn tells the requester the request went to the next helper.
	NoticeMovedOn NoticeKind = "moved_on"
	// NoticeOfferLapsed tells a helper their offer timed out and moved on.
	NoticeOfferLapsed NoticeKind = "offer_lapsed"
	// NoticeEscalated posts the request in the school's fallback channel.
	NoticeEscalated NoticeKind = "escalated"
	// NoticeNobody tells the requester nobody is available and the fallback
	// channel has it.
	NoticeNobody NoticeKind = "nobody"
	// NoticeCancelled tells the helper (or the fallback channel) the
	// requester withdrew the request.
	NoticeCancelled NoticeKind = "cancelled"
	// NoticeResolved tells the requester the helper closed the request.
	NoticeResolved NoticeKind = "resolved"
	// NoticeFollowUp tells the requester, once, that nobody accepted yet and
	// where the request stands.
	NoticeFollowUp NoticeKind = "follow_up"
	// NoticePassedOnLate tells a requester who heard "kan nu niet
	// doorzetten" that the request was passed on after all (its create
	// reached Redis although the answer did not come back in time).
	NoticePassedOnLate NoticeKind = "passed_on_late"
	// NoticePickedNote gives whoever picked an escalated request up in the
	// fallback channel its note, in a direct message: the channel post
	// never shows a note.
	NoticePickedNote NoticeKind = "picked_note"
	// NoticeHeldSent tells a requester who chose nothing for a held
	// request within HoldFor that it went out without its note.
	NoticeHeldSent NoticeKind = "held_sent"
	// NoticeUnpicked tells the requester, and the fallback channel whose
	// post loses its button, that nobody picked the escalated request up
	// and it was closed at the end of the school day.
	NoticeUnpicked NoticeKind = "unpicked"
)

// NoticeKinds are all the kinds above, for tests that must hold for every
// notice (a test in this package checks the list is complete).
var NoticeKinds = []NoticeKind{
	NoticeOffer, NoticeAccepted, NoticeMovedOn, NoticeOfferLapsed, NoticeEscalated, NoticeNobody,
	NoticeCancelled, NoticeResolved, NoticeFollowUp, NoticePassedOnLate, NoticePickedNote, NoticeHeldSent, NoticeUnpicked,
	NoticeConsult, NoticeConsultAnswered, NoticeConsultReminder, NoticeConsultAgenda,
}

// Urgent reports notices someone must act on now: delivered first. The
// note for whoever picked a request up is what they go with.
func (k NoticeKind) Urgent() bool {
	return k == NoticeOffer || k == NoticeEscalated || k == NoticePickedNote
}

// Recipient is a person, or a channel of the school on a platform.
type Recipient struct {
	Address        // the person; for a channel only Platform is set
	Channel string // channel name; "" for a person
}

// Notice is one thing to tell one recipient. It carries values only, so it
// can be queued and retried.
type Notice struct {
	Kind     NoticeKind
	To       Recipient
	SchoolID string
	Request  Request
	// Helper is the helper the notice is about (offered, accepted, resolved);
	// Previous the one the request moved on from.
	Helper, Previous HelperRef
	// Reason says why a request moved on (moved_on, nobody, escalated after
	// an offer, offer_lapsed); empty otherwise.
	Reason AdvanceReason
}

// HelperRef is how a notice names a helper.
type HelperRef struct {
	ID   string
	Name string
	Role Role
}

// Key identifies a notice for idempotent delivery: the same change of the
// same request told to the same recipient twice is one delivery. It names
// the recipient by platform (and channel) only, never by handle: the key is
// kept in Redis and with the message on the platform, and of a request's
// notices of one kind at one offer, at most one goes to a person.
func (n Notice) Key() string {
	return n.SchoolID + "/" + n.Request.ID + "/" + string(n.Kind) + "/" + strconv.Itoa(n.Request.OfferNo) + "/" + string(n.To.Platform) + "#" + n.To.Channel
}

// NoticeRef is a notice as the store queues it with the change that owes
// it: what to tell whom about which request, without words. It is put in
// words at delivery, from the request as it stands then (Service.Notice).
type NoticeRef struct {
	Kind      NoticeKind
	RequestID string
	OfferNo   int
	// To is "requester", "channel" (the school's fallback channel),
	// "picker" (who picked the request up in the fallback channel, who may
	// be no helper) or "helper:<id>".
	To string
	// Helper and Previous are the helpers the notice is about (ids); Reason
	// why a request moved on.
	Helper, Previous string
	Reason           AdvanceReason
}

// Who a NoticeRef is for.
const (
	ToRequester    = "requester"
	ToChannel      = "channel"
	ToPicker       = "picker"
	toHelperPrefix = "helper:"
)

// noticeRefParts is the number of fields of an encoded NoticeRef.
const noticeRefParts = 8

// ParseNoticeRef reads a NoticeRef as the store's scripts write it:
// notice|kind|request|offer|to|helper|previous|reason.
func ParseNoticeRef(s string) (NoticeRef, error) {
	f := strings.Split(s, "|")
	if len(f) != noticeRefParts || f[0] != "notice" || f[1] == "" || f[2] == "" {
		// Errors never quote a notice: it names helpers by id.
		return NoticeRef{}, fmt.Errorf("notice: want %d fields starting with notice", noticeRefParts)
	}
	no, err := strconv.Atoi(f[3])
	if err != nil || no < 0 {
		return NoticeRef{}, fmt.Errorf("notice of request %q: offer number %q", f[2], f[3])
	}
	r := NoticeRef{Kind: NoticeKind(f[1]), RequestID: f[2], OfferNo: no, To: f[4], Helper: f[5], Previous: f[6], Reason: AdvanceReason(f[7])}
	if r.To != ToRequester && r.To != ToChannel && r.To != ToPicker && (!strings.HasPrefix(r.To, toHelperPrefix) || len(r.To) == len(toHelperPrefix)) {
		return NoticeRef{}, fmt.Errorf("notice of request %q: not a recipient", f[2])
	}
	return r, nil
}

// String encodes r as ParseNoticeRef reads it.
func (r NoticeRef) String() string {
	return strings.Join([]string{"notice", string(r.Kind), r.RequestID, strconv.Itoa(r.OfferNo), r.To, r.Helper, r.Previous, string(r.Reason)}, "|")
}
