package redisstore

// The year's figures, next to the keys in the package doc:
//
//	<prefix>:{<school>}:survey:<survey>:<period>   hash: "<question>:<1-5>" → how many answered so; no names
//
// A month's counters (month:<YYYY-MM>) and times to accept (tta:<YYYY-MM>)
// are written by the request scripts (lib.lua tally and waited) in the same
// step as the change they count.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// SetStatsTTL sets how long the weekly and monthly statistics live after
// their last change (StatsTTL by default); call it before the store is
// used. A shorter setting never shortens a key that has longer: the
// scripts only raise a TTL.
func (s *Store) SetStatsTTL(d time.Duration) error {
	if d < 24*time.Hour {
		return fmt.Errorf("redisstore: statistics TTL %v is shorter than a day", d)
	}
	s.stats = d
	return nil
}

// YearFigures reads one school's figures of school year y: the counters
// and waits of its twelve months (a month without any is there with
// zeros) and the survey answers of its periods (every period of every
// survey, zero ones included, so a report can say "too few answers"). One
// pipelined round trip.
func (s *Store) YearFigures(ctx context.Context, school string, y bot.SchoolYear) (bot.YearFigures, error) {
	const op = "redisstore: year figures"
	if err := checkSchool(school); err != nil {
		return bot.YearFigures{}, fmt.Errorf("%s: %w", op, err)
	}
	months := y.Months()
	type surveyRef struct{ survey, period string }
	var refs []surveyRef
	for _, sv := range bot.SurveyNames {
		periods := y.Quarters()
		if bot.Monthly(sv) {
			periods = months
		}
		for _, p := range periods {
			refs = append(refs, surveyRef{sv, p})
		}
	}
	counters := make([]*redis.MapStringStringCmd, len(months))
	waits := make([]*redis.StringSliceCmd, len(months))
	answers := make([]*redis.MapStringStringCmd, len(refs))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range months {
			counters[i] = p.HGetAll(ctx, s.key(school, "month:"+m))
			waits[i] = p.LRange(ctx, s.key(school, "tta:"+m), 0, -1)
		}
		for i, r := range refs {
			answers[i] = p.HGetAll(ctx, s.key(school, surveyKey(r.survey, r.period)))
		}
		return nil
	}); err != nil {
		return bot.YearFigures{}, fail(op, err)
	}
	out := bot.YearFigures{School: school, Year: y, Months: make([]bot.MonthFigures, len(months))}
	for i, m := range months {
		c, err := parseCounters(counters[i].Val())
		if err != nil {
			return bot.YearFigures{}, fmt.Errorf("%s: month %s: %w", op, m, err)
		}
		w, err := parseWaits(waits[i].Val())
		if err != nil {
			return bot.YearFigures{}, fmt.Errorf("%s: month %s: %w", op, m, err)
		}
		out.Months[i] = bot.MonthFiguresFrom(m, c, w, int(c[bot.CountStories]))
	}
	for i, r := range refs {
		got := answers[i].Val()
		for _, q := range bot.SurveyQuestions(r.survey) {
			f := bot.SurveyFigures{Survey: r.survey, Period: r.period, Question: q}
			for a := range f.Answers {
				n, _ := strconv.Atoi(got[q+":"+strconv.Itoa(a+1)])
				f.Answers[a] = max(n, 0)
			}
			out.Surveys = append(out.Surveys, f)
		}
	}
	return out, nil
}

// SchoolYears lists the school years of which school has monthly figures,
// latest first: one read of the school's months set.
func (s *Store) SchoolYears(ctx context.Context, school string) ([]bot.SchoolYear, error) {
	const op = "redisstore: school years"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	months, err := s.rdb.SMembers(ctx, s.key(school, "months")).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	return bot.YearsOfMonths(months), nil
}

// surveyKey names the counts of one survey's period.
func surveyKey(survey, period string) string { return "survey:" + survey + ":" + period }

func parseCounters(m map[string]string) (map[string]int64, error) {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("counter %s: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

func parseWaits(v []string) ([]time.Duration, error) {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("time to accept %q: %w", x, err)
		}
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out, nil
}

// countStory counts one shared success story in the month of its week
// (the month of the week's Thursday, as ISO weeks belong to a year), in
// the same MULTI that keeps the story: the year's figures count stories
// long after the stories themselves expired. Counts only.
func (s *Store) countStory(ctx context.Context, p redis.Pipeliner, school, week string) {
	mon, err := bot.ParseWeek(week)
	if err != nil {
		return // checkIDs let it through; a week that does not parse counts nowhere
	}
	month := bot.MonthOf(mon.AddDate(0, 0, 3))
	k, mk := s.key(school, "month:"+month), s.key(school, "months")
	p.HIncrBy(ctx, k, bot.CountStories, 1)
	p.SAdd(ctx, mk, month)
	for _, key := range []string{k, mk} {
		// Raise only, as the scripts do: NX for a new key, GT for a longer.
		p.ExpireNX(ctx, key, s.stats)
		p.ExpireGT(ctx, key, s.stats)
	}
}
