package redisstore

import (
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Fields of a request record (hash <prefix>:{<school>}:req:<id>). Times are
// unix ms; a zero time is a missing field. The record keeps the requester's
// handle and name (and who picked it up): they are needed to reach them,
// and go with the record when it expires. No key name holds them.
const (
	fID             = "id"
	fSchool         = "school"
	fGroup          = "group"
	fNote           = "note"
	fDayPart        = "daypart"
	fWeek           = "week"
	fMonth          = "month"     // the school's calendar month at creation: key of the monthly counters
	fFirstDue       = "first_due" // when the first offer lapses: accepted by then counts as in time
	fRqPlatform     = "rq_platform"
	fRqHandle       = "rq_handle"
	fRqName         = "rq_name"
	fMine           = "mine"     // the requester, platform:handle in lower case: who may cancel, who answers the pulse
	fMineKey        = "mine_key" // the requester's pseudonym: names their index of active requests
	fState          = "state"
	fHelper         = "helper"
	fOfferNo        = "offer_no"
	fTried          = "tried" // helper ids, comma separated, in order
	fCreated        = "created"
	fReleased       = "released" // when a held request was let go to helpers; absent for one never held
	fDeadline       = "deadline"
	fAccepted       = "accepted"
	fClosed         = "closed"
	fDoneNote       = "done_note"
	fPickedPlatform = "picked_platform" // who took it from the fallback channel
	fPickedHandle   = "picked_handle"
	fPickedName     = "picked_name"
	fPerson         = "person"   // the helper's person (layout.go) while a helper holds it
	fKind           = "kind"     // "consult" for a meedenken question; absent for a request for help
	fAnswer         = "answer"   // a consult's answer
	fMoment         = "moment"   // the moment the helper proposed
	fAnswered       = "answered" // when the consult was answered (ms)
)

// Parts of a person's state, kept as one value
// "status|until|engaged|last|school" in the pool's helpers hash
// (<pool base>helpers, field the person: see layout.go; lib.lua reads and
// writes it). A value of four parts was written before pools.
const (
	hStatus  = "status"
	hUntil   = "until"
	hEngaged = "engaged" // the request the person holds an offer for or works on
	hLast    = "last"    // when the person was last offered a request, at any school
	hSchool  = "school"  // the school of the engaged request in a pool of several; "" alone
)

// helperParts is the order of the parts in a packed state.
var helperParts = [5]string{hStatus, hUntil, hEngaged, hLast, hSchool}

// unpackHelper reads a packed state; "" (never seen) has no parts.
func unpackHelper(v string) map[string]string {
	out := make(map[string]string, len(helperParts))
	parts := strings.Split(v, "|")
	if len(parts) != len(helperParts) && len(parts) != len(helperParts)-1 {
		return out
	}
	for i, p := range parts {
		if p != "" {
			out[helperParts[i]] = p
		}
	}
	return out
}

// decodeRequest turns a record's fields into a Request.
func decodeRequest(m map[string]string) bot.Request {
	r := bot.Request{
		ID:            m[fID],
		SchoolID:      m[fSchool],
		Group:         m[fGroup],
		Note:          m[fNote],
		DayPart:       m[fDayPart],
		Week:          m[fWeek],
		Month:         m[fMonth],
		Requester:     bot.Address{Platform: bot.Platform(m[fRqPlatform]), Handle: m[fRqHandle]},
		RequesterName: m[fRqName],
		State:         bot.State(m[fState]),
		HelperID:      m[fHelper],
		CreatedAt:     msTime(m[fCreated]),
		ReleasedAt:    msTime(m[fReleased]),
		Deadline:      msTime(m[fDeadline]),
		AcceptedAt:    msTime(m[fAccepted]),
		ClosedAt:      msTime(m[fClosed]),
		DoneNote:      m[fDoneNote],
		PickedBy:      bot.Address{Platform: bot.Platform(m[fPickedPlatform]), Handle: m[fPickedHandle]},
		PickedByName:  m[fPickedName],
		Kind:          bot.Kind(m[fKind]),
		Answer:        bot.ConsultAnswer(m[fAnswer]),
		Moment:        m[fMoment],
		AnsweredAt:    msTime(m[fAnswered]),
	}
	r.OfferNo, _ = strconv.Atoi(m[fOfferNo])
	if t := m[fTried]; t != "" {
		r.Tried = strings.Split(t, ",")
	}
	return r
}

// pairs reads a script's field, value list.
func pairs(v []any) map[string]string {
	m := make(map[string]string, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		k, _ := v[i].(string)
		val, _ := v[i+1].(string)
		m[k] = val
	}
	return m
}

// ms is t in unix milliseconds, "" for the zero time.
func ms(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// msTime reads ms; "" or garbage is the zero time.
func msTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// mine is the requester as a record keeps them, and what their pseudonym is
// made of.
func mine(a bot.Address) string { return a.Identity() }
