package catalog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Noticer is the part of the core that puts a queued notice together from
// the request as it stands (bot.Service).
type Noticer interface {
	Notice(ctx context.Context, sc *bot.School, ref bot.NoticeRef) (bot.Notice, bool, error)
}

var _ Noticer = (*bot.Service)(nil)

// NoticeRenderer puts the notices the store queued with each change in
// words, at delivery: the one place that decides the text of every notice
// a person receives (Render), fed from the request as it stands then.
type NoticeRenderer struct {
	dir   *bot.Directory
	svc   Noticer
	langs PersonLanguages
}

// UseLanguages has notices to a person at a school that allows more than
// one language rendered in that person's known language; channel posts
// stay in the school's.
func (nr *NoticeRenderer) UseLanguages(l PersonLanguages) { nr.langs = l }

// NewNoticeRenderer returns a renderer that finds schools in dir.
func NewNoticeRenderer(dir *bot.Directory, svc Noticer) *NoticeRenderer {
	return &NoticeRenderer{dir: dir, svc: svc}
}

// ErrBadNotice wraps a queued notice that can never be delivered: it does
// not parse, or its school is gone from the configuration.
var ErrBadNotice = errors.New("bad notice")

// RenderNotice puts the queued notice (bot.NoticeRef as the store encodes
// it) in words. It reports false when there is nothing to tell any more.
func (nr *NoticeRenderer) RenderNotice(ctx context.Context, school, notice string) (message.Message, bool, error) {
	ref, err := bot.ParseNoticeRef(notice)
	if err != nil {
		return message.Message{}, false, fmt.Errorf("%w: %w: %w", ErrBadNotice, message.ErrPermanent, err)
	}
	sc, ok := nr.dir.School(school)
	if !ok {
		return message.Message{}, false, fmt.Errorf("%w: %w: school %q: %w", ErrBadNotice, message.ErrPermanent, school, bot.ErrUnknownSchool)
	}
	n, ok, err := nr.svc.Notice(ctx, sc, ref)
	if err != nil || !ok {
		return message.Message{}, false, err
	}
	return Render(n, ReaderSchool(ctx, nr.langs, sc, n.To)), true, nil
}

