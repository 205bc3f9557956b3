package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/internal/chattext"
	"github.com/hulpbot/hulpbot/message"
)

// The weekly rhythm in the command layer: the digest on demand ("/hulp
// overzicht [csv]"), signed success stories ("/hulp succes … #naam"),
// marking a request for the kernteam ("/hulp klaar … #kernteam", or the
// button under the reply) and the "Hielp het?" buttons under the notice
// that a request was closed.

// WeeklyUseCases is the part of the weekly use cases the command layer calls.
type WeeklyUseCases interface {
	Report(ctx context.Context, s *bot.School, week string) (bot.WeekReport, error)
	History(ctx context.Context, s *bot.School, week string, n int) ([]bot.WeekFigures, error)
	ShareSignedStory(ctx context.Context, now time.Time, s *bot.School, by bot.Actor, text string) error
	ShareStory(ctx context.Context, now time.Time, s *bot.School, text string) (string, error)
	SignStory(ctx context.Context, s *bot.School, by bot.Actor, id string) (bot.Story, error)
	Pulse(ctx context.Context, now time.Time, s *bot.School, by bot.Actor, requestID string, a bot.PulseAnswer) error
	MarkForKernteam(ctx context.Context, now time.Time, s *bot.School, by bot.Actor, requestID string) error
	AddTheme(ctx context.Context, now time.Time, s *bot.School, text string) (int, error)
	Themes(ctx context.Context, s *bot.School) ([]bot.AgendaTheme, error)
	CloseTheme(ctx context.Context, s *bot.School, by bot.Actor, no int) (bot.AgendaTheme, error)
}

var _ WeeklyUseCases = (*bot.Weekly)(nil)

// pulseAnswers maps the "Hielp het?" buttons to their answers.
var pulseAnswers = map[message.Action]bot.PulseAnswer{
	message.ActionPulseUp: bot.PulseUp, message.ActionPulseDown: bot.PulseDown, message.ActionPulseSelf: bot.PulseSelf,
}

// Option configures a Handler.
type Option func(*Handler)

// weeklyDeps is what WithWeekly adds.
type weeklyDeps struct {
	w    WeeklyUseCases
	send message.Sender // delivers the chart of an on-demand digest; may be nil
}

// WithWeekly lets the handler give coordinators the digest on demand,
// keep signed stories, mark requests for the kernteam and count the
// answers to "Hielp het?". send, when not nil, delivers the digest's chart
// to the coordinator as a direct message (a reply to a command cannot
// carry a file on every platform); give it the outbox, the one path to a
// platform, as every other message takes.
func WithWeekly(w WeeklyUseCases, send message.Sender) Option {
	return func(h *Handler) { h.weekly = &weeklyDeps{w: w, send: send} }
}

// HistoryWeeks is how many weeks "/hulp overzicht csv" exports: a quarter.
const HistoryWeeks = 13

// chartTimeout bounds the delivery of the chart of an on-demand digest, so
// the reply still comes in time (Slack waits 3 seconds).
const chartTimeout = 1500 * time.Millisecond

// Tags people add at the end of a command.
var (
	// kernteamTags mark a closed request for the kernteam's agenda
	// ("/hulp klaar #kernteam", "/hulp klaar kernteam").
	kernteamTags = []string{"#kernteam", "kernteam"}
	// signTags sign a success story with one's name.
	signTags = []string{"#naam", "#metnaam", "#name", "#signed"}
)

// cutTag takes a trailing tag (any of tags, any case) off text.
func cutTag(text string, tags ...string) (string, bool) {
	f := chattext.Fields(text)
	if len(f) == 0 {
		return text, false
	}
	last := strings.TrimRight(fold(f[len(f)-1]), ".,!;:")
	for _, t := range tags {
		if last == t {
			return strings.Join(f[:len(f)-1], " "), true
		}
	}
	return text, false
}

