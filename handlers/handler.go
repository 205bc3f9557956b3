package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// Handler is the platform-neutral command layer: it parses "/hulp …",
// calls the bot core and answers in the school's language. Adapters call
// it; it holds no state of requests, so one Handler serves every school and
// platform and is safe for concurrent use.
type Handler struct {
	svc    Service
	now    func() time.Time
	log    *slog.Logger
	weekly *weeklyDeps // nil without WithWeekly: no digest on demand, no pulse
	year   *yearDeps   // nil without WithYearLinks: no year overview in the browser
	// closing asks what help was given at "/hulp klaar"; nil without
	// WithClosing.
	closing ClosingUseCases
	audit   AuditRecorder // nil without WithAudit: overviews are not recorded
	// consults, nil without WithConsults: no meedenken.
	consults ConsultUseCases
	// surveys counts the answers to the surveys; nil without WithSurveys.
	surveys SurveyUseCases
	// schools caches what each school's commands need again and again:
	// schools are read-only once configured, and building the group index
	// and the known words is a fifth of a command's work.
	schools sync.Map // *bot.School → *schoolWords
}

// schoolWords are a school's group index and the words of its notes that
// are no child's name.
type schoolWords struct {
	groups *GroupIndex
	known  KnownWords
}

// New returns a Handler on svc. now is the clock (time.Now when nil); log
// gets ids and outcomes only, never text, notes or names. Options add
// what is optional (WithWeekly).
func New(svc Service, now func() time.Time, log *slog.Logger, opts ...Option) *Handler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, now: now, log: log.With("component", "handlers")}
	for _, o := range opts {
		o(h)
	}
	return h
}

func (h *Handler) words(sc *bot.School) *schoolWords {
	if w, ok := h.schools.Load(sc); ok {
		return w.(*schoolWords)
	}
	w, _ := h.schools.LoadOrStore(sc, &schoolWords{groups: NewGroupIndex(sc.Groups), known: NewKnownWords(knownWords(sc)...)})
	return w.(*schoolWords)
}

func (h *Handler) groupIndex(sc *bot.School) *GroupIndex { return h.words(sc).groups }

// noteTips are the kind reminders under a reply: the note was cut, or it
// seems to name someone.
func (h *Handler) noteTips(sc *bot.School, note string, shortened bool) string {
	l := catalog.Lang(sc.Language)
	var tips []string
	if shortened {
		tips = append(tips, catalog.Text(l, "note.shortened", "max", strconv.Itoa(bot.MaxNoteLen)))
	}
	if note != "" && h.words(sc).known.LooksLikeName(note) {
		tips = append(tips, catalog.Text(l, "note.names"))
	}
	return strings.Join(tips, "\n")
}

// errUnknownButton: a click with an action hulpbot never put on a button.
var errUnknownButton = errors.New("unknown button action")

// Command answers one "/hulp …". Whatever goes wrong becomes a reply in
// the school's language; bad input reaches no use case.
func (h *Handler) Command(ctx context.Context, c Command) Reply {
	if c.School == nil {
		h.log.Warn("command", "cmd", "none", "outcome", "err.unknown_school")
		return Reply{Text: catalog.Text(catalog.LangNL, "err.unknown_school")}
	}
	sc := c.School
	now := h.now()
	groups := h.groupIndex(sc)
	cmd, err := Parse(c.Text, groups)
	name := "parse"
	var (
		r     Reply
		reqID string
	)
	if err == nil {
		name = cmd.cmdName()
		r, reqID, err = h.run(ctx, now, c, cmd)
	}
	if err != nil {
		if r, ok := h.groupQuestion(sc, c, err); ok {
			h.logOutcome(sc, name, "group.question", reqID, err)
			return r
		}
		key, text := explain(sc, name, err)
		h.logOutcome(sc, name, key, reqID, err)
		return Reply{Text: text}
	}
	// Debug: the core logs each change at info already ("request created").
	h.log.Debug("command", "school", sc.ID, "cmd", name, "outcome", "ok", "request", reqID)
	return r
}

// Idempotent reports whether c may be handled again when a platform
// delivers it twice (the same c.ID), with nothing done twice: a request
// for help (its id comes from c.ID, and the store creates it once and
// answers a repeat with the request as it stands), help, "wie", and text
// that is no command. Every other command changes something each time it
// runs; an adapter that can tell a repeat keeps it from running twice
// itself. Without c.ID nothing is (a request for help would get a new id).
// It reads the command word only: cheap enough for every command.
func (h *Handler) Idempotent(c Command) bool {
	return c.School == nil || (c.ID != "" && repeatSafe(c.Text))
}

