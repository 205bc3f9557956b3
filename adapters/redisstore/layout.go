package redisstore

import (
	"slices"
	"strings"

	"github.com/hulpbot/hulpbot/bot"
)

// Pools: a helper who serves several schools is one person, so the state of
// that person and the requests of every school they serve must be changed
// by one script, and so live in one Redis Cluster slot. The slot is the
// pool's (bot.Pool: schools joined by the people they share), named by its
// hash tag:
//
//   - a school that shares nobody is a pool of its own, tagged with its id:
//     its keys are <prefix>:{<school>}:…, as they always were, and the
//     helpers hash's field is the helper id;
//   - a pool of several schools is tagged pool.<lowest school id> (a dot is
//     never part of a school id, so the tag is no school's): a school's keys
//     are <prefix>:{pool.<id>}:<school>:…, and the pool's people hash
//     <prefix>:{pool.<id>}:helpers has one field per person,
//     <school>/<helper> of their first entry (the lowest).
//
// Configuration decides the pools; a change of configuration that joins or
// splits them moves the keys at start (MigrateLayout).

// schoolLayout is where one school's keys are.
type schoolLayout struct {
	tag    string            // the hash tag's content
	base   string            // every key of the school starts with it
	pool   string            // the pool's own keys (its people hash) start with it
	people map[string]string // helper id → field in the people hash
}

// poolTagPrefix starts the tag of a pool of several schools.
const poolTagPrefix = "pool."

// UsePools makes the store keep one state per person across the schools of
// dir (bot.Directory.LinkPeople joined them into pools). Call it before the
// store is used; without it every school is a pool of its own.
func (s *Store) UsePools(dir *bot.Directory) {
	s.layout = layoutOf(s.prefix, dir)
}

// layoutOf computes where every school's keys are.
func layoutOf(prefix string, dir *bot.Directory) map[string]*schoolLayout {
	out := map[string]*schoolLayout{}
	for _, p := range dir.Pools() {
		ids := slices.Clone(p.Schools)
		slices.Sort(ids)
		tag := ids[0]
		if len(ids) > 1 {
			tag = poolTagPrefix + ids[0]
		}
		pool := prefix + ":{" + tag + "}:"
		for _, sc := range p.Schools {
			l := &schoolLayout{tag: tag, base: pool, pool: pool, people: map[string]string{}}
			if len(ids) > 1 {
				l.base = pool + sc + ":"
			}
			out[sc] = l
		}
		for _, person := range p.People {
			field := personField(len(ids) > 1, person.At)
			for _, at := range person.At {
				out[at.School].people[at.Helper] = field
			}
		}
	}
	return out
}

// personField names a person in their pool's people hash: a helper id when
// the pool is one school, else school/helper; of several entries the
// lowest, so it does not depend on the order of the configuration.
func personField(several bool, at []bot.HelperAt) string {
	best := ""
	for _, a := range at {
		f := a.Helper
		if several {
			f = a.School + "/" + a.Helper
		}
		if best == "" || f < best {
			best = f
		}
	}
	return best
}

// lay is the layout of school: configured, or a pool of its own.
func (s *Store) lay(school string) *schoolLayout {
	if l, ok := s.layout[school]; ok {
		return l
	}
	b := s.prefix + ":{" + school + "}:"
	return &schoolLayout{tag: school, base: b, pool: b}
}

// person is the field of helper (an id at school) in the pool's people
// hash.
func (l *schoolLayout) person(helper string) string {
	if f, ok := l.people[helper]; ok {
		return f
	}
	if l.base != l.pool {
		// A helper not in the configuration of a pool of several: named
		// like the others, never mixed up with one of another school.
		return strings.TrimSuffix(strings.TrimPrefix(l.base, l.pool), ":") + "/" + helper
	}
	return helper
}

// Base is where every key of school starts ("<prefix>:{<tag>}:…:"), for
// the outbox, whose keys a school shares with its store.
func (s *Store) Base(school string) string { return s.lay(school).base }
