package redisstore

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/bot"
)

// The person's rights (AVG art. 15 and 17) and the audit trail, whose
// entries (JSON) are kept in <prefix>:{<school>}:audit by when (ms).

// DefaultAuditRetention is how long an audit entry is kept unless
// SetAuditRetention says otherwise: a year.
const DefaultAuditRetention = 365 * 24 * time.Hour

// ErrActive is an erasure that finds the person in a request that is still
// open (held, offered, accepted, waiting in the fallback channel): close or
// withdraw it first, so nobody waits for help that can no longer reach them.
var ErrActive = errors.New("the person is in a request that is still open")

//go:embed erase_person.lua
var erasePersonLua string

var erasePerson = redis.NewScript(erasePersonLua)

// SetAuditRetention sets how long audit entries are kept; d <= 0 keeps the
// default.
func (s *Store) SetAuditRetention(d time.Duration) {
	if d.Milliseconds() < 1 {
		d = DefaultAuditRetention
	}
	s.auditTTL.Store(int64(d))
}

func (s *Store) auditRetention() time.Duration {
	if d := time.Duration(s.auditTTL.Load()); d > 0 {
		return d
	}
	return DefaultAuditRetention
}

// auditJSON is an audit entry as kept in Redis.
type auditJSON struct {
	At       int64  `json:"at"`
	Platform string `json:"platform"`
	Handle   string `json:"handle"`
	Action   string `json:"action"`
	Detail   string `json:"detail,omitempty"`
	Nonce    string `json:"n"` // two views in the same millisecond are two entries
}

// RecordAudit keeps who looked at what of a school, and when, for the
// audit retention after e.At; older entries of the school go in the same
// step.
func (s *Store) RecordAudit(ctx context.Context, school string, e bot.AuditEntry) error {
	const op = "redisstore: record audit entry"
	if err := checkSchool(school); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var n [6]byte
	_, _ = rand.Read(n[:])
	b, err := json.Marshal(auditJSON{At: e.At.UnixMilli(), Platform: string(e.Who.Platform), Handle: e.Who.Handle,
		Action: string(e.Action), Detail: e.Detail, Nonce: hex.EncodeToString(n[:])})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ttl := s.auditRetention()
	k := s.key(school, "audit")
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, k, redis.Z{Score: float64(e.At.UnixMilli()), Member: string(b)})
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(e.At.Add(-ttl).UnixMilli(), 10))
		p.PExpire(ctx, k, ttl)
		return nil
	})
	if err != nil {
		return fail(op, err)
	}
	return nil
}

