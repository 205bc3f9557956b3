package redisstore

// The weekly rhythm's keys, next to those in the package doc:
//
//	<prefix>:{<school>}:signed:<YYYY-Www>   list: signed success stories, JSON {"text","by","who"}; who is the author's pseudonym
//	<prefix>:{<school>}:agenda              zset: request id → when it was marked for the kernteam (ms)
//	<prefix>:{<school>}:agenda:themes       hash: number → theme, JSON {"text","group","consult","at"}; no names
//	<prefix>:{<school>}:agenda:consults     hash: consult id → number of its theme
//	<prefix>:{<school>}:story:<id>          string: "week|text" of an unsigned story its author may still sign
//	<prefix>:{<school>}:picked:<pseudonym>  zset: requests someone who is no helper picked up → when (ms)
//	<prefix>:{<school>}:lease:<name>        string: who runs one tick of a weekly job (SET NX PX)
//
// Answers to "Hielp het?" are counters pulse:<answer> in the week hash; the
// request record only notes that its requester answered (field pulse).

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

var (
	//go:embed pulse.lua
	pulseLua string
	//go:embed agenda_add.lua
	agendaAddLua string
	//go:embed agenda_theme_add.lua
	agendaThemeAddLua string
	//go:embed agenda_theme_close.lua
	agendaThemeCloseLua string
	//go:embed resolve_picked.lua
	resolvePickedLua string
)

// weeklyScript are the weekly rhythm's state changes, with lib.lua in front
// like the others.
type weeklyScript struct {
	pulse, agendaAdd, themeAdd, themeClose, resolvePicked *redis.Script
}

var weeklyScripts = sync.OnceValue(func() weeklyScript {
	mk := func(src string) *redis.Script { return redis.NewScript(libLua + "\n" + src) }
	return weeklyScript{
		pulse:         mk(pulseLua),
		agendaAdd:     mk(agendaAddLua),
		themeAdd:      mk(agendaThemeAddLua),
		themeClose:    mk(agendaThemeCloseLua),
		resolvePicked: mk(resolvePickedLua),
	}
})

var _ bot.WeekLog = (*Store)(nil)

// Lease takes the lease name of school for ttl, for one caller only: true
// when this caller got it, false when someone holds it already. The weekly
// jobs name a lease by job and scheduled time, so of all the replicas that
// run a tick exactly one posts.
func (s *Store) Lease(ctx context.Context, school, name string, ttl time.Duration) (bool, error) {
	const op = "redisstore: lease"
	if err := checkIDs(school, name); err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if ttl.Milliseconds() < 1 {
		return false, fmt.Errorf("%s %s: ttl %v is not positive", op, name, ttl)
	}
	ok, err := s.rdb.SetNX(ctx, s.key(school, "lease:"+name), "1", ttl).Result()
	if err != nil {
		return false, fail(op+" "+name, err)
	}
	return ok, nil
}

// Release gives a lease back before its time: a replica whose tick failed
// (Redis away while it queued the posts) and that stops before trying again
// lets the next replica run the tick. Only the holder calls it: a tick's
// lease lives far longer than any run.
func (s *Store) Release(ctx context.Context, school, name string) error {
	const op = "redisstore: release lease"
	if err := checkIDs(school, name); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := s.rdb.Del(ctx, s.key(school, "lease:"+name)).Err(); err != nil {
		return fail(op+" "+name, err)
	}
	return nil
}

// storyJSON is a signed story as kept in Redis. Who is its author's
// pseudonym: the signature is a name the author chose, and a person's
// export and erasure must find it by their account. Stories signed before
// it was kept have none (see PersonNames).
type storyJSON struct {
	Text string `json:"text"`
	By   string `json:"by"`
	Who  string `json:"who,omitempty"`
}

// signedEntry is st signed by author, as a list of signed stories keeps it.
func (s *Store) signedEntry(ctx context.Context, op string, author bot.Address, st bot.Story) (string, error) {
	if author.Handle == "" {
		return "", fmt.Errorf("%s: a signed story without its author", op)
	}
	who, err := s.pseudonym(ctx, op, mine(author))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(storyJSON{Text: st.Text, By: st.By, Who: who})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return string(b), nil
}

