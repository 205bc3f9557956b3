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
}

var _ ConsultUseCases = (*bot.Service)(nil)

// WithConsults lets the handler take consults (meedenken).
func WithConsults(c ConsultUseCases) Option {
	return func(h *Handler) { h.consults = c }
}

// ErrSensitiveQuestion: a consult's question that seems to name a child or
// hold health data is refused, and kept nowhere.
var ErrSensitiveQuestion = errors.New("consult question seems to name someone")

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
	if h.words(sc).known.Sensitive(cmd.Question) {
		return Reply{}, "", ErrSensitiveQuestion
	}
	in := bot.HelpRequest{From: c.From, Group: cmd.Group, Note: cmd.Question, ID: requestID(sc, c)}
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

// requesterLabel is who asked a consult, as the notice to the helper named them.
func requesterLabel(sc *bot.School, r bot.Request) string {
	if r.RequesterName != "" {
		return r.RequesterName
	}
	return catalog.Text(catalog.Lang(sc.Language), "consult.requester")
}
