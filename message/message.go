// Package message holds the neutral shape of what hulpbot shows people: a
// message with its buttons and files, the Sender that delivers it on a
// platform, and the errors a delivery reports. The catalogue and the command
// layer put it together; the outbox queues it; adapters render and deliver
// it. It imports nothing of hulpbot's but the core's recipient type.
package message

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Message is something to show: a reply, a direct message, a channel post.
type Message struct {
	To bot.Recipient
	// SchoolID is the school the message is about: a channel name means a
	// channel of that school's team or workspace.
	SchoolID string
	Text     string
	Buttons  []Button
	// Key identifies the delivery: the same key is delivered once.
	Key string
	// RequestID links the message to a request, so an adapter can find and
	// update it later; Kind and OfferNo say what about the request it tells
	// (empty and 0 for a message that is not a notice), so an adapter can
	// take the buttons off an offer that is over.
	RequestID string
	Kind      bot.NoticeKind
	OfferNo   int
	// Attachments are files shown with the message (a digest's chart).
	Attachments []Attachment
	// Urgent marks a message someone must act on now (an offer to a
	// helper, a request in the fallback channel): delivered before the
	// rest when many are waiting.
	Urgent bool
}

// Action is what a button does.
type Action string

// Button actions of a request's life.
const (
	ActionAccept  Action = "accept"
	ActionDecline Action = "decline"
	// ActionPickup is "Ik pak dit op" under an escalated request in the
	// fallback channel: anyone there may press it.
	ActionPickup Action = "pickup"
)

// Button actions of the weekly rhythm. (Action names are lower-case
// letters, digits, - and _: what every adapter can carry.)
const (
	// ActionPulseUp, ActionPulseDown and ActionPulseSelf answer "Hielp
	// het?" under the notice that a request was closed: 👍, 👎, "Dit kan
	// ik de volgende keer zelf". Only the requester may press them.
	ActionPulseUp   Action = "pulse-up"
	ActionPulseDown Action = "pulse-down"
	ActionPulseSelf Action = "pulse-self"
	// ActionKernteam puts the request on the kernteam's agenda ("bespreken
	// in kernteam"), under the reply to "/hulp klaar".
	ActionKernteam Action = "kernteam"
	// ActionStorySign puts its author's name under a success story shared
	// without it ("Met mijn naam"); RequestID is the story's id.
	ActionStorySign Action = "story-sign"
)

// Button actions under a request held because its note seemed to name a
// child or hold health data; only its requester may press them.
const (
	// ActionHeldWithoutNote sends it without the note.
	ActionHeldWithoutNote Action = "held-without-note"
	// ActionHeldAnyway sends it as typed.
	ActionHeldAnyway Action = "held-anyway"
	// ActionHeldCancel withdraws it before anyone heard of it.
	ActionHeldCancel Action = "held-cancel"
	// ActionStoryShare shares a held success story after all; its
	// RequestID names the held story.
	ActionStoryShare Action = "story-share"
	// ActionStoryCancel drops a held success story.
	ActionStoryCancel Action = "story-cancel"
	// ActionConsultSend sends a held consult question after all; its
	// RequestID is the consult's.
	ActionConsultSend Action = "consult-send"
	// ActionConsultDrop drops a held consult question.
	ActionConsultDrop Action = "consult-drop"
)

// Button actions of a consult (meedenken): the helper's answers under the
// question, and "Afgerond" under the answer, for the teacher.
const (
	ActionConsultToday Action = "consult-today" // "Vandaag"
	ActionConsultWeek  Action = "consult-week"  // "Deze week"
	ActionConsultCall  Action = "consult-call"  // "Bel me even"
	ActionConsultDone  Action = "consult-done"  // "Afgerond"
)

// ActionAsk answers "Bedoel je groep 1-2?": the button asks for help for
// the group it names (OfferNo is the group's place in the school's
// configuration, from 1) under the request id in RequestID, so a second
// press asks nothing twice. Only the teacher who typed sees it.
const ActionAsk Action = "ask"

// Button is a neutral button; adapters render it (and sign its payload).
type Button struct {
	Label     string
	Action    Action
	RequestID string
	OfferNo   int
	Primary   bool // the button to press in the usual case
	// Until is when pressing the button stops making sense: an offer's
	// deadline, a request's end of retention. Zero leaves it to the
	// adapter, which signs every button with an expiry.
	Until time.Time
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // file name, e.g. "overzicht-2026-W48.png"
	ContentType string // e.g. "image/png"
	Data        []byte
}

// Sender delivers a rendered message on the recipient's platform. Adapters
// implement it; the registry in adapters dispatches on the platform. Only
// the outbox calls a platform's Sender: it is the one path to a platform,
// with one retry policy, so a Sender tries once and classifies its error.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery that can never succeed (an unknown user, a
// channel the bot may not post in): retrying it is pointless. A Sender wraps
// it; any other error is retried with backoff.
var ErrPermanent = errors.New("permanent delivery failure")

// RetryAfterError is a delivery the platform asked to repeat no sooner than
// After (HTTP 429 Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// Checker is what a platform's Sender may also do: tell whether the
// platform already holds m, by the marker every message carries (its Key,
// hashed: Slack message metadata, a Mattermost post property), in the
// recipient's recent history. The outbox asks before it delivers a message
// again whose earlier attempt may have reached the platform (a process that
// died between "the platform accepted it" and "recorded as delivered"), so
// a crash does not double a message.
type Checker interface {
	Delivered(ctx context.Context, m Message) (bool, error)
}

// Marker is what a message carries to be found again on its platform
// (Checker): a hash of its Key, never the key itself, which may name a
// person; "" for a message without a key.
func Marker(m Message) string {
	if m.Key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(m.Key))
	return hex.EncodeToString(sum[:16])
}
