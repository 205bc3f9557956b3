package redisstore

// The surveys' keys, next to those in the package doc. Every key or member
// that stands for a person holds their pseudonym (internal/pseudonym), so
// an export or erasure for a person finds them by it:
//
//	<prefix>:{<school>}:asked:<YYYY-MM>                               hash: pseudonym → platform:handle of who asked for help that month; 90 days
//	<prefix>:{<school>}:survey:sent:<survey>:<period>                 set: pseudonyms sent the survey of the period; SurveyPersonTTL
//	<prefix>:{<school>}:survey:answered:<survey>:<period>:<question>  set: pseudonyms who answered the question; SurveyPersonTTL
//	<prefix>:{<school>}:survey:<survey>:<period>                      hash: "<question>:<1-5>" → count; no people; statistics TTL
//
// The answers themselves are only counts.

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// SurveyPersonTTL is how long who was sent or answered a survey is kept:
// past the end of its period and the next one, no longer.
const SurveyPersonTTL = 200 * 24 * time.Hour

//go:embed survey_answer.lua
var surveyAnswerLua string

var surveyScript = sync.OnceValue(func() *redis.Script { return redis.NewScript(libLua + "\n" + surveyAnswerLua) })

var _ bot.SurveyLog = (*Store)(nil)

// Asked lists who asked for help in the months: pseudonym → address.
func (s *Store) Asked(ctx context.Context, school string, months []string) (map[string]bot.Address, error) {
	const op = "redisstore: asked"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	cmds := make([]*redis.MapStringStringCmd, len(months))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range months {
			cmds[i] = p.HGetAll(ctx, s.key(school, "asked:"+m))
		}
		return nil
	}); err != nil {
		return nil, fail(op, err)
	}
	out := map[string]bot.Address{}
	for _, c := range cmds {
		for p, a := range c.Val() {
			plat, handle, ok := cutAddress(a)
			if ok {
				out[p] = bot.Address{Platform: bot.Platform(plat), Handle: handle}
			}
		}
	}
	return out, nil
}

func cutAddress(a string) (string, string, bool) {
	for i := range len(a) {
		if a[i] == ':' {
			return a[:i], a[i+1:], i > 0 && i < len(a)-1
		}
	}
	return "", "", false
}

// SurveySent reports which pseudonyms were sent survey's period.
func (s *Store) SurveySent(ctx context.Context, school, survey, period string, pseudonyms []string) (map[string]bool, error) {
	const op = "redisstore: survey sent"
	if err := checkIDs(school, survey, period); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := make(map[string]bool, len(pseudonyms))
	if len(pseudonyms) == 0 {
		return out, nil
	}
	members := make([]any, len(pseudonyms))
	for i, p := range pseudonyms {
		members[i] = p
	}
	v, err := s.rdb.SMIsMember(ctx, s.key(school, "survey:sent:"+survey+":"+period), members...).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	for i, p := range pseudonyms {
		out[p] = v[i]
	}
	return out, nil
}

// MarkSurveySent notes the pseudonyms as sent survey's period.
func (s *Store) MarkSurveySent(ctx context.Context, school, survey, period string, pseudonyms []string) error {
	const op = "redisstore: mark survey sent"
	if err := checkIDs(school, survey, period); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(pseudonyms) == 0 {
		return nil
	}
	members := make([]any, len(pseudonyms))
	for i, p := range pseudonyms {
		members[i] = p
	}
	k := s.key(school, "survey:sent:"+survey+":"+period)
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, k, members...)
		p.PExpire(ctx, k, SurveyPersonTTL)
		return nil
	}); err != nil {
		return fail(op, err)
	}
	return nil
}

// RecordSurveyAnswer counts who's answer once (survey_answer.lua).
func (s *Store) RecordSurveyAnswer(ctx context.Context, school, survey, period, question string, who bot.Address, answer int) error {
	op := fmt.Sprintf("redisstore: survey answer %s %s", survey, period)
	if err := checkIDs(school, survey, period, question, who.Handle); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if answer < 1 || answer > 5 {
		return fmt.Errorf("%s: answer %d is not 1 to 5", op, answer)
	}
	p, err := s.pseudonym(ctx, op, who.Identity())
	if err != nil {
		return err
	}
	_, err = s.run(ctx, op, surveyScript(), school,
		[]string{s.key(school, surveyKey(survey, period)), s.key(school, "survey:answered:"+survey+":"+period+":"+question)},
		"0", p, question, strconv.Itoa(answer), strconv.FormatInt(SurveyPersonTTL.Milliseconds(), 10))
	return err
}