// done answers "/hulp klaar": the request is closed; with #kernteam it goes
// on the kernteam's agenda, else a button offers to put it there. With
// WithClosing the reply asks what help was given, its buttons first.
func (h *Handler) done(ctx context.Context, now time.Time, c Command, cmd DoneCmd) (Reply, string, error) {
	reply, id, err := h.resolve(ctx, now, c, cmd)
	if err != nil || h.closing == nil || id == "" {
		return reply, id, err
	}
	l := catalog.Lang(c.School.Language)
	reply.Text = catalog.Lines(reply.Text, catalog.Text(l, "closing.support.ask"))
	reply.Buttons = append(catalog.ClosingButtons(c.School, l, bot.StepSupport, id), reply.Buttons...)
	return reply, id, nil
}

// resolve closes the request and, with #kernteam, marks it.
func (h *Handler) resolve(ctx context.Context, now time.Time, c Command, cmd DoneCmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	note, mark := cutTag(cmd.Note, kernteamTags...)
	r, err := h.svc.Resolve(ctx, now, sc, c.From, note)
	if err != nil {
		return Reply{}, r.ID, err
	}
	reply := Reply{Text: catalog.Lines(catalog.Text(l, "done.ok", "group", catalog.GroupLabel(sc, r.Group)), h.noteTips(sc, note, cmd.Shortened))}
	if h.weekly == nil || r.ID == "" {
		return reply, r.ID, nil
	}
	if !mark {
		reply.Buttons = []message.Button{{Label: catalog.Text(l, "button.kernteam"), Action: message.ActionKernteam, RequestID: r.ID}}
		return reply, r.ID, nil
	}
	switch err := h.weekly.w.MarkForKernteam(ctx, now, sc, c.From, r.ID); {
	case err == nil, errors.Is(err, bot.ErrDuplicate):
		reply.Text = catalog.Lines(reply.Text, catalog.Text(l, "agenda.marked"))
	default:
		// The request is closed; only the mark failed. Offer the button.
		h.log.Warn("command", "school", sc.ID, "cmd", "done", "outcome", "agenda.failed", "request", r.ID, "err", err)
		reply.Text = catalog.Lines(reply.Text, catalog.Text(l, "agenda.failed"))
		reply.Buttons = []message.Button{{Label: catalog.Text(l, "button.kernteam"), Action: message.ActionKernteam, RequestID: r.ID}}
	}
	return reply, r.ID, nil
}

// success answers "/hulp succes": kept without the author's name, or with
// it when the story ends in #naam.
func (h *Handler) success(ctx context.Context, now time.Time, c Command, cmd SuccessCmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	story, signed := cutTag(cmd.Story, signTags...)
	if strings.TrimSpace(story) == "" {
		return Reply{}, "", ErrEmptyStory
	}
	if h.words(sc).known.Sensitive(story) {
		// Seems to name a child or hold health data: held, not shared,
		// until its author decides.
		id, err := h.svc.HoldStory(ctx, now, sc, c.From, story, signed && h.weekly != nil)
		if err != nil {
			return Reply{}, "", err
		}
		text, buttons := catalog.HeldStoryReply(sc, id, now.Add(bot.HoldFor))
		return Reply{Text: catalog.Lines(text, h.noteTips(sc, "", cmd.Shortened)), Buttons: buttons}, "", nil
	}
	if signed && h.weekly != nil {
		if err := h.weekly.w.ShareSignedStory(ctx, now, sc, c.From, story); err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.Lines(catalog.Text(l, "story.ok.signed", "name", bot.Signature(sc, c.From)), h.noteTips(sc, story, cmd.Shortened))}, "", nil
	}
	if h.weekly == nil {
		if err := h.svc.ShareStory(ctx, now, sc, story); err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.Lines(catalog.Text(l, "story.ok"), h.noteTips(sc, story, cmd.Shortened))}, "", nil
	}
	// Kept without a name; a button lets the author sign it.
	id, err := h.weekly.w.ShareStory(ctx, now, sc, story)
	if err != nil {
		return Reply{}, "", err
	}
	text := catalog.Lines(catalog.Text(l, "story.ok"), catalog.Text(l, "story.sign_tip"))
	return Reply{Text: catalog.Lines(text, h.noteTips(sc, story, cmd.Shortened)),
		Buttons: []message.Button{{Label: catalog.Text(l, "button.story.sign"), Action: message.ActionStorySign, RequestID: id}}}, "", nil
}

