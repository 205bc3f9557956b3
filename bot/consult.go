package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Meedenken: a calm question to think along ("bij zorgen of twijfels eerder
// de CJG coach betrekken om mee te denken"). Unlike a request for help it
// has no offer clock and no fallback channel: it goes to one helper of the
// role the school names for consults, who answers when they can — today,
// this week, "bel me even", or a moment they propose — and the teacher
// hears the answer. Unanswered by the end of the next school day the helper
// is reminded; unanswered by the end of the school day after that, it goes
// on the kernteam's agenda. Consults are counted apart from requests for
// help in every figure.
//
// A consult is a Request of KindConsult, in its own states:
//
//	asked ──answer──▶ answered ──close──▶ resolved
//	  └─ close (the teacher no longer needs it) ──▶ resolved

// Kind says what sort of request a Request is.
type Kind string

// KindConsult is a meedenken question; "" is a request for help.
const KindConsult Kind = "consult"

// The states of a consult.
const (
	StateAsked    State = "asked"    // waiting for the helper's answer
	StateAnswered State = "answered" // the helper said when
)

// ConsultAnswer is how a helper answers a consult.
type ConsultAnswer string

// The answers to a consult.
const (
	AnswerToday    ConsultAnswer = "vandaag"   // "Vandaag"
	AnswerThisWeek ConsultAnswer = "deze-week" // "Deze week"
	AnswerCall     ConsultAnswer = "bel-me"    // "Bel me even"
	AnswerMoment   ConsultAnswer = "moment"    // a moment the helper proposes, in their words
)

// Valid reports whether a is one of the answers.
func (a ConsultAnswer) Valid() bool {
	return a == AnswerToday || a == AnswerThisWeek || a == AnswerCall || a == AnswerMoment
}

// Notices of a consult.
const (
	// NoticeConsult asks the helper to think along (buttons: the answers).
	NoticeConsult NoticeKind = "consult"
	// NoticeConsultAnswered tells the teacher when the helper thinks along.
	NoticeConsultAnswered NoticeKind = "consult_answered"
	// NoticeConsultReminder reminds the helper of a consult not answered by
	// the end of the next school day.
	NoticeConsultReminder NoticeKind = "consult_reminder"
	// NoticeConsultAgenda tells the teacher their unanswered consult is on
	// the kernteam's agenda now.
	NoticeConsultAgenda NoticeKind = "consult_agenda"
)

// Stages of a consult's deadline, carried as its notices' offer number so
// each is told once.
const (
	ConsultStageAsked    = 1 // due: remind the helper
	ConsultStageReminded = 2 // due: onto the kernteam's agenda
	ConsultStageAgenda   = 3
)

// Counters of consults, apart from those of requests for help (CountConsults
// counts the consults asked).
const (
	CountConsultsAnswered = "consults_answered"  // answered by the helper
	CountConsultsReminded = "consults_reminded"  // the helper was reminded
	CountConsultsToAgenda = "consults_to_agenda" // unanswered, put on the kernteam's agenda
)

// DefaultConsultRoles is who a consult goes to when the school names no
// roles: the CJG coach first, then the youth care worker.
var DefaultConsultRoles = []Role{RoleCJGCoach, RoleJeugdhulpverlener}

// ConsultHelper is the helper a consult about group goes to: of the first
// role in the school's consult order that has helpers, the first who knows
// the group, else the first of that role. No schedule or status: a consult
// waits for the helper's answer.
func (s *School) ConsultHelper(group string) (*Helper, bool) {
	roles := s.ConsultRoles
	if len(roles) == 0 {
		roles = DefaultConsultRoles
	}
	for _, role := range roles {
		var first *Helper
		for i := range s.Helpers {
			h := &s.Helpers[i]
			if h.Role != role {
				continue
			}
			if slices.Contains(h.Groups, group) {
				return h, true
			}
			if first == nil {
				first = h
			}
		}
		if first != nil {
			return first, true
		}
	}
	return nil, false
}

// EndOfSchoolDay is the end of the school's last day part on day's date.
func (s *School) EndOfSchoolDay(day time.Time) time.Time {
	parts := s.DayParts
	if len(parts) == 0 {
		parts = DefaultDayParts()
	}
	end := 0
	for _, p := range parts {
		end = max(end, p.End)
	}
	l := day.In(s.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, end, 0, 0, s.Location)
}

// NextSchoolDayEnd is the end of the first school day after now's date:
// a weekday on which the school is not closed. A consult asked at now is
// due then.
func NextSchoolDayEnd(s *School, now time.Time, holidays []Holiday) time.Time {
	l := now.In(s.Location)
	for d := 1; d <= 7*maxLookBack; d++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+d, 12, 0, 0, 0, s.Location)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if _, closed := ClosedOn(day, holidays); closed {
			continue
		}
		return s.EndOfSchoolDay(day)
	}
	return s.EndOfSchoolDay(time.Date(l.Year(), l.Month(), l.Day()+1, 12, 0, 0, 0, s.Location))
}