// run calls the use case for cmd and words the result.
func (h *Handler) run(ctx context.Context, now time.Time, c Command, cmd Cmd) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	switch cmd := cmd.(type) {
	case RequestHelpCmd:
		// A note that seems to name a child or hold health data is held:
		// nothing goes out until the teacher chooses (or HoldFor passes).
		hold := cmd.Note != "" && h.words(sc).known.Sensitive(cmd.Note)
		in := bot.HelpRequest{From: c.From, Group: cmd.Group, Note: cmd.Note, ID: requestID(sc, c), Hold: hold}
		r, err := h.svc.RequestHelp(ctx, now, sc, in)
		if err != nil {
			return Reply{}, in.ID, err
		}
		if r.State == bot.StateHeld {
			text, buttons := catalog.HeldReply(sc, r)
			return Reply{Text: catalog.Lines(text, h.noteTips(sc, "", cmd.Shortened)), Buttons: buttons}, r.ID, nil
		}
		return Reply{Text: catalog.Lines(catalog.RequestText(sc, r), h.noteTips(sc, cmd.Note, cmd.Shortened))}, r.ID, nil
	case AcceptCmd:
		r, err := h.svc.Accept(ctx, now, sc, c.From, "", 0)
		if err != nil {
			return Reply{}, r.ID, err
		}
		return Reply{Text: catalog.Text(l, "accept.ok", "group", catalog.GroupLabel(sc, r.Group))}, r.ID, nil
	case DeclineCmd:
		r, err := h.svc.Decline(ctx, now, sc, c.From, "", 0)
		if err != nil {
			return Reply{}, r.ID, err
		}
		return Reply{Text: catalog.Text(l, "decline.ok", "group", catalog.GroupLabel(sc, r.Group))}, r.ID, nil
	case DoneCmd:
		// A trailing #kernteam puts the request on the kernteam's agenda.
		return h.done(ctx, now, c, cmd)
	case CancelCmd:
		r, err := h.svc.Cancel(ctx, now, sc, c.From, "")
		if err != nil {
			return Reply{}, r.ID, err
		}
		return Reply{Text: catalog.Text(l, "cancel.ok", "group", catalog.GroupLabel(sc, r.Group))}, r.ID, nil
	case SetStatusCmd:
		a := bot.Availability{Status: cmd.Status}
		if cmd.Until != nil {
			t, err := cmd.Until.Time(now, sc.Location)
			if err != nil {
				return Reply{}, "", err
			}
			a.Until = t
		}
		got, err := h.svc.SetStatus(ctx, now, sc, c.From, a)
		if err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.StatusText(sc, now, got)}, "", nil
	case WhoIsWhoCmd:
		return Reply{Text: catalog.WhoIsWho(sc)}, "", nil
	case WhoCmd:
		views, err := h.svc.WhoCanHelp(ctx, now, sc)
		if err != nil {
			return Reply{}, "", err
		}
		return Reply{Text: catalog.WhoText(sc, now, views)}, "", nil
	case SuccessCmd:
		// A trailing #naam signs the story.
		return h.success(ctx, now, c, cmd)
	case SummaryCmd:
		if cmd.Web {
			// Also for a samenwerkingsverband's coordinators, who need not
			// coordinate the school they ask from.
			return h.yearLink(ctx, now, c)
		}
		if !sc.IsCoordinator(c.From.Address) {
			return Reply{}, "", bot.ErrNotCoordinator
		}
		return h.summary(ctx, now, c, cmd.CSV)
	case AgendaCmd:
		return h.agenda(ctx, now, c, cmd)
	case ConsultCmd:
		return h.consult(ctx, now, c, cmd)
	case MomentCmd:
		return h.moment(ctx, now, c, cmd)
	case HelpCmd:
		return Reply{Text: catalog.Usage(sc)}, "", nil
	}
	return Reply{}, "", &CommandError{}
}

