package redisstore

import (
	"context"
	_ "embed"
	"encoding/json"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// A person's success stories, for their export and erasure: the stories
// they signed (kept with their pseudonym since signatures keep their
// author; before that, with only the name they signed with) and the
// stories of theirs that are held (hold_story.lua).

//go:embed erase_signed.lua
var eraseSignedLua string

var eraseSigned = redis.NewScript(eraseSignedLua)

// StoryView is a success story of a person as an export shows it.
type StoryView struct {
	Week string `json:"week"`
	// Text is the story; empty for a held story its author decided on.
	Text string `json:"text,omitempty"`
	// SignedAs is the name it carries, when signed.
	SignedAs string `json:"signed_as,omitempty"`
	// Held is "held" while its author has not chosen, then for a while
	// what they chose ("shared", "cancelled"); empty for a story in the
	// week's post.
	Held string `json:"held,omitempty"`
}

// signedOf is a signed story of the person in a week's list: the entry as
// kept, for the erasure to find it again.
type signedOf struct {
	week, entry string
	st          storyJSON
}

// signs reports whether a signed story is the person's: by pseudonym, or,
// for a story signed before signatures kept their author, by one of the
// names they may have signed with.
func signs(st storyJSON, pseudo string, names []string) bool {
	if st.Who != "" {
		return st.Who == pseudo
	}
	by := strings.TrimSpace(st.By)
	return by != "" && slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSpace(n), by) })
}

// personSigned are the signed stories of the person at school, by week.
func (s *Store) personSigned(ctx context.Context, school, pseudo string, names []string) ([]signedOf, error) {
	prefix := s.key(school, "signed:")
	var keys []string
	if err := s.scan(ctx, globEscape(prefix)+"*", func(k string) { keys = append(keys, k) }); err != nil {
		return nil, err
	}
	slices.Sort(keys)
	var out []signedOf
	for _, k := range keys {
		v, err := s.rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			return nil, err
		}
		for _, e := range v {
			var st storyJSON
			if json.Unmarshal([]byte(e), &st) != nil || !signs(st, pseudo, names) {
				continue
			}
			out = append(out, signedOf{week: strings.TrimPrefix(k, prefix), entry: e, st: st})
		}
	}
	return out, nil
}

// personHeld are the keys of the person's held stories (and of the marks
// left by their decisions), with the story as an export shows it.
func (s *Store) personHeld(ctx context.Context, school, who string) ([]string, []StoryView, error) {
	var keys []string
	if err := s.scan(ctx, globEscape(s.key(school, "story:"))+"*", func(k string) { keys = append(keys, k) }); err != nil {
		return nil, nil, err
	}
	slices.Sort(keys)
	var (
		held  []string
		views []StoryView
	)
	for _, k := range keys {
		// An unsigned story its author may still sign is a string that
		// names nobody; a held story is a hash.
		t, err := s.rdb.Type(ctx, k).Result()
		if err != nil {
			return nil, nil, err
		}
		if t != "hash" {
			continue
		}
		h, err := s.rdb.HGetAll(ctx, k).Result()
		if err != nil {
			return nil, nil, err
		}
		if h["mine"] != who {
			continue
		}
		v := StoryView{Week: h["week"], Held: "held"}
		if d := h["done"]; d != "" {
			v.Held = d
		}
		if strings.HasPrefix(h["list"], "signed:") {
			var st storyJSON
			if json.Unmarshal([]byte(h["entry"]), &st) == nil {
				v.Text, v.SignedAs = st.Text, st.By
			}
		} else {
			v.Text = h["entry"]
		}
		held = append(held, k)
		views = append(views, v)
	}
	return held, views, nil
}

// HeldConsultView is a meedenken question of a person held for their
// choice (hold_consult.lua), as an export shows it.
type HeldConsultView struct {
	ID       string `json:"id"`
	Group    string `json:"group,omitempty"`
	Question string `json:"question,omitempty"`
	// Held is "held" while they have not chosen, then for a while what
	// they chose ("sent", "cancelled"), without the question.
	Held string `json:"held"`
}

// personHeldConsults are the keys of the person's held consult questions
// (and of the marks of their decisions), with what an export shows.
func (s *Store) personHeldConsults(ctx context.Context, school, who string) ([]string, []HeldConsultView, error) {
	prefix := s.key(school, "consulthold:")
	var keys []string
	if err := s.scan(ctx, globEscape(prefix)+"*", func(k string) { keys = append(keys, k) }); err != nil {
		return nil, nil, err
	}
	slices.Sort(keys)
	var (
		held  []string
		views []HeldConsultView
	)
	for _, k := range keys {
		h, err := s.rdb.HGetAll(ctx, k).Result()
		if err != nil {
			return nil, nil, err
		}
		if h["mine"] != who {
			continue
		}
		v := HeldConsultView{ID: strings.TrimPrefix(k, prefix), Group: h["group"], Question: h["question"], Held: "held"}
		if d := h["done"]; d != "" {
			v.Held = d
		}
		held = append(held, k)
		views = append(views, v)
	}
	return held, views, nil
}

// unsign takes the person's signature off their signed stories: each
// moves, without a name, to its week's unsigned stories (erase_signed.lua,
// one script per week). It returns how many it moved.
func (s *Store) unsign(ctx context.Context, school string, signed []signedOf) (int, error) {
	byWeek := map[string][]any{}
	var weeks []string
	for _, x := range signed {
		if byWeek[x.week] == nil {
			weeks = append(weeks, x.week)
		}
		byWeek[x.week] = append(byWeek[x.week], x.entry, x.st.Text)
	}
	moved := 0
	for _, w := range weeks {
		n, err := eraseSigned.Run(ctx, s.rdb, []string{s.key(school, "signed:"+w), s.key(school, "stories:"+w)}, byWeek[w]...).Int()
		if err != nil {
			return moved, err
		}
		moved += n
	}
	return moved, nil
}