// AddSignedStory keeps a story author signed for the week's post; the
// week's signed stories expire retention after the last one (StatsTTL when
// retention <= 0).
func (s *Store) AddSignedStory(ctx context.Context, school, week string, author bot.Address, st bot.Story, retention time.Duration) error {
	const op = "redisstore: add signed story"
	if err := checkIDs(school, week); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	b, err := s.signedEntry(ctx, op, author, st)
	if err != nil {
		return err
	}
	return s.pushStory(ctx, op, school, week, "signed:", b, retention, nil)
}

// SignedStories returns the signed stories of a week, oldest first.
func (s *Store) SignedStories(ctx context.Context, school, week string) ([]bot.Story, error) {
	const op = "redisstore: signed stories"
	if err := checkIDs(school, week); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.rdb.LRange(ctx, s.key(school, "signed:"+week), 0, -1).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.Story, 0, len(v))
	for _, x := range v {
		var st storyJSON
		if err := json.Unmarshal([]byte(x), &st); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, bot.Story{Text: st.Text, By: st.By})
	}
	return out, nil
}

// RecordPulse counts requester's answer to "Hielp het?" for their resolved
// request, once (pulse.lua).
func (s *Store) RecordPulse(ctx context.Context, now time.Time, school, requestID string, requester bot.Address, a bot.PulseAnswer) error {
	op := fmt.Sprintf("redisstore: pulse for request %q", requestID)
	if err := checkIDs(school, requestID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !a.Valid() || requester.Handle == "" {
		return fmt.Errorf("%s: answer %q, or no requester", op, a)
	}
	_, err := s.run(ctx, op, weeklyScripts().pulse, school, []string{s.key(school, "req:"+requestID)},
		strconv.FormatInt(now.UnixMilli(), 10), mine(requester), string(a))
	return err
}

// AddAgendaItem puts a request on the kernteam's agenda (agenda_add.lua),
// marked by the helper helperID or, with helperID "", by picker.
func (s *Store) AddAgendaItem(ctx context.Context, now time.Time, school, requestID, helperID, picker string, retention time.Duration) error {
	op := fmt.Sprintf("redisstore: agenda item %q", requestID)
	if err := checkIDs(school, requestID); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if helperID == "" && picker == "" {
		return fmt.Errorf("%s: %w", op, bot.ErrNotYours)
	}
	if retention.Milliseconds() < 1 {
		return fmt.Errorf("%s: retention %v is not positive", op, retention)
	}
	_, err := s.run(ctx, op, weeklyScripts().agendaAdd, school, []string{s.key(school, "req:"+requestID), s.key(school, "agenda")},
		strconv.FormatInt(now.UnixMilli(), 10), requestID, helperID,
		strconv.FormatInt(retention.Milliseconds(), 10), strconv.FormatInt(now.Add(-retention).UnixMilli(), 10),
		strings.ToLower(picker))
	return err
}

// AgendaItems lists the items marked at or before upTo, oldest first, with
// group, day part, helper and time from their records; items whose record
// has expired are left out.
func (s *Store) AgendaItems(ctx context.Context, school string, upTo time.Time) ([]bot.AgendaItem, error) {
	const op = "redisstore: agenda items"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.key(school, "agenda"), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(upTo.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(zs))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range zs {
			cmds[i] = p.HMGet(ctx, s.key(school, "req:"+z.Member.(string)), fGroup, fDayPart, fHelper, fCreated)
		}
		return nil
	}); err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.AgendaItem, 0, len(zs))
	for i, z := range zs {
		v := cmds[i].Val()
		str := func(j int) string { s, _ := v[j].(string); return s }
		if str(0) == "" {
			continue // the request expired
		}
		out = append(out, bot.AgendaItem{
			RequestID: z.Member.(string), Group: str(0), DayPart: str(1), HelperID: str(2),
			CreatedAt: msTime(str(3)), MarkedAt: time.UnixMilli(int64(z.Score)).UTC(),
		})
	}
	return out, nil
}