// storyClick answers Deel toch or Annuleer under a held success story.
func (h *Handler) storyClick(ctx context.Context, now time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	name := "click." + string(c.Action)
	if c.RequestID == "" {
		key, msg := explain(sc, name, bot.ErrStale)
		h.logOutcome(sc, name, key, "", bot.ErrStale)
		return ClickReply{Ephemeral: msg}
	}
	shared, err := h.svc.DecideStory(ctx, now, sc, c.From, c.RequestID, c.Action == message.ActionStoryShare)
	var key string
	switch {
	case err == nil && shared:
		key = "story.held.shared"
	case err == nil:
		key = "story.held.dropped"
	case errors.Is(err, bot.ErrNotHeld) && shared:
		key = "story.held.already_shared"
	case errors.Is(err, bot.ErrNotHeld):
		key = "story.held.already_dropped"
	case errors.Is(err, bot.ErrNotFound):
		key = "story.held.expired"
	default:
		k, msg := explain(sc, name, err)
		h.logOutcome(sc, name, k, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", key)
	return ClickReply{Update: &message.Message{Text: catalog.Text(l, key), RequestID: c.RequestID}}
}

// summary answers "/hulp overzicht" for a coordinator: this week so far,
// as the digest reads, with its chart as a direct message; or with "csv"
// the last HistoryWeeks weeks' aggregates.
func (h *Handler) summary(ctx context.Context, now time.Time, c Command, csv bool) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	week := sc.Week(now)
	if h.weekly == nil {
		// Not wired (a test, a tool): say so instead of showing numbers.
		text := catalog.Text(l, "summary.later")
		if csv {
			text = catalog.Lines(text, catalog.Text(l, "summary.csv"))
		}
		return Reply{Text: text}, "", nil
	}
	if csv {
		weeks, err := h.weekly.w.History(ctx, sc, week, HistoryWeeks)
		if err != nil {
			return Reply{}, "", err
		}
		if err := h.recordAudit(ctx, c, bot.AuditEntry{At: now, Action: bot.AuditOverviewCSV, Detail: week}); err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.Lines(catalog.Text(l, "summary.csv.title", "weeks", strconv.Itoa(len(weeks))), "```\n"+catalog.SummaryCSV(sc, l, weeks)+"```")}, "", nil
	}
	r, err := h.weekly.w.Report(ctx, sc, week)
	if err != nil {
		return Reply{}, "", err
	}
	if err := h.recordAudit(ctx, c, bot.AuditEntry{At: now, Action: bot.AuditOverview, Detail: week}); err != nil {
		return Reply{}, "", err
	}
	text, dm, err := catalog.DigestSoFar(sc, r, c.From.Address, now)
	if err != nil {
		// The figures are there; only the chart failed.
		h.log.Error("command", "school", sc.ID, "cmd", "summary", "outcome", "chart.failed", "err", err)
		return Reply{Text: text}, "", nil
	}
	if h.weekly.send != nil && len(dm.Attachments) > 0 {
		sctx, cancel := context.WithTimeout(ctx, chartTimeout)
		err := h.weekly.send.Send(sctx, dm)
		cancel()
		if err == nil {
			text = catalog.Lines(text, catalog.Text(l, "summary.chart_sent"))
		} else {
			h.log.Warn("command", "school", sc.ID, "cmd", "summary", "outcome", "chart.undelivered", "err", err)
		}
	}
	return Reply{Text: text}, "", nil
}

// isWeeklyAction reports the buttons weeklyClick answers.
func isWeeklyAction(a message.Action) bool {
	_, pulse := pulseAnswers[a]
	return pulse || a == message.ActionKernteam || a == message.ActionStorySign
}

