package handlers

import (
	"context"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Command is one "/hulp …" as any platform adapter hands it over, after the
// adapter has verified it and found the school.
type Command struct {
	School  *bot.School
	From    bot.Actor
	Text    string // what follows "/hulp"
	Channel string // where it was typed, platform id; may be empty
	// ID, when set, makes a request for help idempotent across repeated
	// deliveries of the same command (a platform's trigger id).
	ID string
}

// Reply is the answer to a command, shown to the person who typed it.
type Reply struct {
	Text    string
	Buttons []Button
}

// Action is what a button does.
type Action string

// Button actions.
const (
	ActionAccept  Action = "accept"
	ActionDecline Action = "decline"
	// ActionPickup is "Ik pak dit op" under an escalated request in the
	// fallback channel: anyone there may press it.
	ActionPickup Action = "pickup"
)

// Button is a neutral button; adapters render it (and sign its payload).
type Button struct {
	Label     string
	Action    Action
	RequestID string
	OfferNo   int
	Primary   bool // the button to press in the usual case
}

// Click is a press on a button, verified by the adapter.
type Click struct {
	School    *bot.School
	From      bot.Actor
	Action    Action
	RequestID string
	OfferNo   int
}

// ClickReply answers a click. Update, when set, replaces the message that
// held the button, for everyone, so nobody presses twice; Ephemeral is shown
// only to the one who clicked and changes nothing.
type ClickReply struct {
	Update    *Message
	Ephemeral string
}

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

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // file name, e.g. "overzicht-2026-W48.png"
	ContentType string // e.g. "image/png"
	Data        []byte
}

// Sender delivers a rendered message on the recipient's platform. Adapters
// implement it; the registry in adapters dispatches on the platform.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Service is the part of the bot core the command layer calls.
type Service interface {
	RequestHelp(ctx context.Context, now time.Time, sc *bot.School, in bot.HelpRequest) (bot.Request, error)
	Accept(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error)
	Decline(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error)
	Pickup(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string) (bot.Request, error)
	Resolve(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, note string) (bot.Request, error)
	Cancel(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string) (bot.Request, error)
	SetStatus(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, a bot.Availability) (bot.Availability, error)
	WhoCanHelp(ctx context.Context, now time.Time, sc *bot.School) ([]bot.HelperView, error)
	ShareStory(ctx context.Context, now time.Time, sc *bot.School, text string) error
}

var _ Service = (*bot.Service)(nil)