// RemoveAgendaItems takes the given requests off the agenda.
func (s *Store) RemoveAgendaItems(ctx context.Context, school string, requestIDs []string) error {
	const op = "redisstore: remove agenda items"
	if err := checkSchool(school); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(requestIDs) == 0 {
		return nil
	}
	members := make([]any, len(requestIDs))
	for i, id := range requestIDs {
		members[i] = id
	}
	if err := s.rdb.ZRem(ctx, s.key(school, "agenda"), members...).Err(); err != nil {
		return fail(op, err)
	}
	return nil
}

// themeJSON is an agenda theme as kept in Redis.
type themeJSON struct {
	Text    string `json:"text,omitempty"`
	Group   string `json:"group,omitempty"`
	Consult string `json:"consult,omitempty"`
	At      int64  `json:"at"`
}

func (t themeJSON) theme(no int) bot.AgendaTheme {
	return bot.AgendaTheme{No: no, Text: t.Text, Group: t.Group, ConsultID: t.Consult, At: time.UnixMilli(t.At).UTC()}
}

// AddAgendaTheme puts a theme on the kernteam's agenda under the lowest
// free number (agenda_theme_add.lua).
func (s *Store) AddAgendaTheme(ctx context.Context, now time.Time, school string, t bot.AgendaTheme, retention time.Duration) (int, error) {
	const op = "redisstore: add agenda theme"
	if err := checkSchool(school); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if retention.Milliseconds() < 1 {
		return 0, fmt.Errorf("%s: retention %v is not positive", op, retention)
	}
	at := t.At
	if at.IsZero() {
		at = now
	}
	b, err := json.Marshal(themeJSON{Text: t.Text, Group: t.Group, Consult: t.ConsultID, At: at.UnixMilli()})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	v, err := s.run(ctx, op, weeklyScripts().themeAdd, school, []string{s.key(school, "agenda:themes"), s.key(school, "agenda:consults")},
		strconv.FormatInt(now.UnixMilli(), 10), string(b), t.ConsultID, strconv.FormatInt(retention.Milliseconds(), 10))
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("%s: short script reply", op)
	}
	no, err := strconv.Atoi(fmt.Sprint(v[0]))
	if err != nil {
		return 0, fmt.Errorf("%s: number: %w", op, err)
	}
	return no, nil
}

// AgendaThemes lists the themes on the agenda, by number.
func (s *Store) AgendaThemes(ctx context.Context, school string) ([]bot.AgendaTheme, error) {
	const op = "redisstore: agenda themes"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.key(school, "agenda:themes")).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.AgendaTheme, 0, len(m))
	for k, v := range m {
		no, err := strconv.Atoi(k)
		if err != nil {
			continue // not a theme's number: not ours to show
		}
		var t themeJSON
		if err := json.Unmarshal([]byte(v), &t); err != nil {
			return nil, fmt.Errorf("%s: theme %d: %w", op, no, err)
		}
		out = append(out, t.theme(no))
	}
	slices.SortFunc(out, func(a, b bot.AgendaTheme) int { return a.No - b.No })
	return out, nil
}