// Click answers a press on "Ik kom eraan" or "Kan nu niet". Done, it
// replaces the message that held the buttons; a click that is stale, not
// the clicker's, or otherwise refused gets a note for the clicker only and
// changes nothing.
func (h *Handler) Click(ctx context.Context, c Click) ClickReply {
	if c.School == nil {
		h.log.Warn("click", "cmd", "none", "outcome", "err.unknown_school")
		return ClickReply{Ephemeral: catalog.Text(catalog.LangNL, "err.unknown_school")}
	}
	sc := c.School
	l := catalog.Lang(sc.Language)
	now := h.now()
	name := "click." + string(c.Action)
	var (
		upd *message.Message
		err error
	)
	switch {
	case isWeeklyAction(c.Action):
		return h.weeklyClick(ctx, now, c)
	case isClosingAction(c.Action):
		return h.closingClick(ctx, now, c)
	case isHeldConsultAction(c.Action):
		return h.heldConsultClick(ctx, now, c)
	case isConsultAction(c.Action):
		return h.consultClick(ctx, now, c)
	case message.IsSurveyAction(c.Action):
		return h.surveyClick(ctx, now, c)
	case c.Action == message.ActionPickup && c.RequestID != "":
		// Anyone in the fallback channel may take an escalated request.
		var r bot.Request
		if r, err = h.svc.Pickup(ctx, now, sc, c.From, c.RequestID); err == nil {
			upd = &message.Message{
				Text:      catalog.Text(l, "click.picked_up", "helper", pickerName(sc, c.From, r), "group", catalog.GroupLabel(sc, r.Group), "time", catalog.Clock(sc, r.AcceptedAt)),
				RequestID: c.RequestID,
			}
		}
	case c.Action == message.ActionStoryShare || c.Action == message.ActionStoryCancel:
		return h.storyClick(ctx, now, c)
	case heldActions[c.Action] != "":
		// Only the requester may; the store checks, with the change.
		how := heldActions[c.Action]
		r, lerr := h.svc.Release(ctx, now, sc, c.From, c.RequestID, how)
		switch {
		case lerr == nil:
			upd = &message.Message{Text: catalog.LetGoText(sc, r, how, false), RequestID: c.RequestID}
		case errors.Is(lerr, bot.ErrNotHeld) && r.ID != "":
			// A second press, or the deadline was first: how it stands.
			h.logOutcome(sc, name, "held.already", c.RequestID, lerr)
			return ClickReply{Update: &message.Message{Text: catalog.LetGoText(sc, r, how, true), RequestID: c.RequestID}}
		default:
			err = lerr
		}
	case c.Action == message.ActionAsk:
		name = "click.ask"
		var r bot.Request
		if r, err = h.ask(ctx, now, c); err == nil {
			upd = &message.Message{Text: catalog.RequestText(sc, r), RequestID: r.ID}
		}
	case c.Action != message.ActionAccept && c.Action != message.ActionDecline:
		name, err = "click", errUnknownButton
	case c.RequestID == "" || c.OfferNo < 1:
		// A button always names its offer; never act on whatever the
		// clicker happens to hold.
		err = bot.ErrStale
	case c.Action == message.ActionAccept:
		var r bot.Request
		if r, err = h.svc.Accept(ctx, now, sc, c.From, c.RequestID, c.OfferNo); err == nil {
			at := r.AcceptedAt
			if at.IsZero() {
				at = now
			}
			upd = &message.Message{
				Text:      catalog.Text(l, "click.accepted", "helper", clicker(sc, c.From, r.HelperID), "group", catalog.GroupLabel(sc, r.Group), "time", catalog.Clock(sc, at)),
				RequestID: c.RequestID,
			}
		}
	default:
		var r bot.Request
		if r, err = h.svc.Decline(ctx, now, sc, c.From, c.RequestID, c.OfferNo); err == nil {
			upd = &message.Message{Text: catalog.Text(l, "click.declined", "group", catalog.GroupLabel(sc, r.Group)), RequestID: c.RequestID}
		}
	}
	if err != nil {
		// A note only the clicker sees: in their language, also under a
		// channel's post.
		own := sc
		if c.Clicker != nil {
			own = c.Clicker
		}
		key, text := explain(own, name, err)
		h.logOutcome(sc, name, key, c.RequestID, err)
		return ClickReply{Ephemeral: text}
	}
	h.log.Debug("command", "school", sc.ID, "cmd", name, "outcome", "ok", "request", c.RequestID, "offer", c.OfferNo)
	return ClickReply{Update: upd}
}

// heldActions are the buttons under a held request, and how each lets it go.
var heldActions = map[message.Action]bot.ReleaseHow{
	message.ActionHeldWithoutNote: bot.ReleaseWithoutNote,
	message.ActionHeldAnyway:      bot.ReleaseAnyway,
	message.ActionHeldCancel:      bot.ReleaseCancel,
}

