package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// What help was given, at closing: the reply to "/hulp klaar" asks the
// kind of support (buttons), the tap rewrites it to ask the outcome, the
// second tap to a thank-you. Each tap counts once; a tap on an old message
// is told so and counts nothing.

// ClosingUseCases is what the command layer calls to count an answer.
type ClosingUseCases interface {
	Answer(ctx context.Context, now time.Time, s *bot.School, by bot.Actor, requestID string, step bot.ClosingStep, key string) error
}

var _ ClosingUseCases = (*bot.Closings)(nil)

// WithClosing lets the reply to "/hulp klaar" ask what help was given.
func WithClosing(c ClosingUseCases) Option {
	return func(h *Handler) { h.closing = c }
}

func isClosingAction(a message.Action) bool {
	_, _, ok := message.ParseClosingAction(a)
	return ok
}

// closingClick answers a tap on an answer at closing.
func (h *Handler) closingClick(ctx context.Context, now time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	step, key, _ := message.ParseClosingAction(c.Action)
	name := "click.closing." + string(step)
	var err error
	switch {
	case h.closing == nil:
		name, err = "click", errUnknownButton
	case c.RequestID == "":
		err = bot.ErrStale
	default:
		err = h.closing.Answer(ctx, now, sc, c.From, c.RequestID, step, key)
	}
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		h.logOutcome(sc, name, "already", c.RequestID, err)
		return ClickReply{Ephemeral: catalog.Text(l, "closing.already")}
	case errors.Is(err, bot.ErrNotFound) && step != bot.StepSkip && !sc.HasChoice(step, key):
		h.logOutcome(sc, name, "unknown", c.RequestID, err)
		return ClickReply{Ephemeral: catalog.Text(l, "closing.unknown")}
	case err != nil:
		k, msg := explain(sc, name, err)
		h.logOutcome(sc, name, k, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", "ok", "request", c.RequestID)
	upd := &message.Message{RequestID: c.RequestID}
	switch step {
	case bot.StepSupport:
		upd.Text = catalog.Text(l, "closing.outcome.ask", "support", catalog.ChoiceLabelOf(sc, l, step, key))
		upd.Buttons = catalog.ClosingButtons(sc, l, bot.StepOutcome, c.RequestID)
	case bot.StepOutcome:
		upd.Text = catalog.Text(l, "closing.thanks", "outcome", catalog.ChoiceLabelOf(sc, l, step, key))
	default:
		upd.Text = catalog.Text(l, "closing.skipped")
	}
	if h.weekly != nil {
		// The kernteam's button stays until the question is done with.
		upd.Buttons = append(upd.Buttons, message.Button{Label: catalog.Text(l, "button.kernteam"), Action: message.ActionKernteam, RequestID: c.RequestID})
	}
	return ClickReply{Update: upd}
}
