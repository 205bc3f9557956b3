package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// Meedenken in the command layer: "/hulp meedenken groep 5 <vraag>" (also
// overleg, consult), the helper's answer by button or "/hulp moment do
// 14:00", and "Afgerond".

// ConsultUseCases is the part of the core the command layer calls for
// consults.
type ConsultUseCases interface {
	Consult(ctx context.Context, now time.Time, sc *bot.School, in bot.HelpRequest) (bot.Request, error)
	AnswerConsult(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string, a bot.ConsultAnswer, moment string) (bot.Request, error)
	CloseConsult(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, requestID string) (bot.Request, error)
	HoldConsult(ctx context.Context, now time.Time, sc *bot.School, in bot.HelpRequest) (string, error)
	DecideConsult(ctx context.Context, now time.Time, sc *bot.School, by bot.Actor, id string, send bool) (bot.Request, string, error)
}

var _ ConsultUseCases = (*bot.Service)(nil)

// WithConsults lets the handler take consults (meedenken).
func WithConsults(c ConsultUseCases) Option {
	return func(h *Handler) { h.consults = c }
}

// consultAnswers maps the buttons under a consult to the answers.
var consultAnswers = map[message.Action]bot.ConsultAnswer{
	message.ActionConsultToday: bot.AnswerToday, message.ActionConsultWeek: bot.AnswerThisWeek, message.ActionConsultCall: bot.AnswerCall,
}

// isConsultAction reports the buttons consultClick answers.
func isConsultAction(a message.Action) bool {
	_, ok := consultAnswers[a]
	return ok || a == message.ActionConsultDone
}

// consult answers "/hulp meedenken groep 5 <vraag>".
func (h *Handler) consult(ctx context.Context, now time.Time, c Command, cmd ConsultCmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	if h.consults == nil {
		return Reply{Text: catalog.Text(l, "summary.later")}, "", nil
	}
	in := bot.HelpRequest{From: c.From, Group: cmd.Group, Note: cmd.Question, ID: requestID(sc, c)}
	if h.words(sc).known.Sensitive(cmd.Question) {
		// Seems to name a child or hold health data: held, not sent, until
		// its author chooses. The helper would read it in private, as an
		// urgent request's note, so sending it anyway is theirs to choose.
		id, err := h.consults.HoldConsult(ctx, now, sc, in)
		if err != nil {
			return Reply{}, in.ID, err
		}
		text, buttons := catalog.HeldConsultReply(sc, id, now.Add(bot.HoldFor))
		return Reply{Text: catalog.Lines(text, h.noteTips(sc, "", cmd.Shortened)), Buttons: buttons}, id, nil
	}
	r, err := h.consults.Consult(ctx, now, sc, in)
	if err != nil {
		return Reply{}, in.ID, err
	}
	return Reply{Text: catalog.Lines(catalog.ConsultSent(sc, r), h.noteTips(sc, "", cmd.Shortened))}, r.ID, nil
}

// moment answers "/hulp moment do 14:00" by a helper.
func (h *Handler) moment(ctx context.Context, now time.Time, c Command, cmd MomentCmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	if h.consults == nil {
		return Reply{Text: catalog.Text(l, "summary.later")}, "", nil
	}
	r, err := h.consults.AnswerConsult(ctx, now, sc, c.From, "", bot.AnswerMoment, cmd.Moment)
	if err != nil {
		return Reply{}, r.ID, err
	}
	return Reply{Text: catalog.Text(l, "consult.answered", "answer", cmd.Moment, "requester", requesterLabel(sc, r))}, r.ID, nil
}

// consultClick answers a press on Vandaag, Deze week, Bel me even (the
// helper) or Afgerond (the teacher): the post makes way for what was done.
func (h *Handler) consultClick(ctx context.Context, now time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	name := "click." + string(c.Action)
	var (
		r    bot.Request
		err  error
		text string
	)
	switch {
	case h.consults == nil:
		name, err = "click", errUnknownButton
	case c.RequestID == "":
		err = bot.ErrStale
	case c.Action == message.ActionConsultDone:
		r, err = h.consults.CloseConsult(ctx, now, sc, c.From, c.RequestID)
		text = catalog.Text(l, "consult.closed")
	default:
		a := consultAnswers[c.Action]
		r, err = h.consults.AnswerConsult(ctx, now, sc, c.From, c.RequestID, a, "")
		text = catalog.Text(l, "consult.answered", "answer", catalog.Text(l, "answer."+string(a)), "requester", requesterLabel(sc, r))
	}
	if err != nil {
		key, msg := explain(sc, name, err)
		h.logOutcome(sc, name, key, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", "ok", "request", r.ID)
	return ClickReply{Update: &message.Message{Text: text, RequestID: c.RequestID}}
}

// isHeldConsultAction reports the buttons under a held consult question.
func isHeldConsultAction(a message.Action) bool {
	return a == message.ActionConsultSend || a == message.ActionConsultDrop
}

// heldConsultClick answers Verstuur toch or Annuleer under a held consult
// question: the reply makes way for what became of it.
func (h *Handler) heldConsultClick(ctx context.Context, now time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	name := "click." + string(c.Action)
	if h.consults == nil || c.RequestID == "" {
		err := bot.ErrStale
		if h.consults == nil {
			name, err = "click", errUnknownButton
		}
		key, msg := explain(sc, name, err)
		h.logOutcome(sc, name, key, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	send := c.Action == message.ActionConsultSend
	r, done, err := h.consults.DecideConsult(ctx, now, sc, c.From, c.RequestID, send)
	var text, key string
	switch {
	case err == nil && send:
		text, key = catalog.ConsultSent(sc, r), "consult.held.sent"
	case err == nil:
		key = "consult.held.dropped"
	case errors.Is(err, bot.ErrNotHeld) && done == "sent":
		key = "consult.held.already_sent"
	case errors.Is(err, bot.ErrNotHeld):
		key = "consult.held.already_dropped"
	case errors.Is(err, bot.ErrNotFound):
		key = "consult.held.expired"
	default:
		key, msg := explain(sc, name, err)
		h.logOutcome(sc, name, key, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	if text == "" {
		text = catalog.Text(l, key)
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", key, "request", c.RequestID)
	return ClickReply{Update: &message.Message{Text: text, RequestID: c.RequestID}}
}

// requesterLabel is who asked a consult, as the notice to the helper named them.
func requesterLabel(sc *bot.School, r bot.Request) string {
	if r.RequesterName != "" {
		return r.RequesterName
	}
	return catalog.Text(catalog.Lang(sc.Language), "consult.requester")
}