// weeklyClick answers a press on a "Hielp het?" button or on "Bespreken in
// kernteam". Done, the buttons make way for a thank-you; pressed twice, the
// second press is told it counted already.
func (h *Handler) weeklyClick(ctx context.Context, now time.Time, c Click) ClickReply {
	sc := c.School
	l := catalog.Lang(sc.Language)
	name := "click." + string(c.Action)
	var (
		text, again string
		err         error
	)
	switch {
	case h.weekly == nil:
		name, err = "click", errUnknownButton
	case c.RequestID == "":
		err = bot.ErrStale
	case c.Action == message.ActionStorySign:
		err = h.storySign(ctx, c)
		text, again = catalog.Text(l, "story.ok.signed", "name", bot.Signature(sc, c.From)), catalog.Text(l, "story.already_signed")
	case c.Action == message.ActionKernteam:
		err = h.weekly.w.MarkForKernteam(ctx, now, sc, c.From, c.RequestID)
		text, again = catalog.Text(l, "agenda.marked"), catalog.Text(l, "agenda.already")
	default:
		a := pulseAnswers[c.Action]
		err = h.weekly.w.Pulse(ctx, now, sc, c.From, c.RequestID, a)
		text, again = catalog.Text(l, "pulse.thanks", "answer", catalog.PulseLabel(l, a)), catalog.Text(l, "pulse.already")
		if errors.Is(err, bot.ErrNotYours) {
			h.logOutcome(sc, name, "pulse.not_yours", c.RequestID, err)
			return ClickReply{Ephemeral: catalog.Text(l, "pulse.not_yours")}
		}
	}
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		h.logOutcome(sc, name, "already", c.RequestID, err)
		return ClickReply{Update: &message.Message{Text: again, RequestID: c.RequestID}}
	case err != nil:
		key, msg := explain(sc, name, err)
		h.logOutcome(sc, name, key, c.RequestID, err)
		return ClickReply{Ephemeral: msg}
	}
	h.log.Info("command", "school", sc.ID, "cmd", name, "outcome", "ok", "request", c.RequestID)
	return ClickReply{Update: &message.Message{Text: text, RequestID: c.RequestID}}
}

// ErrSensitiveTheme: an agenda theme that seems to name a child or hold
// health data is refused, and kept nowhere.
var ErrSensitiveTheme = errors.New("agenda theme seems to name someone")

// agenda answers "/hulp agenda": the agenda as it stands, a theme added,
// or an item taken off.
func (h *Handler) agenda(ctx context.Context, now time.Time, c Command, cmd AgendaCmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	if h.weekly == nil {
		return Reply{Text: catalog.Text(l, "summary.later")}, "", nil
	}
	switch {
	case cmd.Close > 0:
		_, err := h.weekly.w.CloseTheme(ctx, sc, c.From, cmd.Close)
		if errors.Is(err, bot.ErrNotFound) {
			return Reply{Text: catalog.Text(l, "err.agenda.no_theme", "no", strconv.Itoa(cmd.Close))}, "", nil
		}
		if err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.Text(l, "agenda.closed", "no", strconv.Itoa(cmd.Close))}, "", nil
	case cmd.Theme != "":
		if h.words(sc).known.Sensitive(cmd.Theme) {
			return Reply{}, "", ErrSensitiveTheme
		}
		no, err := h.weekly.w.AddTheme(ctx, now, sc, cmd.Theme)
		if err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.Lines(catalog.Text(l, "agenda.added", "no", strconv.Itoa(no)), h.noteTips(sc, "", cmd.Shortened))}, "", nil
	}
	themes, err := h.weekly.w.Themes(ctx, sc)
	if err != nil {
		return Reply{}, "", err
	}
	return Reply{Text: catalog.AgendaText(sc, themes)}, "", nil
}

// storySign signs the story the button was under; signed already (or too
// old to sign) reads as a second press.
func (h *Handler) storySign(ctx context.Context, c Click) error {
	_, err := h.weekly.w.SignStory(ctx, c.School, c.From, c.RequestID)
	if errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("%w: %w", bot.ErrDuplicate, err)
	}
	return err
}