// groupQuestion turns a group that was not the school's, but nearly or
// several times fitted, into a question with a button per group it may be
// ("Bedoel je groep 1-2?" [Ja, groep 1-2]); a press asks for help as if the
// teacher had typed it (ask). Other errors are no question.
func (h *Handler) groupQuestion(sc *bot.School, c Command, err error) (Reply, bool) {
	var ge *GroupError
	if !errors.As(err, &ge) {
		return Reply{}, false
	}
	ids, ambiguous := ge.Suggest, false
	if len(ge.Ambiguous) > 1 {
		ids, ambiguous = ge.Ambiguous, true
	}
	if len(ids) == 0 {
		return Reply{}, false
	}
	// The request the buttons make has its id now: from the platform's
	// delivery id when there is one, so every button of the question, and
	// every press of one, asks once.
	reqID := requestID(sc, c)
	if reqID == "" {
		reqID = bot.NewRequestID()
	}
	text, labels := catalog.GroupQuestion(sc, ids, ambiguous, ge.HasNote)
	r := Reply{Text: text}
	for i, id := range ids {
		n := slices.IndexFunc(sc.Groups, func(g bot.Group) bool { return g.ID == id })
		if n < 0 {
			continue
		}
		r.Buttons = append(r.Buttons, message.Button{Label: labels[i], Action: message.ActionAsk, RequestID: reqID, OfferNo: n + 1, Primary: len(ids) == 1})
	}
	return r, true
}

// ask answers a press on a group in the question groupQuestion asked: the
// request for help, with the id the question gave it. A request that
// already has that id and is someone else's is not the clicker's to see.
func (h *Handler) ask(ctx context.Context, now time.Time, c Click) (bot.Request, error) {
	sc := c.School
	if c.RequestID == "" || c.OfferNo < 1 || c.OfferNo > len(sc.Groups) {
		return bot.Request{}, bot.ErrStale
	}
	r, err := h.svc.RequestHelp(ctx, now, sc, bot.HelpRequest{From: c.From, Group: sc.Groups[c.OfferNo-1].ID, ID: c.RequestID})
	if err != nil {
		return bot.Request{}, err
	}
	if r.Requester != (bot.Address{}) && r.Requester != c.From.Address {
		return bot.Request{}, bot.ErrNotYours
	}
	return r, nil
}

// clicker is the name of the helper who accepted: as configured, else as
// the platform gives it.
func clicker(sc *bot.School, from bot.Actor, helperID string) string {
	if hp, ok := sc.HelperByID(helperID); ok {
		return hp.Name
	}
	if hp, ok := sc.Helper(from.Address); ok {
		return hp.Name
	}
	return catalog.HelperName(sc, from.Name)
}

// pickerName is who took an escalated request: as the store recorded it.
func pickerName(sc *bot.School, from bot.Actor, r bot.Request) string {
	if r.PickedByName != "" {
		return r.PickedByName
	}
	return clicker(sc, from, r.HelperID)
}

func (h *Handler) logOutcome(sc *bot.School, cmd, key, reqID string, err error) {
	switch key {
	case "err.internal", "err.unavailable", "err.unavailable.request":
		// Only here the error itself is logged: it comes from the store or
		// the core, never from what someone typed.
		h.log.Error("command", "school", sc.ID, "cmd", cmd, "outcome", key, "request", reqID, "err", err)
	default:
		h.log.Info("command", "school", sc.ID, "cmd", cmd, "outcome", key, "request", reqID)
	}
}

