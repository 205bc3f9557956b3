package redisstore

// Consults (meedenken) are request records of kind "consult" (the fields
// of record.go, plus kind, answer, moment, answered), beside:
//
//	<prefix>:{<school>}:consultdue   zset: consult id → when it is due (ms): the helper is reminded, then the kernteam's agenda

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
)

var consultScripts = sync.OnceValue(func() struct{ create, answer, close, due *redis.Script } {
	mk := func(src string) *redis.Script { return redis.NewScript(libLua + "\n" + src) }
	return struct{ create, answer, close, due *redis.Script }{
		create: mk(consultCreateLua), answer: mk(consultAnswerLua), close: mk(consultCloseLua), due: mk(consultDueLua),
	}
})

// CreateConsult stores a consult asked of helperID and queues the question
// to them (consult_create.lua).
func (s *Store) CreateConsult(ctx context.Context, now time.Time, r bot.Request, helperID string, due time.Time, retention time.Duration) (bot.Request, error) {
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
	keys := []string{s.key(r.SchoolID, "req:"+r.ID), s.key(r.SchoolID, "consultdue"), s.key(r.SchoolID, "note:"+r.ID)}
	return s.runRequest(ctx, op, consultScripts().create, r.SchoolID, keys, now, s.newGuard(""),
		r.ID, r.SchoolID, r.Group, r.Note, r.Week, r.Month,
		string(r.Requester.Platform), r.Requester.Handle, r.RequesterName, mine(r.Requester),
		ms(created), ms(due), strconv.FormatInt(retention.Milliseconds(), 10), helperID)
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
	return s.runRequest(ctx, op, consultScripts().due, school,
		[]string{s.key(school, "consultdue"), s.key(school, "req:"+requestID), s.key(school, "agenda:themes"), s.key(school, "agenda:consults")}, now, guard{},
		requestID, ms(next), string(b), strconv.FormatInt(retention.Milliseconds(), 10))
}
