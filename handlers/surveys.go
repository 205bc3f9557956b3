package handlers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// SurveyUseCases is what the command layer calls to count a survey answer.
type SurveyUseCases interface {
	Answer(ctx context.Context, s *bot.School, by bot.Actor, survey, period, question string, answer int) error
}

var _ SurveyUseCases = (*bot.SurveyRuns)(nil)

// WithSurveys lets the handler count the answers to the surveys' buttons.
func WithSurveys(s SurveyUseCases) Option {
	return func(h *Handler) { h.surveys = s }
}

// surveyClick answers a tap on 1 … 5 under a survey question: counted
// once, anonymously; the question makes way for a thank-you. A second tap
// is told so and counts nothing.
func (h *Handler) surveyClick(ctx context.Context, _ time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	const name = "click.survey"
	survey, period, question, n, ok := message.ParseSurvey(c.Action, c.RequestID)
	var err error
	switch {
	case h.surveys == nil:
		err = errUnknownButton
	case !ok:
		err = bot.ErrNotFound
	default:
		err = h.surveys.Answer(ctx, sc, c.From, survey, period, question, n)
	}
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		h.logOutcome(sc, name, "already", "", err)
		return ClickReply{Ephemeral: catalog.Text(l, "survey.already")}
	case errors.Is(err, bot.ErrNotFound):
		h.logOutcome(sc, name, "unknown", "", err)
		return ClickReply{Ephemeral: catalog.Text(l, "survey.unknown")}
	case err != nil:
		k, msg := explain(sc, name, err)
		h.logOutcome(sc, name, k, "", err)
		return ClickReply{Ephemeral: msg}
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", "ok")
	return ClickReply{Update: &message.Message{Text: catalog.Text(l, "survey.thanks", "answer", strconv.Itoa(n)), RequestID: c.RequestID}}
}