// Audit returns a school's audit entries still within the audit retention
// at now, oldest first.
func (s *Store) Audit(ctx context.Context, school string, now time.Time) ([]bot.AuditEntry, error) {
	const op = "redisstore: audit entries"
	if err := checkSchool(school); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	from := now.Add(-s.auditRetention()).UnixMilli()
	v, err := s.rdb.ZRangeByScore(ctx, s.key(school, "audit"), &redis.ZRangeBy{Min: strconv.FormatInt(from, 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fail(op, err)
	}
	out := make([]bot.AuditEntry, 0, len(v))
	for _, x := range v {
		var a auditJSON
		if json.Unmarshal([]byte(x), &a) != nil {
			continue
		}
		out = append(out, bot.AuditEntry{At: time.UnixMilli(a.At).UTC(), Who: bot.Address{Platform: bot.Platform(a.Platform), Handle: a.Handle},
			Action: bot.AuditAction(a.Action), Detail: a.Detail})
	}
	return out, nil
}

// Person is whom an export or an erasure is about: an account on a chat
// platform, and the helper id it has at the school ("" for a teacher or
// coordinator who is no helper there).
type Person struct {
	Address  bot.Address
	HelperID string
	// Names are the names a story they signed before signatures kept
	// their author may carry (the configuration's name for them, the name
	// their platform shows): such a story is theirs when its signature is
	// one of them, without regard to case.
	Names []string
}

// PersonData is everything a school's store holds about one person.
type PersonData struct {
	School string `json:"school"`
	// Asked are the records of the requests they asked for, with the note
	// and the helper's closing note while they are kept.
	Asked []map[string]string `json:"asked"`
	// Helped are the records of the requests they were offered, accepted,
	// or picked up from the fallback channel.
	Helped []map[string]string `json:"helped"`
	// HelperState is their availability as a helper: status, until when,
	// the request they are engaged in, when they were last offered one.
	HelperState map[string]string `json:"helper_state,omitempty"`
	// ActiveIndex are the ids of their open requests (the index named by
	// their pseudonym).
	ActiveIndex []string `json:"active_index,omitempty"`
	// Outbox are the messages to them still waiting to be delivered.
	Outbox []string `json:"outbox,omitempty"`
	// Audit are their views of overviews (kept for accountability: an
	// erasure leaves them, see docs/privacy.md).
	Audit []AuditView `json:"audit,omitempty"`
	// Stories are the success stories they signed, and those of theirs
	// that are held.
	Stories []StoryView `json:"stories,omitempty"`
	// HeldConsults are their meedenken questions held for their choice.
	HeldConsults []HeldConsultView `json:"held_consults,omitempty"`
	// OtherKeys are other keys named by their pseudonym, with their value.
	OtherKeys map[string]any `json:"other_keys,omitempty"`
}

// AuditView is an audit entry as an export shows it.
type AuditView struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Empty reports whether nothing is held about the person (their audit
// entries aside).
func (d PersonData) Empty() bool {
	return len(d.Asked) == 0 && len(d.Helped) == 0 && len(d.HelperState) == 0 && len(d.ActiveIndex) == 0 &&
		len(d.Outbox) == 0 && len(d.Stories) == 0 && len(d.HeldConsults) == 0 && len(d.OtherKeys) == 0
}

// Erased counts what an erasure changed.
type Erased struct {
	Asked       int  `json:"asked"`        // requests whose requester is now anonymous
	Helped      int  `json:"helped"`       // requests the helper was taken out of
	HelperState bool `json:"helper_state"` // availability removed
	Outbox      int  `json:"outbox"`       // waiting messages removed
	Stories     int  `json:"stories"`      // success stories whose signature was taken off
	HeldStories int  `json:"held_stories"` // held stories removed, never to be shared
	// HeldConsults are held meedenken questions removed, never to be sent.
	HeldConsults int `json:"held_consults"`
	OtherKeys    int `json:"other_keys"` // keys named by their pseudonym removed
}

// ExportPerson finds everything the school's keys hold about p (a scan of
// the school's keys, so it takes a moment on a large Redis; an operator's
// command, not a chat one).
func (s *Store) ExportPerson(ctx context.Context, school string, p Person, now time.Time) (PersonData, error) {
	const op = "redisstore: export person"
	out := PersonData{School: school, Asked: []map[string]string{}, Helped: []map[string]string{}}
	if err := checkPerson(school, p); err != nil {
		return out, fmt.Errorf("%s: %w", op, err)
	}
	recs, err := s.personRecords(ctx, school, p)
	if err != nil {
		return out, fail(op, err)
	}
	for _, r := range recs {
		// The closing note lives in a key of its own (a record of an
		// earlier version may keep it in its field).
		if n, err := s.rdb.Get(ctx, s.key(school, "donenote:"+r.fields[fID])).Result(); err == nil {
			r.fields[fDoneNote] = n
		}
		if r.asked {
			if r.fields[fNote] == "" {
				if n, err := s.rdb.Get(ctx, s.key(school, "note:"+r.fields[fID])).Result(); err == nil {
					r.fields[fNote] = n
				}
			}
			out.Asked = append(out.Asked, r.fields)
		}
		if r.helped {
			out.Helped = append(out.Helped, r.fields)
		}
	}
	if p.HelperID != "" {
		v, err := s.rdb.HGet(ctx, s.lay(school).pool+"helpers", s.lay(school).person(p.HelperID)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return out, fail(op, err)
		}
		if v != "" {
			out.HelperState = unpackHelper(v)
		}
	}
	pseudo, err := s.pseudonym(ctx, op, mine(p.Address))
	if err != nil {
		return out, err
	}
	if out.ActiveIndex, err = s.rdb.ZRange(ctx, s.key(school, "mine:"+pseudo), 0, -1).Result(); err != nil {
		return out, fail(op, err)
	}
	msgs, err := s.personOutbox(ctx, school, p, recs)
	if err != nil {
		return out, fail(op, err)
	}
	for _, m := range msgs {
		out.Outbox = append(out.Outbox, m.value)
	}
	entries, err := s.Audit(ctx, school, now)
	if err != nil {
		return out, err
	}
	for _, e := range entries {
		if e.Who.Identity() == p.Address.Identity() {
			out.Audit = append(out.Audit, AuditView{At: e.At, Action: string(e.Action), Detail: e.Detail})
		}
	}
	signed, err := s.personSigned(ctx, school, pseudo, p.Names)
	if err != nil {
		return out, fail(op, err)
	}
	for _, x := range signed {
		out.Stories = append(out.Stories, StoryView{Week: x.week, Text: x.st.Text, SignedAs: x.st.By})
	}
	_, held, err := s.personHeld(ctx, school, mine(p.Address))
	if err != nil {
		return out, fail(op, err)
	}
	out.Stories = append(out.Stories, held...)
	if _, out.HeldConsults, err = s.personHeldConsults(ctx, school, mine(p.Address)); err != nil {
		return out, fail(op, err)
	}
	others, err := s.pseudonymKeys(ctx, school, pseudo)
	if err != nil {
		return out, fail(op, err)
	}
	lang, err := s.personLang(ctx, pseudo)
	if err != nil {
		return out, fail(op, err)
	}
	if lang != "" {
		others = append(others, s.langKey(pseudo))
	}
	for _, k := range others {
		v, err := s.dump(ctx, k)
		if err != nil {
			return out, fail(op, err)
		}
		if out.OtherKeys == nil {
			out.OtherKeys = map[string]any{}
		}
		out.OtherKeys[k] = v
	}
	return out, nil
}

// ErasePerson removes what the school's keys hold about p: the requests
// they asked for keep their figures but get an anonymous requester and lose
// their note; the requests they helped with lose their name as helper and
// their closing note; the success stories they signed stay without their
// name, their held stories go unshared; their availability, their index of
// open requests, the messages waiting for them and the keys named by their
// pseudonym go.
// The weekly and monthly counters, which name nobody, stay. With p in a
// request that is still open it changes nothing and returns ErrActive.
// Each record changes in one script, which checks again that its request
// is closed.
func (s *Store) ErasePerson(ctx context.Context, school string, p Person) (Erased, error) {
	const op = "redisstore: erase person"
	var out Erased
	if err := checkPerson(school, p); err != nil {
		return out, fmt.Errorf("%s: %w", op, err)
	}
	recs, err := s.personRecords(ctx, school, p)
	if err != nil {
		return out, fail(op, err)
	}
	var open []string
	for _, r := range recs {
		if r.open() {
			open = append(open, r.fields[fID])
		}
	}
	if p.HelperID != "" {
		v, err := s.rdb.HGet(ctx, s.lay(school).pool+"helpers", s.lay(school).person(p.HelperID)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return out, fail(op, err)
		}
		if e := unpackHelper(v)[hEngaged]; e != "" && !slices.Contains(open, e) {
			if r, err := s.Request(ctx, school, e); err == nil && (r.State == bot.StateOffered || r.State == bot.StateAccepted) {
				open = append(open, e)
			}
		}
	}
	if len(open) > 0 {
		return out, fmt.Errorf("%s: %w: %s", op, ErrActive, strings.Join(open, ", "))
	}
	pseudo, err := s.pseudonym(ctx, op, mine(p.Address))
	if err != nil {
		return out, err
	}
	index := s.key(school, "mine:"+pseudo)
	for _, r := range recs {
		id := r.fields[fID]
		v, err := erasePerson.Run(ctx, s.rdb, []string{s.key(school, "req:"+id), s.key(school, "note:"+id), index, s.key(school, "donenote:"+id)},
			mine(p.Address), p.HelperID).Slice()
		if err != nil {
			return out, fail(op, err)
		}
		if len(v) > 0 {
			if code, ok := v[0].(string); ok && code == "open" {
				return out, fmt.Errorf("%s: %w: %s", op, ErrActive, id)
			}
		}
		if len(v) == 2 {
			a, _ := v[0].(int64)
			h, _ := v[1].(int64)
			out.Asked += int(a)
			out.Helped += int(h)
		}
	}
	if p.HelperID != "" {
		n, err := s.rdb.HDel(ctx, s.lay(school).pool+"helpers", s.lay(school).person(p.HelperID)).Result()
		if err != nil {
			return out, fail(op, err)
		}
		out.HelperState = n > 0
	}
	msgs, err := s.personOutbox(ctx, school, p, recs)
	if err != nil {
		return out, fail(op, err)
	}
	if len(msgs) > 0 {
		ob := s.key(school, "outbox:")
		_, err = s.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			for _, m := range msgs {
				pl.HDel(ctx, ob+"msg", m.key)
				pl.HDel(ctx, ob+"tries", m.key)
				pl.ZRem(ctx, ob+"urgent", m.key)
				pl.ZRem(ctx, ob+"queue", m.key)
			}
			return nil
		})
		if err != nil {
			return out, fail(op, err)
		}
		out.Outbox = len(msgs)
	}
	signed, err := s.personSigned(ctx, school, pseudo, p.Names)
	if err != nil {
		return out, fail(op, err)
	}
	if out.Stories, err = s.unsign(ctx, school, signed); err != nil {
		return out, fail(op, err)
	}
	held, _, err := s.personHeld(ctx, school, mine(p.Address))
	if err != nil {
		return out, fail(op, err)
	}
	if len(held) > 0 {
		// Gone before its author chose: never shared, as when the hold
		// lapses.
		n, err := s.rdb.Del(ctx, held...).Result()
		if err != nil {
			return out, fail(op, err)
		}
		out.HeldStories = int(n)
	}
	consults, _, err := s.personHeldConsults(ctx, school, mine(p.Address))
	if err != nil {
		return out, fail(op, err)
	}
	if len(consults) > 0 {
		// As when the hold lapses: never sent.
		n, err := s.rdb.Del(ctx, consults...).Result()
		if err != nil {
			return out, fail(op, err)
		}
		out.HeldConsults = int(n)
	}
	others, err := s.pseudonymKeys(ctx, school, pseudo)
	if err != nil {
		return out, fail(op, err)
	}
	if len(others) > 0 {
		if err := s.rdb.Del(ctx, others...).Err(); err != nil {
			return out, fail(op, err)
		}
		out.OtherKeys = len(others)
	}
	// The language the person reads is kept for all schools, in a slot of
	// its own: deleted on its own.
	n, err := s.rdb.Del(ctx, s.langKey(pseudo)).Result()
	if err != nil {
		return out, fail(op, err)
	}
	out.OtherKeys += int(n)
	return out, nil
}

// langKey is where the platform adapters keep the language a person reads
// (internal/personlang): not under a school, since a person may be at
// several.
func (s *Store) langKey(pseudo string) string { return s.prefix + ":lang:" + pseudo }

// personLang is the kept language of the person, "" when none is.
func (s *Store) personLang(ctx context.Context, pseudo string) (string, error) {
	v, err := s.rdb.Get(ctx, s.langKey(pseudo)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}

func checkPerson(school string, p Person) error {
	if err := checkSchool(school); err != nil {
		return err
	}
	if p.Address.Platform == "" || p.Address.Handle == "" {
		return errors.New("no platform account given")
	}
	return nil
}

// personRecord is a request record and how the person is in it.
type personRecord struct {
	fields        map[string]string
	asked, helped bool
}

// open reports whether the request is still open and the person still
// has a part in it.
func (r personRecord) open() bool {
	switch bot.State(r.fields[fState]) {
	case bot.StateOffered, bot.StateAccepted, bot.StateEscalated, bot.StateHeld:
		return true
	}
	return false
}

// personRecords are the school's request records that name p, read by a
// scan of the school's keys.
func (s *Store) personRecords(ctx context.Context, school string, p Person) ([]personRecord, error) {
	var keys []string
	if err := s.scan(ctx, globEscape(s.key(school, "req:"))+"*", func(k string) { keys = append(keys, k) }); err != nil {
		return nil, err
	}
	slices.Sort(keys)
	who := mine(p.Address)
	var out []personRecord
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 200)]
		keys = keys[len(batch):]
		cmds := make([]*redis.MapStringStringCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
			for i, k := range batch {
				cmds[i] = pl.HGetAll(ctx, k)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, c := range cmds {
			f := c.Val()
			if len(f) == 0 || f[fID] == "" || (f[fSchool] != "" && f[fSchool] != school) {
				continue // another school that shares the key space's tag
			}
			r := personRecord{fields: f}
			r.asked = f[fMine] == who || identity(f[fRqPlatform], f[fRqHandle]) == who
			r.helped = identity(f[fPickedPlatform], f[fPickedHandle]) == who ||
				(p.HelperID != "" && (f[fHelper] == p.HelperID || slices.Contains(strings.Split(f[fTried], ","), p.HelperID)))
			if r.asked || r.helped {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func identity(platform, handle string) string {
	if platform == "" || handle == "" {
		return ""
	}
	return bot.Address{Platform: bot.Platform(platform), Handle: handle}.Identity()
}

type outboxMsg struct{ key, value string }

// personOutbox are the messages waiting in the school's outbox for p: the
// notices to them as a helper, to the requester of a request they asked,
// and messages made whole addressed to their handle.
func (s *Store) personOutbox(ctx context.Context, school string, p Person, recs []personRecord) ([]outboxMsg, error) {
	all, err := s.rdb.HGetAll(ctx, s.key(school, "outbox:msg")).Result()
	if err != nil {
		return nil, err
	}
	asked, picked := map[string]bool{}, map[string]bool{}
	who := mine(p.Address)
	for _, r := range recs {
		asked[r.fields[fID]] = r.asked
		picked[r.fields[fID]] = identity(r.fields[fPickedPlatform], r.fields[fPickedHandle]) == who
	}
	handle := strings.ToLower(`"Handle":` + strconv.Quote(p.Address.Handle))
	var out []outboxMsg
	for k, v := range all {
		parts := strings.Split(v, "|")
		mineMsg := false
		if len(parts) >= 5 && parts[0] == "notice" {
			to := parts[4]
			mineMsg = (p.HelperID != "" && to == "helper:"+p.HelperID) ||
				(asked[parts[2]] && strings.HasPrefix(to, "requester")) || (picked[parts[2]] && strings.HasPrefix(to, "picker"))
		} else {
			mineMsg = strings.Contains(strings.ToLower(v), handle)
		}
		if mineMsg {
			out = append(out, outboxMsg{k, v})
		}
	}
	slices.SortFunc(out, func(a, b outboxMsg) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

// pseudonymKeys are the school's keys named by the pseudonym but the
// index of open requests (read on its own): what later parts of hulpbot
// keep per person.
func (s *Store) pseudonymKeys(ctx context.Context, school, pseudo string) ([]string, error) {
	var keys []string
	index := s.key(school, "mine:"+pseudo)
	err := s.scan(ctx, globEscape(s.base(school))+"*"+pseudo+"*", func(k string) {
		if k != index {
			keys = append(keys, k)
		}
	})
	slices.Sort(keys)
	return keys, err
}

// dump is a key's value as JSON can show it.
func (s *Store) dump(ctx context.Context, k string) (any, error) {
	t, err := s.rdb.Type(ctx, k).Result()
	if err != nil {
		return nil, err
	}
	switch t {
	case "string":
		return s.rdb.Get(ctx, k).Result()
	case "hash":
		return s.rdb.HGetAll(ctx, k).Result()
	case "list":
		return s.rdb.LRange(ctx, k, 0, -1).Result()
	case "set":
		return s.rdb.SMembers(ctx, k).Result()
	case "zset":
		return s.rdb.ZRange(ctx, k, 0, -1).Result()
	}
	return t, nil
}
