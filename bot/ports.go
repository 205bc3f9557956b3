package bot

import (
	"context"
	"strconv"
	"time"
)

// Store keeps requests, helper states and weekly statistics. Every method
// that changes state does so atomically: it either happens whole or not at
// all, also when several hulpbot processes share the store. Errors the caller
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
	// for exactly one caller, and returns their ids.
	ClaimFollowUps(ctx context.Context, school string, now time.Time, limit int) ([]string, error)

	// Resolve closes the request helperID has accepted.
	Resolve(ctx context.Context, now time.Time, school, helperID, note string) (Request, error)

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

	// SchoolsWithDueWork returns those of schools with an offer deadline or
	// a follow-up due at now: a cheap look before the work. next is the
	// earliest deadline or follow-up after now, zero when there is none.
	SchoolsWithDueWork(ctx context.Context, schools []string, now time.Time) (due []string, next time.Time, err error)

	// DueOffers lists offers whose deadline is at or before now, oldest first.
	DueOffers(ctx context.Context, school string, now time.Time, limit int) ([]OfferRef, error)

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

// Notifier tells people what happened. Notices are neutral: the handlers
// layer puts them in words in the school's language and a platform adapter
// delivers them. A Notifier may deliver later (an outbox), but must not lose
// a notice it accepted.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
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
)

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
// same request told to the same recipient twice is one delivery.
func (n Notice) Key() string {
	return n.SchoolID + "/" + n.Request.ID + "/" + string(n.Kind) + "/" + strconv.Itoa(n.Request.OfferNo) + "/" + n.To.String() + "#" + n.To.Channel
}