// ConsultRef is a consult whose deadline has come.
type ConsultRef struct {
	RequestID string
	Due       time.Time
}

// Consult asks the school's consult helper to think along about a group.
// With in.ID set, a repeated delivery of the same command is the same
// consult.
func (s *Service) Consult(ctx context.Context, now time.Time, sc *School, in HelpRequest) (Request, error) {
	return s.consult(ctx, now, sc, in, false)
}

// checkConsult checks a consult can be asked: a group of the school, a
// question, a helper to ask.
func checkConsult(sc *School, in HelpRequest) (*Helper, error) {
	if _, ok := sc.Group(in.Group); !ok {
		return nil, ErrUnknownGroup
	}
	if strings.TrimSpace(in.Note) == "" {
		return nil, ErrEmpty
	}
	h, ok := sc.ConsultHelper(in.Group)
	if !ok {
		return nil, ErrNoConsultHelper
	}
	return h, nil
}

// consult asks the consult in; held: its question was held, and its
// author chose to send it after all.
func (s *Service) consult(ctx context.Context, now time.Time, sc *School, in HelpRequest, held bool) (Request, error) {
	h, err := checkConsult(sc, in)
	if err != nil {
		return Request{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	id := in.ID
	if id == "" {
		id = s.newID()
	}
	r := Request{
		ID: id, SchoolID: sc.ID, Kind: KindConsult, Group: in.Group, Note: capRunes(in.Note, MaxNoteLen),
		Week: sc.Week(now), Month: sc.Month(now),
		Requester: in.From.Address, RequesterName: in.From.Name, CreatedAt: now,
	}
	due := NextSchoolDayEnd(sc, now, s.cal.Holidays(sc))
	create := s.store.CreateConsult
	if held {
		create = s.store.SendHeldConsult
	}
	out, err := create(ctx, now, r, h.ID, due, sc.Retention)
	if errors.Is(err, ErrDuplicate) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("consult: %w", err)
	}
	s.log.Info("consult asked", "school", sc.ID, "request", out.ID, "helper", Mask(h.ID))
	s.tell(ctx, sc, NoticeConsult, helperRecipient(sc, h.ID, out.Requester.Platform), out, h.ID, "")
	return out, nil
}

// HeldConsult is a consult's question held because it seems to name a
// child or hold health data, until its author chooses.
type HeldConsult struct {
	ID, Group, Question string
	Author              string // Address.Identity of who asked
	Done                string // "sent" or "cancelled" once chosen; the question is gone then
}

// HoldConsult holds a consult whose question seems to name a child or hold
// health data instead of sending it: its author chooses within HoldFor
// (DecideConsult); without a choice it is never sent — nothing about a
// consult is urgent. It checks first what Consult would, so a consult that
// cannot be asked is not held. It returns the hold's id: the consult's, if
// it is sent.
func (s *Service) HoldConsult(ctx context.Context, now time.Time, sc *School, in HelpRequest) (string, error) {
	if _, err := checkConsult(sc, in); err != nil {
		return "", err
	}
	id := in.ID
	if id == "" {
		id = s.newID()
	}
	if err := s.store.HoldConsult(ctx, now, sc.ID, id, sc.Week(now), sc.Month(now), in.From.Address, in.Group,
		capRunes(strings.TrimSpace(in.Note), MaxNoteLen), HoldFor); err != nil {
		return "", fmt.Errorf("hold consult: %w", err)
	}
	s.log.Info("consult held", "school", sc.ID, "request", id)
	return id, nil
}

// DecideConsult is the author of a held consult pressing Verstuur toch
// (send: the consult is asked as Consult would) or Annuleer. Decided
// before: ErrNotHeld, with done "sent" or "cancelled"; its hold passed:
// ErrNotFound (not sent); someone else's: ErrNotYours.
func (s *Service) DecideConsult(ctx context.Context, now time.Time, sc *School, by Actor, id string, send bool) (r Request, done string, err error) {
	if !send {
		done, err = s.store.DropHeldConsult(ctx, now, sc.ID, id, by.Address)
		if err != nil {
			return Request{}, done, fmt.Errorf("decide consult: %w", err)
		}
		s.log.Info("held consult decided", "school", sc.ID, "request", id, "sent", false)
		return Request{}, done, nil
	}
	h, err := s.store.HeldConsult(ctx, sc.ID, id)
	switch {
	case err != nil:
		return Request{}, "", fmt.Errorf("decide consult: %w", err)
	case h.Author != by.Identity():
		return Request{}, "", fmt.Errorf("decide consult: %w", ErrNotYours)
	case h.Done != "":
		return Request{}, h.Done, fmt.Errorf("decide consult: %w", ErrNotHeld)
	}
	r, err = s.consult(ctx, now, sc, HelpRequest{From: by, Group: h.Group, Note: h.Question, ID: id}, true)
	if errors.Is(err, ErrNotHeld) {
		// Dropped between the look and the send.
		return r, "cancelled", err
	}
	if err != nil {
		return r, "", err
	}
	s.log.Info("held consult decided", "school", sc.ID, "request", id, "sent", true)
	return r, "sent", nil
}

// AnswerConsult is the helper's answer to a consult asked of them:
// requestID, or with "" the oldest they have not answered. moment is the
// moment they propose, for AnswerMoment.
func (s *Service) AnswerConsult(ctx context.Context, now time.Time, sc *School, by Actor, requestID string, a ConsultAnswer, moment string) (Request, error) {
	h, ok := sc.Helper(by.Address)
	if !ok {
		return Request{}, ErrNotHelper
	}
	moment = strings.Join(strings.Fields(moment), " ")
	if !a.Valid() || (a == AnswerMoment) != (moment != "") {
		return Request{}, fmt.Errorf("answer consult: %q with moment %q: %w", a, moment, ErrEmpty)
	}
	out, err := s.store.AnswerConsult(ctx, now, sc.ID, requestID, h.ID, a, capRunes(moment, MaxMomentLen))
	if err != nil {
		return out, fmt.Errorf("answer consult: %w", err)
	}
	s.log.Info("consult answered", "school", sc.ID, "request", out.ID, "helper", Mask(h.ID))
	s.tell(ctx, sc, NoticeConsultAnswered, Recipient{Address: out.Requester}, out, h.ID, "")
	return out, nil
}

// MaxMomentLen caps the moment a helper proposes, in runes.
const MaxMomentLen = 60

// CloseConsult closes a consult: for the teacher who asked it and the
// helper it went to.
func (s *Service) CloseConsult(ctx context.Context, now time.Time, sc *School, by Actor, requestID string) (Request, error) {
	helperID := ""
	if h, ok := sc.Helper(by.Address); ok {
		helperID = h.ID
	}
	out, err := s.store.CloseConsult(ctx, now, sc.ID, requestID, by.Identity(), helperID)
	if err != nil {
		return out, fmt.Errorf("close consult: %w", err)
	}
	s.log.Info("consult closed", "school", sc.ID, "request", out.ID)
	return out, nil
}

// ConsultsDue moves on the school's consults whose deadline has come: the
// helper is reminded, and at the next deadline the consult goes on the
// kernteam's agenda. Safe to run on several replicas at once: the store
// moves each consult on once per deadline.
func (s *Service) ConsultsDue(ctx context.Context, now time.Time, sc *School) (int, error) {
	due, err := s.store.DueConsults(ctx, sc.ID, now, 100)
	if err != nil {
		return 0, fmt.Errorf("consults due: %w", err)
	}
	next := NextSchoolDayEnd(sc, now, s.cal.Holidays(sc))
	n := 0
	var errs []error
	for _, ref := range due {
		r, err := s.store.ConsultDue(ctx, now, sc.ID, ref.RequestID, next, sc.Retention)
		switch {
		case err == nil:
			n++
			s.log.Info("consult due", "school", sc.ID, "request", r.ID, "stage", r.OfferNo)
		case errors.Is(err, ErrStale), errors.Is(err, ErrClosed), errors.Is(err, ErrNotFound):
			// Answered meanwhile, or another replica was first.
		default:
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}
