package handlers

import (
	"context"
	"fmt"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Notifier puts the core's notices in words in the school's language and
// hands them to a message.Sender, which delivers them on the recipient's platform.
type Notifier struct {
	dir  *bot.Directory
	send message.Sender
}

var _ bot.Notifier = (*Notifier)(nil)

// NewNotifier returns a Notifier that finds schools in dir and delivers
// through send.
func NewNotifier(dir *bot.Directory, send message.Sender) *Notifier {
	return &Notifier{dir: dir, send: send}
}

// Notify renders n and sends it. The message carries n.Key(), so a message.Sender
// can deliver a retried notice once.
func (nf *Notifier) Notify(ctx context.Context, n bot.Notice) error {
	sc, ok := nf.dir.School(n.SchoolID)
	if !ok {
		return fmt.Errorf("notify %s of request %s: school %q: %w", n.Kind, n.Request.ID, n.SchoolID, bot.ErrUnknownSchool)
	}
	if err := nf.send.Send(ctx, Render(n, sc)); err != nil {
		return fmt.Errorf("notify %s of request %s: %w", n.Kind, n.Request.ID, err)
	}
	return nil
}

// Render puts a notice in words for the school: a pure function of the
// notice and the school, tested with golden files.
func Render(n bot.Notice, sc *bot.School) message.Message {
	l := lang(sc.Language)
	r := n.Request
	group := groupLabel(sc, r.Group)
	at := clock(sc, r.CreatedAt)
	m := message.Message{To: n.To, SchoolID: n.SchoolID, Key: n.Key(), RequestID: r.ID, Kind: n.Kind, OfferNo: r.OfferNo,
		Urgent: n.Kind == bot.NoticeOffer || n.Kind == bot.NoticeEscalated}
	var from, note string
	if r.RequesterName != "" {
		from = Text(l, "notice.from", "requester", r.RequesterName)
	}
	if r.Note != "" {
		note = Text(l, "notice.note", "note", r.Note)
	}
	switch n.Kind {
	case bot.NoticeOffer:
		var deadline string
		if !r.Deadline.IsZero() {
			deadline = Text(l, "notice.offer.deadline", "deadline", clock(sc, r.Deadline))
		}
		m.Text = lines(Text(l, "notice.offer", "group", group, "time", at), from, note, deadline)
		m.Buttons = []message.Button{
			{Label: Text(l, "button.accept"), Action: message.ActionAccept, RequestID: r.ID, OfferNo: r.OfferNo, Primary: true},
			{Label: Text(l, "button.decline"), Action: message.ActionDecline, RequestID: r.ID, OfferNo: r.OfferNo},
		}
	case bot.NoticeAccepted:
		m.Text = Text(l, "notice.accepted", "helper", helperName(sc, n.Helper.Name), "group", group)
	case bot.NoticeMovedOn:
		m.Text = Text(l, "notice.moved_on", "group", group, "helper", helperName(sc, n.Helper.Name), "role", roleLabel(sc, n.Helper.Role))
	case bot.NoticeNobody:
		if sc.FallbackChannel == "" {
			m.Text = Text(l, "notice.nobody.nochannel", "group", group, "when_down", whenDown(sc))
		} else {
			m.Text = Text(l, "notice.nobody", "group", group, "channel", sc.FallbackChannel)
		}
	case bot.NoticeEscalated:
		m.Text = lines(Text(l, "notice.escalated", "group", group, "time", at), from, note)
		m.Buttons = []message.Button{{Label: Text(l, "button.pickup"), Action: message.ActionPickup, RequestID: r.ID, Primary: true}}
	case bot.NoticeFollowUp:
		if r.State == bot.StateOffered {
			m.Text = Text(l, "notice.follow_up.offered", "group", group, "time", at, "helper", helperName(sc, n.Helper.Name))
		} else {
			m.Text = Text(l, "notice.follow_up.escalated", "group", group, "time", at, "channel", sc.FallbackChannel, "when_down", capitalize(whenDown(sc)))
		}
	case bot.NoticeOfferLapsed:
		m.Text = Text(l, "notice.offer_lapsed", "group", group, "time", at)
	case bot.NoticeCancelled:
		if n.To.Channel != "" {
			m.Text = Text(l, "notice.cancelled.channel", "group", group, "time", at)
		} else {
			m.Text = Text(l, "notice.cancelled", "group", group, "time", at)
		}
	case bot.NoticeResolved:
		var done string
		if r.DoneNote != "" {
			done = Text(l, "notice.note", "note", r.DoneNote)
		}
		// "Hielp het?": only how many gave each answer is kept (weekly.go).
		m.Text = lines(Text(l, "notice.resolved", "helper", helperName(sc, n.Helper.Name), "group", group), done, Text(l, "pulse.question"))
		m.Buttons = pulseButtons(l, r.ID)
	default:
		m.Text = Text(l, "notice.other", "group", group)
	}
	return m
}
