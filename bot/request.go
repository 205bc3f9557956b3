package bot

import "time"

// State is where a request for help (hulpvraag) is in its life cycle.
//
// Creating a request and offering it is one atomic step, so a request is
// never seen "open" without an offer: it starts offered, or escalated when
// nobody is available.
//
//	offered ──accept──▶ accepted ──resolve──▶ resolved
//	   │ decline / timeout: offered to the next helper (offer number + 1)
//	   └─ nobody left ──▶ escalated (the school's fallback channel)
//	offered, accepted, escalated ──cancel──▶ cancelled
//
// A request whose note seems to name a child or hold health data starts
// held instead: offered to nobody until its requester decides (send it
// without the note, send it as typed, or withdraw it), or until HoldFor
// passes and it is sent without the note. Let go, it is offered (or
// escalated) as a new request is.
//
//	held ──release──▶ offered / escalated
//	held ──cancel──▶ cancelled
//	escalated, nobody picked it up by the end of the school day ──▶ unpicked
type State string

// The states of a request.
const (
	StateOffered   State = "offered"
	StateAccepted  State = "accepted"
	StateResolved  State = "resolved"
	StateEscalated State = "escalated"
	StateCancelled State = "cancelled"
	StateHeld      State = "held"
	StateUnpicked  State = "unpicked"
)

// HoldFor is how long a held request waits for its requester's choice
// before it goes out without its note: help in the moment comes first.
const HoldFor = 2 * time.Minute

// ReleaseHow is how a held request is let go.
type ReleaseHow string

// The ways a held request is let go.
const (
	ReleaseWithoutNote ReleaseHow = "without_note" // "Verstuur zonder toelichting"
	ReleaseAnyway      ReleaseHow = "anyway"       // "Verstuur toch"
	ReleaseCancel      ReleaseHow = "cancel"       // "Annuleer"
	ReleaseTimeout     ReleaseHow = "timeout"      // nobody pressed within HoldFor: sent without the note
)

// Valid reports whether h is one of the ways.
func (h ReleaseHow) Valid() bool {
	switch h {
	case ReleaseWithoutNote, ReleaseAnyway, ReleaseCancel, ReleaseTimeout:
		return true
	}
	return false
}

// Active reports whether the request still needs someone.
func (s State) Active() bool {
	return s == StateOffered || s == StateAccepted || s == StateEscalated
}

// MaxNoteLen caps notes and success stories, in characters (runes).
const MaxNoteLen = 280

// Request is one request for help. It holds the minimum: group, time, a short
// optional note, who asked and who helped. It expires after the school's
// retention.
type Request struct {
	ID       string
	SchoolID string
	Group    string // group id as configured
	Note     string // optional, at most MaxNoteLen runes
	DayPart  string // day part at creation, "" outside school hours
	Week     string // ISO week at creation, key of the weekly statistics
	Month    string // calendar month at creation ("2026-12"), key of the monthly statistics

	Requester     Address
	RequesterName string

	State    State
	HelperID string   // the helper offered or accepted; "" when escalated
	OfferNo  int      // 1 for the first offer, +1 for each move on
	Tried    []string // helpers offered so far, in order

	CreatedAt time.Time
	// ReleasedAt is when a held request was let go to the helpers; zero
	// for one never held (it went out at CreatedAt).
	ReleasedAt time.Time
	Deadline   time.Time // of the current offer
	AcceptedAt time.Time
	ClosedAt   time.Time // resolved or cancelled
	DoneNote   string    // the helper's short closing note

	// FollowUpAt is when the requester hears how things stand if nobody has
	// accepted by then; zero for no follow-up.
	FollowUpAt time.Time
	// PickedBy is who took an escalated request from the fallback channel
	// ("Ik pak dit op"); HelperID is set too when that was a helper.
	PickedBy     Address
	PickedByName string

	// Kind is KindConsult for a meedenken question, "" for a request for
	// help. A consult's Note is its question; HelperID the helper asked;
	// OfferNo the stage of its deadline (ConsultStage*); Deadline when the
	// helper is reminded or it goes on the kernteam's agenda.
	Kind       Kind
	Answer     ConsultAnswer
	Moment     string // the moment the helper proposed, for AnswerMoment
	AnsweredAt time.Time
}

// SentAt is when the request went out to the helpers: its release when it
// was held (until then nobody knew of it, and the time was the teacher's
// own), else its creation.
func (r Request) SentAt() time.Time {
	if !r.ReleasedAt.IsZero() {
		return r.ReleasedAt
	}
	return r.CreatedAt
}

// TimeToAccept is how long the teacher waited, from SentAt, if the request
// was accepted.
func (r Request) TimeToAccept() (time.Duration, bool) {
	if r.AcceptedAt.IsZero() {
		return 0, false
	}
	return r.AcceptedAt.Sub(r.SentAt()), true
}