// explain maps every error to a catalogue key and the text for the school:
// the one place where errors become words. cmd is the command's name, for
// the few errors that read differently per command.
func explain(sc *bot.School, cmd string, err error) (key, text string) {
	l := catalog.Lang(sc.Language)
	say := func(k string, vars ...string) (string, string) { return k, catalog.Text(l, k, vars...) }
	var ge *GroupError
	var ce *CommandError
	switch {
	case errors.As(err, &ge) && len(ge.Ambiguous) > 1:
		labels := make([]string, len(ge.Ambiguous))
		for i, id := range ge.Ambiguous {
			labels[i] = catalog.GroupLabel(sc, id)
		}
		return say("err.ambiguous_group", "choices", catalog.OrList(sc, labels))
	case errors.Is(err, bot.ErrUnknownGroup):
		return say("err.unknown_group", "groups", catalog.GroupList(sc, sc.Groups), "example", catalog.ExampleGroup(sc))
	case errors.Is(err, ErrUnknownCommand):
		// One line and an example: the whole usage is one command away.
		if errors.As(err, &ce) && ce.Suggest != "" {
			return "err.unknown_command", catalog.Text(l, "err.suggest", "word", ce.Suggest)
		}
		return say("err.unknown_command", "example", catalog.ExampleGroup(sc))
	case errors.Is(err, ErrTooLong):
		return say("err.too_long", "max", strconv.Itoa(MaxInput))
	case errors.Is(err, ErrInvalidText):
		return say("err.invalid_text")
	case errors.Is(err, ErrBadTime):
		return say("err.bad_time")
	case errors.Is(err, ErrTimePassed):
		return say("err.time_passed")
	case errors.Is(err, ErrEmptyStory):
		return say("err.empty_story")
	case errors.Is(err, errUnknownButton):
		return say("err.unknown_button")
	case errors.Is(err, bot.ErrUnknownSchool):
		return say("err.unknown_school")
	case errors.Is(err, ErrEmptyQuestion), errors.Is(err, bot.ErrEmpty) && cmd == "consult":
		return say("err.consult.empty")
	case errors.Is(err, ErrEmptyMoment):
		return say("err.consult.moment")
	case errors.Is(err, bot.ErrNoConsultHelper):
		return say("err.consult.nobody", "school", sc.Name, "coordinator", catalog.CoordinatorTitle(sc))
	case errors.Is(err, bot.ErrNoActiveRequest) && cmd == "moment":
		return say("err.consult.none_open")
	case errors.Is(err, bot.ErrNotYours) && strings.HasPrefix(cmd, "click.consult-"):
		return say("err.consult.not_yours")
	case errors.Is(err, bot.ErrClosed) && (cmd == "moment" || strings.HasPrefix(cmd, "click.consult-")):
		return say("err.consult.closed")
	case errors.Is(err, ErrSensitiveTheme):
		return say("err.agenda.names")
	case errors.Is(err, bot.ErrNotKernteam):
		return say("err.not_kernteam", "school", sc.Name, "coordinator", catalog.CoordinatorTitle(sc))
	case errors.Is(err, bot.ErrNotHelper) && errors.Is(err, bot.ErrNoActiveRequest):
		// Someone who is no helper, with nothing picked up to close.
		return say("err.no_active.done.picker")
	case errors.Is(err, bot.ErrNotHelper):
		return say("err.not_helper", "school", sc.Name)
	case errors.Is(err, bot.ErrNotCoordinator):
		return say("err.not_coordinator", "school", sc.Name, "coordinator", catalog.CoordinatorTitle(sc))
	case errors.Is(err, bot.ErrNoOffer):
		return say("err.no_offer")
	case errors.Is(err, bot.ErrAlreadyAccepted):
		return say("err.already_accepted")
	case errors.Is(err, bot.ErrNotHeld):
		return say("held.already.sent")
	case errors.Is(err, bot.ErrBusy):
		return say("err.busy")
	case errors.Is(err, bot.ErrNotYours) && cmd == "cancel":
		return say("err.not_yours.cancel")
	case errors.Is(err, bot.ErrNotYours) && (strings.HasPrefix(cmd, "click.held-") || strings.HasPrefix(cmd, "click.story-")):
		return say("err.not_yours.held")
	case errors.Is(err, bot.ErrNotYours):
		return say("err.not_yours")
	case errors.Is(err, bot.ErrStale):
		return say("err.stale")
	case errors.Is(err, bot.ErrClosed):
		return say("err.closed")
	case errors.Is(err, bot.ErrNoActiveRequest) && cmd == "cancel":
		return say("err.no_active.cancel")
	case errors.Is(err, bot.ErrNoActiveRequest):
		return say("err.no_active.done")
	case errors.Is(err, bot.ErrNotFound):
		return say("err.not_found")
	case errors.Is(err, bot.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		if cmd == "request" || cmd == "click.ask" {
			return say("err.unavailable.request", "when_down", catalog.WhenDown(sc))
		}
		return say("err.unavailable", "when_down", catalog.WhenDown(sc))
	}
	if cmd == "request" || cmd == "click.ask" {
		// Whether it went through is unknown: send the teacher on foot.
		return "err.internal", catalog.Text(l, "err.unavailable.request", "when_down", catalog.WhenDown(sc))
	}
	return say("err.internal")
}

// knownWords are the capitalised words of a school that are no child's
// name: its groups, its name, its helpers and coordinators.
func knownWords(sc *bot.School) []string {
	out := []string{sc.Name}
	for _, g := range sc.Groups {
		out = append(out, g.ID)
		out = append(out, g.Aliases...)
	}
	for _, hp := range sc.Helpers {
		out = append(out, hp.Name)
	}
	for _, c := range sc.Coordinators {
		out = append(out, c.Name)
	}
	return out
}

// requestID turns a platform's delivery id into a request id of the
// core's own form (12 characters of [a-z2-7]), so a retried delivery of
// the same command is the same request, and the id stays short enough for
// button payloads whatever the platform sends.
func requestID(sc *bot.School, c Command) string {
	if c.ID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(sc.ID + "\x00" + string(c.From.Platform) + "\x00" + c.ID))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:12]
}