// Render puts a notice in words for the school: a pure function of the
// notice and the school, tested with golden files.
func Render(n bot.Notice, sc *bot.School) message.Message {
	l := Lang(sc.Language)
	r := n.Request
	group := GroupLabel(sc, r.Group)
	// The requester knows a request by when they asked; helpers and the
	// channel by when it reached them: for a held request, its release.
	at, sent := Clock(sc, r.CreatedAt), Clock(sc, r.SentAt())
	m := message.Message{To: n.To, SchoolID: n.SchoolID, Key: n.Key(), RequestID: r.ID, Kind: n.Kind, OfferNo: r.OfferNo,
		Urgent: n.Kind.Urgent()}
	var from, note string
	if r.RequesterName != "" {
		from = Text(l, "notice.from", "requester", r.RequesterName)
	}
	if r.Note != "" {
		note = Text(l, "notice.note", "note", r.Note)
	}
	if n.To.Channel != "" {
		// A channel post never shows a note, whatever it tells: a note
		// may name a child, and a channel is read by many. Whoever picks
		// the request up gets it in a direct message (NoticePickedNote).
		note, r.Note, r.DoneNote = "", "", ""
	}
	switch n.Kind {
	case bot.NoticeOffer:
		var deadline string
		if !r.Deadline.IsZero() {
			// How long, not until when: a clock time must be read against
			// the clock, and a delivery that waited would show less time.
			switch mins := int((sc.OfferTimeout + 30*time.Second) / time.Minute); {
			case mins <= 1:
				deadline = Text(l, "notice.offer.deadline.one")
			default:
				deadline = Text(l, "notice.offer.deadline", "minutes", strconv.Itoa(mins))
			}
		}
		// A helper who serves several schools learns which one asks.
		offer := Text(l, "notice.offer", "group", group, "time", sent)
		if h, ok := sc.HelperByID(n.Helper.ID); ok && len(h.AlsoAt) > 0 {
			offer = Text(l, "notice.offer.school", "school", sc.Name, "group", group, "time", sent)
		}
		m.Text = Lines(offer, from, note, deadline)
		// The buttons mean nothing once the offer's time is up.
		m.Buttons = []message.Button{
			{Label: Text(l, "button.accept"), Action: message.ActionAccept, RequestID: r.ID, OfferNo: r.OfferNo, Primary: true, Until: r.Deadline},
			{Label: Text(l, "button.decline"), Action: message.ActionDecline, RequestID: r.ID, OfferNo: r.OfferNo, Until: r.Deadline},
		}
	case bot.NoticeConsult, bot.NoticeConsultReminder:
		key := "notice.consult"
		if n.Kind == bot.NoticeConsultReminder {
			key = "notice.consult.reminder"
		}
		var question string
		if r.Note != "" {
			question = Text(l, "notice.consult.question", "question", r.Note)
		}
		m.Text = Lines(Text(l, key, "group", group, "day", dayLabel(sc, r.CreatedAt)), from, question, Text(l, "notice.consult.moment"))
		m.Buttons = ConsultButtons(sc, r.ID)
	case bot.NoticeConsultAnswered:
		m.Text = ConsultAnswerText(sc, n.Helper.Name, r)
		m.Buttons = []message.Button{{Label: Text(l, "button.consult.done"), Action: message.ActionConsultDone, RequestID: r.ID}}
	case bot.NoticeConsultAgenda:
		m.Text = Text(l, "notice.consult.agenda", "group", group, "day", dayLabel(sc, r.CreatedAt))
	case bot.NoticeAccepted:
		m.Text = Text(l, "notice.accepted", "helper", HelperName(sc, n.Helper.Name), "group", group)
	case bot.NoticeMovedOn:
		m.Text = Text(l, "notice.moved_on", "group", group, "helper", HelperName(sc, n.Helper.Name), "role", roleLabel(sc, n.Helper.Role))
	case bot.NoticeNobody:
		if sc.FallbackChannel == "" {
			m.Text = Text(l, "notice.nobody.nochannel", "group", group, "when_down", WhenDown(sc))
		} else {
			m.Text = Text(l, "notice.nobody", "group", group, "channel", sc.FallbackChannel, "when_down", capitalize(WhenDown(sc)))
		}
	case bot.NoticeEscalated:
		var byDM string
		if n.Request.Note != "" {
			byDM = Text(l, "notice.escalated.note_by_dm")
		}
		// Read by people who may serve other schools too: named.
		post := Text(l, "notice.escalated", "group", group, "time", sent)
		if sc.SharesHelpers() {
			post = Text(l, "notice.escalated.school", "school", sc.Name, "group", group, "time", sent)
		}
		m.Text = Lines(post, from, note, byDM)
		// Anyone in the channel may pick it up for as long as the request is kept.
		m.Buttons = []message.Button{{Label: Text(l, "button.pickup"), Action: message.ActionPickup, RequestID: r.ID, Primary: true,
			Until: r.CreatedAt.Add(sc.Retention)}}
	case bot.NoticeFollowUp:
		// Told only what is true: the fallback channel has the request when
		// its post was queued with the escalation (the same script).
		switch {
		case r.State == bot.StateOffered:
			m.Text = Text(l, "notice.follow_up.offered", "group", group, "time", at, "helper", HelperName(sc, n.Helper.Name))
		case sc.FallbackChannel == "":
			m.Text = Text(l, "notice.follow_up.escalated.nochannel", "group", group, "time", at, "when_down", capitalize(WhenDown(sc)))
		default:
			m.Text = Text(l, "notice.follow_up.escalated", "group", group, "time", at, "channel", sc.FallbackChannel, "when_down", capitalize(WhenDown(sc)))
		}
	case bot.NoticeOfferLapsed:
		// Replaces the text of the offer message where the platform can.
		switch {
		case n.Helper.ID != "":
			m.Text = Text(l, "notice.offer_lapsed.to", "group", group, "time", sent, "helper", HelperName(sc, n.Helper.Name))
		case sc.FallbackChannel != "":
			m.Text = Text(l, "notice.offer_lapsed.channel", "group", group, "time", sent, "channel", sc.FallbackChannel)
		default:
			m.Text = Text(l, "notice.offer_lapsed", "group", group, "time", sent)
		}
	case bot.NoticePassedOnLate:
		switch {
		case r.State == bot.StateEscalated && sc.FallbackChannel == "":
			m.Text = Text(l, "notice.passed_on_late.nochannel", "group", group, "time", at, "when_down", WhenDown(sc))
		case r.State == bot.StateEscalated:
			m.Text = Text(l, "notice.passed_on_late.nobody", "group", group, "time", at, "channel", sc.FallbackChannel)
		default:
			m.Text = Text(l, "notice.passed_on_late", "group", group, "time", at, "helper", HelperName(sc, n.Helper.Name), "role", roleLabel(sc, n.Helper.Role))
		}
	case bot.NoticeCancelled:
		if n.To.Channel != "" {
			// Replaces the fallback channel's post where the platform can:
			// its button goes.
			m.Text = Text(l, "notice.cancelled.channel", "group", group, "time", sent)
		} else {
			m.Text = Text(l, "notice.cancelled", "group", group, "time", sent)
		}
	case bot.NoticeUnpicked:
		if n.To.Channel != "" {
			// Replaces the fallback channel's post where the platform can:
			// its button goes.
			m.Text = Text(l, "notice.unpicked.channel", "group", group, "time", sent)
		} else {
			m.Text = Text(l, "notice.unpicked", "group", group, "time", at, "when_down", capitalize(WhenDown(sc)))
		}
	case bot.NoticeResolved:
		var done string
		if r.DoneNote != "" {
			done = Text(l, "notice.note", "note", r.DoneNote)
		}
		// "Hielp het?": the command layer counts the answers, nothing more.
		m.Text = Lines(Text(l, "notice.resolved", "helper", HelperName(sc, n.Helper.Name), "group", group), done, Text(l, "pulse.question"))
		m.Buttons = pulseButtons(l, r.ID)
	case bot.NoticeHeldSent:
		switch {
		case r.State == bot.StateEscalated && sc.FallbackChannel == "":
			m.Text = Text(l, "notice.held_sent.nochannel", "group", group, "time", at, "when_down", WhenDown(sc))
		case r.State == bot.StateEscalated:
			m.Text = Text(l, "notice.held_sent.nobody", "group", group, "time", at, "channel", sc.FallbackChannel)
		default:
			m.Text = Text(l, "notice.held_sent", "group", group, "time", at, "helper", HelperName(sc, n.Helper.Name), "role", roleLabel(sc, n.Helper.Role))
		}
	case bot.NoticePickedNote:
		m.Text = Lines(Text(l, "notice.picked_note", "group", group, "time", sent), from, note)
	default:
		m.Text = Text(l, "notice.other", "group", group)
	}
	return m
}

// ConsultButtons are the helper's answers under a consult: Vandaag, Deze
// week, Bel me even.
func ConsultButtons(sc *bot.School, requestID string) []message.Button {
	l := Lang(sc.Language)
	return []message.Button{
		{Label: Text(l, "button.consult.today"), Action: message.ActionConsultToday, RequestID: requestID, Primary: true},
		{Label: Text(l, "button.consult.week"), Action: message.ActionConsultWeek, RequestID: requestID},
		{Label: Text(l, "button.consult.call"), Action: message.ActionConsultCall, RequestID: requestID},
	}
}

// ConsultAnswerText tells the teacher when helper thinks along about the
// consult r.
func ConsultAnswerText(sc *bot.School, helper string, r bot.Request) string {
	l := Lang(sc.Language)
	group := GroupLabel(sc, r.Group)
	name := HelperName(sc, helper)
	switch r.Answer {
	case bot.AnswerMoment:
		return Text(l, "notice.consult.answered.moment", "helper", name, "group", group, "moment", r.Moment)
	case bot.AnswerToday, bot.AnswerThisWeek, bot.AnswerCall:
		return Text(l, "notice.consult.answered."+string(r.Answer), "helper", name, "group", group)
	}
	return Text(l, "notice.other", "group", group)
}