// CloseAgendaTheme takes theme no off the agenda (agenda_theme_close.lua).
func (s *Store) CloseAgendaTheme(ctx context.Context, school string, no int) (bot.AgendaTheme, error) {
	op := fmt.Sprintf("redisstore: close agenda theme %d", no)
	if err := checkSchool(school); err != nil {
		return bot.AgendaTheme{}, fmt.Errorf("%s: %w", op, err)
	}
	if no < 1 {
		return bot.AgendaTheme{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	}
	v, err := s.run(ctx, op, weeklyScripts().themeClose, school, []string{s.key(school, "agenda:themes"), s.key(school, "agenda:consults")},
		"0", strconv.Itoa(no))
	if err != nil {
		return bot.AgendaTheme{}, err
	}
	if len(v) != 1 {
		return bot.AgendaTheme{}, fmt.Errorf("%s: short script reply", op)
	}
	var t themeJSON
	if err := json.Unmarshal([]byte(fmt.Sprint(v[0])), &t); err != nil {
		return bot.AgendaTheme{}, fmt.Errorf("%s: %w", op, err)
	}
	return t.theme(no), nil
}

// ResolvePicked closes the latest request picker, who is no helper, took
// from the fallback channel and still has open (resolve_picked.lua).
func (s *Store) ResolvePicked(ctx context.Context, now time.Time, school string, picker bot.Address, note string) (bot.Request, error) {
	const op = "redisstore: resolve picked up"
	if err := checkSchool(school); err != nil {
		return bot.Request{}, fmt.Errorf("%s: %w", op, err)
	}
	if picker.Handle == "" {
		return bot.Request{}, fmt.Errorf("%s: %w", op, bot.ErrNoActiveRequest)
	}
	p, err := s.pseudonym(ctx, op, mine(picker))
	if err != nil {
		return bot.Request{}, err
	}
	return s.runRequest(ctx, op, weeklyScripts().resolvePicked, school, []string{s.key(school, "picked:"+p), s.key(school, "deadlines")}, now, s.newGuard(bot.NewRequestID()),
		string(picker.Platform), picker.Handle, note, s.noteGrace())
}

// storySignWindow is how long an unsigned story can still be signed with
// the button under its reply: the week it goes out in.
const storySignWindow = 7 * 24 * time.Hour

// AddSignableStory keeps an unsigned story for the week's post, like
// AddStory, and remembers it under id so its author can sign it later
// (SignStory): <prefix>:{<school>}:story:<id> holds "week|text" for
// storySignWindow. One MULTI: the story is never kept without both.
func (s *Store) AddSignableStory(ctx context.Context, school, week, id, text string, retention time.Duration) error {
	const op = "redisstore: add signable story"
	if err := checkIDs(school, week, id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.pushStory(ctx, op, school, week, "stories:", text, retention, func(p redis.Pipeliner, retention time.Duration) {
		p.Set(ctx, s.key(school, "story:"+id), week+"|"+text, min(storySignWindow, retention))
	})
}

// SignStory puts the name by of author under the story kept as id: it
// moves from the week's unsigned stories to its signed ones, once.
// ErrNotFound when there is no such story (signed already, or too late).
func (s *Store) SignStory(ctx context.Context, school, id string, author bot.Address, by string, retention time.Duration) (bot.Story, error) {
	const op = "redisstore: sign story"
	if err := checkIDs(school, id); err != nil {
		return bot.Story{}, fmt.Errorf("%s: %w", op, err)
	}
	if retention.Milliseconds() < 1 {
		retention = StatsTTL
	}
	if author.Handle == "" {
		return bot.Story{}, fmt.Errorf("%s: a signed story without its author", op)
	}
	who, err := s.pseudonym(ctx, op, mine(author))
	if err != nil {
		return bot.Story{}, err
	}
	ref := s.key(school, "story:"+id)
	var st bot.Story
	err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		v, err := tx.Get(ctx, ref).Result()
		if errors.Is(err, redis.Nil) {
			return bot.ErrNotFound
		}
		if err != nil {
			return err
		}
		week, text, ok := strings.Cut(v, "|")
		if !ok {
			return fmt.Errorf("story %s: no week", id)
		}
		st = bot.Story{Text: text, By: by}
		b, err := json.Marshal(storyJSON{Text: text, By: by, Who: who})
		if err != nil {
			return err
		}
		signed := s.key(school, "signed:"+week)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.LRem(ctx, s.key(school, "stories:"+week), 1, text)
			p.RPush(ctx, signed, b)
			p.PExpire(ctx, signed, retention)
			p.Del(ctx, ref)
			return nil
		})
		return err
	}, ref)
	switch {
	case errors.Is(err, bot.ErrNotFound), errors.Is(err, redis.TxFailedErr):
		// Gone, or another press signed it at the same moment.
		return bot.Story{}, fmt.Errorf("%s: %w", op, bot.ErrNotFound)
	case err != nil:
		return bot.Story{}, fail(op, err)
	}
	return st, nil
}
