package redisstore

// Consults (meedenken) are request records of kind "consult" (the fields
// of record.go, plus kind, answer, moment, answered), beside:
//
//	<prefix>:{<school>}:consultdue   zset: consult id → when it is due (ms): the helper is reminded, then the kernteam's agenda
//	<prefix>:{<school>}:consulthold:<id>  hash: a question held for the teacher's choice (hold_consult.lua); expires with the hold

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"context"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

var (
	//go:embed consult_create.lua
	consultCreateLua string
	//go:embed consult_answer.lua
	consultAnswerLua string
	//go:embed consult_close.lua
	consultCloseLua string
	//go:embed consult_due.lua
	consultDueLua string
	//go:embed hold_consult.lua
	holdConsultLua string
	//go:embed drop_consult.lua
	dropConsultLua string
)

var consultScripts = sync.OnceValue(func() struct{ create, answer, close, due, hold, drop *redis.Script } {
	mk := func(src string) *redis.Script { return redis.NewScript(libLua + "\n" + src) }
	return struct{ create, answer, close, due, hold, drop *redis.Script }{
		create: mk(consultCreateLua), answer: mk(consultAnswerLua), close: mk(consultCloseLua), due: mk(consultDueLua),
		hold: mk(holdConsultLua), drop: mk(dropConsultLua),
	}
})

// CreateConsult stores a consult asked of helperID and queues the question
// to them (consult_create.lua).
func (s *Store) CreateConsult(ctx context.Context, now time.Time, r bot.Request, helperID string, due time.Time, retention time.Duration) (bot.Request, error) {
	return s.createConsult(ctx, now, r, helperID, due, retention, false)
}

// SendHeldConsult is CreateConsult of the question held as r.ID, because
// its teacher chose Verstuur toch: in the same step the hold becomes a
// marker of that choice. bot.ErrNotFound when the hold expired,
// bot.ErrNotYours for someone else, bot.ErrNotHeld when it was cancelled.
func (s *Store) SendHeldConsult(ctx context.Context, now time.Time, r bot.Request, helperID string, due time.Time, retention time.Duration) (bot.Request, error) {
	return s.createConsult(ctx, now, r, helperID, due, retention, true)
}

