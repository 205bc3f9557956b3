package handlers

import (
	"context"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
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
	Buttons []message.Button
}

// Click is a press on a button, verified by the adapter.
type Click struct {
	// School is the school as the clicked message reads: the clicker's
	// language for a message of their own (a direct message, an answer
	// only they see), the school's for a channel's post.
	School *bot.School
	// Clicker is the school as the clicker reads it, for a note only they
	// see under a channel's post; nil: School.
	Clicker   *bot.School
	From      bot.Actor
	Action    message.Action
	RequestID string
	OfferNo   int
}

// ClickReply answers a click. Update, when set, replaces the message that
// held the button, for everyone, so nobody presses twice; Ephemeral is shown
// only to the one who clicked and changes nothing.
type ClickReply struct {
	Update    *message.Message
	Ephemeral string
}

// Service is the part of the bot core the command layer calls.
type Service interface {
	RequestHelp(ctx context.Context, now time.Time, sc *bot.School, in bot.HelpRequest) (bot.Request, error)
	Accept(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error)
	Decline(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, offerNo int) (bot.Request, error)
	Pickup(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string) (bot.Request, error)
	Release(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, how bot.ReleaseHow) (bot.Request, error)
	Resolve(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, note string) (bot.Request, error)
	Cancel(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string) (bot.Request, error)
	SetStatus(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, a bot.Availability) (bot.Availability, error)
	WhoCanHelp(ctx context.Context, now time.Time, sc *bot.School) ([]bot.HelperView, error)
	ShareStory(ctx context.Context, now time.Time, sc *bot.School, text string) error
	HoldStory(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, text string, signed bool) (string, error)
	DecideStory(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, id string, share bool) (bool, error)
}

var _ Service = (*bot.Service)(nil)

// YearLink is a personal link to a year overview in the browser.
type YearLink struct {
	Name    string    // the school's or the samenwerkingsverband's name
	URL     string    // signed, for one person
	Expires time.Time // the link opens the page until then
}
