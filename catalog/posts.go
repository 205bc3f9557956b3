package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// WeeklyFigures is what the weekly posts are drawn from (bot.Weekly).
type WeeklyFigures interface {
	Agenda(ctx context.Context, s *bot.School, t bot.Tick) (bot.Agenda, error)
	AgendaPosted(ctx context.Context, s *bot.School, a bot.Agenda) error
	Successes(ctx context.Context, s *bot.School, week string) ([]bot.Story, error)
	Report(ctx context.Context, s *bot.School, week string) (bot.WeekReport, error)
}

var _ WeeklyFigures = (*bot.Weekly)(nil)

// Pseudonyms name a person in a message's key without their handle
// (internal/pseudonym.Keyring): the outbox keeps keys in Redis and platforms
// keep them with the message.
type Pseudonyms interface {
	Of(ctx context.Context, s string) (string, error)
}

// WeeklyPosts puts each weekly post together for the scheduler: the
// figures of the week from the core, in words, addressed to whoever gets
// it (bot.School.JobRecipients) and keyed so that a tick run again queues
// nothing twice. The scheduler only queues what it gets.
type WeeklyPosts struct {
	figures   WeeklyFigures
	platforms []bot.Platform
	names     Pseudonyms
	surveys   SurveySource    // nil: no surveys
	presence  Presence        // nil: "Vandaag op school" from the schedules only
	langs     PersonLanguages // nil: every post in the school's language
	log       *slog.Logger
}

// WithLanguages has the posts to a person (surveys, a digest by direct
// message) worded in their known language where the school allows more
// than one; channel posts stay in the school's.
func (p *WeeklyPosts) WithLanguages(l PersonLanguages) *WeeklyPosts {
	p.langs = l
	return p
}

// SurveySource says who still gets a survey that is due, and notes who was
// sent it (bot.SurveyRuns).
type SurveySource interface {
	Recipients(ctx context.Context, s *bot.School, due bot.SurveyDue, on []bot.Platform, names func(context.Context, string) (string, error)) ([]bot.SurveyRecipient, error)
	Sent(ctx context.Context, s *bot.School, due bot.SurveyDue, to []bot.SurveyRecipient) error
}

var _ SurveySource = (*bot.SurveyRuns)(nil)

// WithSurveys lets the surveys job send the surveys of src.
func (p *WeeklyPosts) WithSurveys(src SurveySource) *WeeklyPosts {
	p.surveys = src
	return p
}

// SurveyAnswerTime is how long a survey's buttons work after it was sent.
const SurveyAnswerTime = 30 * 24 * time.Hour

// composeSurveys is every question of every survey due at the tick, one
// direct message each, to whoever was not sent it before; done notes them
// as sent. A tick run again queues nothing twice: the keys name survey,
// period, question and person.
func (p *WeeklyPosts) composeSurveys(ctx context.Context, sc *bot.School, t bot.Tick) ([]message.Message, func(context.Context) error, error) {
	if p.surveys == nil {
		return nil, nil, nil
	}
	type batch struct {
		due bot.SurveyDue
		to  []bot.SurveyRecipient
	}
	var (
		posts   []message.Message
		batches []batch
	)
	for _, due := range bot.SurveysDue(sc, t.At) {
		to, err := p.surveys.Recipients(ctx, sc, due, p.platforms, p.names.Of)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range to {
			rcpt := bot.Recipient{Address: r.Address}
			rs := ReaderSchool(ctx, p.langs, sc, rcpt)
			for _, q := range bot.SurveyQuestions(due.Survey) {
				m := SurveyQuestion(rs, rs.Language, due.Survey, due.Period, q, t.At.Add(SurveyAnswerTime))
				m.To, m.SchoolID = rcpt, sc.ID
				m.Key = "survey/" + sc.ID + "/" + due.Survey + "/" + due.Period + "/" + q + "/" + string(r.Address.Platform) + ":" + r.Pseudonym
				posts = append(posts, m)
			}
		}
		if len(to) > 0 {
			batches = append(batches, batch{due, to})
		}
	}
	if len(posts) == 0 {
		return nil, nil, nil
	}
	done := func(ctx context.Context) error {
		for _, b := range batches {
			if err := p.surveys.Sent(ctx, sc, b.due, b.to); err != nil {
				return err
			}
		}
		return nil
	}
	return posts, done, nil
}

// NewWeeklyPosts returns the posts drawn from figures, for the platforms
// hulpbot posts on; names name their recipients in their keys. log hears
// of a digest that goes out without its chart.
func NewWeeklyPosts(figures WeeklyFigures, platforms []bot.Platform, names Pseudonyms, log *slog.Logger) *WeeklyPosts {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WeeklyPosts{figures: figures, platforms: platforms, names: names, log: log.With("component", "weekly")}
}

// Compose puts tick t's post together, one message per recipient; none
// when there is nothing to post (a week without success stories). done,
// when set, is to run once every message is queued: the reminder then
// takes the items it listed off the kernteam's agenda.
func (p *WeeklyPosts) Compose(ctx context.Context, sc *bot.School, t bot.Tick) (posts []message.Message, done func(context.Context) error, err error) {
	// render words the post for a reader's variant of the school: the
	// figures are read once, the words once per language.
	var render func(rs *bot.School) message.Message
	switch t.Job {
	case bot.JobSurveys:
		return p.composeSurveys(ctx, sc, t)
	case bot.JobReminder:
		a, err := p.figures.Agenda(ctx, sc, t)
		if err != nil {
			return nil, nil, err
		}
		render = func(rs *bot.School) message.Message { return RenderReminder(rs, a) }
		done = func(ctx context.Context) error { return p.figures.AgendaPosted(ctx, sc, a) }
	case bot.JobSuccesses:
		stories, err := p.figures.Successes(ctx, sc, t.Week)
		if err != nil || len(stories) == 0 {
			return nil, nil, err
		}
		render = func(rs *bot.School) message.Message { return RenderSuccesses(rs, stories) }
	case bot.JobNudge:
		render = RenderNudge
	case bot.JobDigest:
		r, err := p.figures.Report(ctx, sc, t.Week)
		if err != nil {
			return nil, nil, err
		}
		render = func(rs *bot.School) message.Message {
			m, err := RenderDigest(rs, r, false)
			if err != nil {
				// The figures go out; only the chart is missing.
				p.log.Error("digest chart", "school", sc.ID, "err", err)
			}
			return m
		}
	case bot.JobToday:
		m, err := p.today(ctx, sc, t)
		if err != nil {
			return nil, nil, err
		}
		// Always a channel post: in the school's language.
		render = func(*bot.School) message.Message { return m }
	default:
		return nil, nil, fmt.Errorf("unknown job %q", t.Job)
	}
	worded := map[*bot.School]message.Message{}
	tick := t.Key(sc.Location)
	for _, to := range sc.JobRecipients(t.Job, p.platforms) {
		who := "#" + to.Channel
		if to.Channel == "" {
			// A person: by pseudonym, no handle in the key.
			if who, err = p.names.Of(ctx, to.Identity()); err != nil {
				return nil, nil, fmt.Errorf("weekly post: pseudonym of a recipient: %w", err)
			}
		}
		rs := ReaderSchool(ctx, p.langs, sc, to)
		c, ok := worded[rs]
		if !ok {
			c = render(rs)
			worded[rs] = c
		}
		c.To, c.SchoolID = to, sc.ID
		c.Key = "weekly/" + sc.ID + "/" + tick + "/" + string(to.Platform) + ":" + who
		posts = append(posts, c)
	}
	return posts, done, nil
}