func (s *Store) createConsult(ctx context.Context, now time.Time, r bot.Request, helperID string, due time.Time, retention time.Duration, held bool) (bot.Request, error) {
	op := "redisstore: create consult " + r.ID
	switch {
	case r.ID == "":
		return bot.Request{}, fmt.Errorf("%s: empty id", op)
	case retention.Milliseconds() < 1:
		return bot.Request{}, fmt.Errorf("%s: retention %v is not positive", op, retention)
	case due.IsZero() || r.Week == "":
		return bot.Request{}, fmt.Errorf("%s: no deadline or week", op)
	}
	if err := checkIDs(r.SchoolID, helperID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	created := r.CreatedAt
	if created.IsZero() {
		created = now
	}
	keys := []string{s.key(r.SchoolID, "req:"+r.ID), s.key(r.SchoolID, "consultdue"), s.key(r.SchoolID, "note:"+r.ID), s.key(r.SchoolID, "consulthold:"+r.ID)}
	fromHold := "0"
	if held {
		fromHold = "1"
	}
	out, err := s.runRequest(ctx, op, consultScripts().create, r.SchoolID, keys, now, s.newGuard(""),
		r.ID, r.SchoolID, r.Group, r.Note, r.Week, r.Month,
		string(r.Requester.Platform), r.Requester.Handle, r.RequesterName, mine(r.Requester),
		ms(created), ms(due), strconv.FormatInt(retention.Milliseconds(), 10), helperID,
		fromHold, strconv.FormatInt(storyMarkTTL.Milliseconds(), 10))
	s.hint(ctx, r.SchoolID, err, due)
	return out, err
}

// HoldConsult keeps a meedenken question that must not be sent unasked
// under <base>consulthold:<id> for hold (hold_consult.lua), id being the
// consult's to be: its author sends it (SendHeldConsult) or drops it
// (DropHeldConsult); without a choice it expires, never sent. A second
// hold of the same id changes nothing.
func (s *Store) HoldConsult(ctx context.Context, now time.Time, school, id, week, month string, author bot.Address, group, question string, hold time.Duration) error {
	op := "redisstore: hold consult " + id
	if err := checkIDs(school, id, week); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if hold.Milliseconds() < 1 || author.Handle == "" {
		return fmt.Errorf("%s: hold %v, or no author", op, hold)
	}
	_, err := s.runGuarded(ctx, op, consultScripts().hold, school, []string{s.key(school, "consulthold:"+id)}, now, s.newGuard(""),
		week, month, mine(author), group, question, strconv.FormatInt(hold.Milliseconds(), 10))
	return err
}

// HeldConsult reads the question held as id. bot.ErrNotFound when its
// hold expired; a decided one has Done set and no question.
func (s *Store) HeldConsult(ctx context.Context, school, id string) (bot.HeldConsult, error) {
	op := "redisstore: held consult " + id
	if err := checkIDs(school, id); err != nil {
		return bot.HeldConsult{}, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.rdb.HMGet(ctx, s.key(school, "consulthold:"+id), "mine", "group", "question", "done").Result()
	if err != nil {
		return bot.HeldConsult{}, fail(op, err)
	}
	str := func(i int) string { x, _ := v[i].(string); return x }
	if str(0) == "" {
		return bot.HeldConsult{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	}
	return bot.HeldConsult{ID: id, Author: str(0), Group: str(1), Question: str(2), Done: str(3)}, nil
}

// DropHeldConsult drops the question held as id for its author
// (drop_consult.lua). bot.ErrNotHeld when decided before (done says how:
// "sent" or "cancelled"), bot.ErrNotFound when its hold expired.
func (s *Store) DropHeldConsult(ctx context.Context, now time.Time, school, id string, by bot.Address) (done string, err error) {
	op := "redisstore: drop held consult " + id
	if err := checkIDs(school, id); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.runGuarded(ctx, op, consultScripts().drop, school, []string{s.key(school, "consulthold:"+id)}, now, s.newGuard(bot.NewRequestID()),
		mine(by), strconv.FormatInt(storyMarkTTL.Milliseconds(), 10))
	if len(v) > 0 {
		done, _ = v[0].(string)
	}
	if err == nil {
		done = "cancelled"
	}
	return done, err
}

// AnswerConsult records the helper's answer (consult_answer.lua).
func (s *Store) AnswerConsult(ctx context.Context, now time.Time, school, requestID, helperID string, a bot.ConsultAnswer, moment string) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: answer consult %q", requestID)
	if err := checkIDs(school, helperID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.runRequest(ctx, op, consultScripts().answer, school, []string{s.key(school, "consultdue")}, now, s.newGuard(bot.NewRequestID()),
		requestID, helperID, string(a), moment)
}

// CloseConsult closes a consult for its requester or helper (consult_close.lua).
func (s *Store) CloseConsult(ctx context.Context, now time.Time, school, requestID, who, helperID string) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: close consult %q", requestID)
	if err := checkIDs(school, requestID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	return s.runRequest(ctx, op, consultScripts().close, school, []string{s.key(school, "req:"+requestID), s.key(school, "consultdue")}, now, s.newGuard(bot.NewRequestID()),
		requestID, who, helperID, s.noteGrace())
}

// DueConsults lists the consults due at or before now, oldest first.
func (s *Store) DueConsults(ctx context.Context, school string, now time.Time, limit int) ([]bot.ConsultRef, error) {
	const op = "redisstore: due consults"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.key(school, "consultdue"), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.ConsultRef, len(zs))
	for i, z := range zs {
		out[i] = bot.ConsultRef{RequestID: z.Member.(string), Due: time.UnixMilli(int64(z.Score)).UTC()}
	}
	return out, nil
}

// ConsultDue moves a due consult on once (consult_due.lua).
func (s *Store) ConsultDue(ctx context.Context, now time.Time, school, requestID string, next time.Time, retention time.Duration) (bot.Request, error) {
	op := fmt.Sprintf("redisstore: consult %q due", requestID)
	if err := checkIDs(school, requestID); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	if retention.Milliseconds() < 1 || next.IsZero() {
		return bot.Request{}, fmt.Errorf("%s: retention %v or next deadline missing", op, retention)
	}
	// The theme names the group and the consult, never the question.
	r, err := s.Request(ctx, school, requestID)
	if err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	b, err := json.Marshal(themeJSON{Group: r.Group, Consult: requestID, At: r.CreatedAt.UnixMilli()})
	if err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := s.runRequest(ctx, op, consultScripts().due, school,
		[]string{s.key(school, "consultdue"), s.key(school, "req:"+requestID), s.key(school, "agenda:themes"), s.key(school, "agenda:consults")}, now, guard{},
		requestID, ms(next), string(b), strconv.FormatInt(retention.Milliseconds(), 10))
	if err != nil || out.OfferNo == 2 {
		// Reminded, due again at next; at the second deadline it left the set.
		s.hint(ctx, school, err, next)
	}
	return out, err
}
