package bot

import "slices"

// A CJG coach often serves several schools, configured at each of them. At
// every school they are a Helper with an id of that school's own; as a
// person they are one: one request or offer at a time across all of them,
// one availability, one "last assigned" for fair routing. LinkPeople finds
// who is who; the store keeps one state per person.

// HelperAt names a helper as configured at one school.
type HelperAt struct {
	School string
	Helper string // Helper.ID at that school
}

// Person is one human configured as a helper at one or more schools, in
// school order (Directory.Schools), each school once or more.
type Person struct {
	At []HelperAt
}

// Pool is a set of schools joined by the people they share: two schools
// belong to one pool when a person helps at both, or at a school of the
// pool that shares another person with the other. A school that shares
// nobody is a pool of its own. The store keeps a pool's state together, so
// one change can see and change a person at every school of theirs.
type Pool struct {
	Schools []string // in Directory.Schools order
	People  []Person // in order of their first entry
}

// LinkPeople makes helpers configured at several schools (or twice at one)
// one person when they share an account on one of platforms (a Mattermost
// username, case-insensitive, or a Slack member id), and groups the schools
// into pools accordingly. Each such helper learns at which other schools
// they help (Helper.AlsoAt). Accounts on other platforms (the terminal
// chat, whose names default to helper ids) join nobody. Call it once,
// right after NewDirectory.
func (d *Directory) LinkPeople(platforms ...Platform) {
	// Union-find over helper entries, numbered in school order.
	var refs []HelperAt
	for _, s := range d.schools {
		for _, h := range s.Helpers {
			refs = append(refs, HelperAt{School: s.ID, Helper: h.ID})
		}
	}
	parent := make([]int, len(refs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		// The lower entry is the root: a person's first entry names them.
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	seen := map[string]int{}
	n := 0
	for _, s := range d.schools {
		for _, h := range s.Helpers {
			for _, a := range h.Accounts {
				if a.Handle == "" || !slices.Contains(platforms, a.Platform) {
					continue
				}
				id := a.Identity()
				if first, ok := seen[id]; ok {
					union(first, n)
				} else {
					seen[id] = n
				}
			}
			n++
		}
	}

	people := map[int]*Person{}
	var order []int
	for i, r := range refs {
		root := find(i)
		p, ok := people[root]
		if !ok {
			p = &Person{}
			people[root] = p
			order = append(order, root)
		}
		p.At = append(p.At, r)
	}

	// Schools joined by a person are one pool (union-find over schools).
	schoolIdx := make(map[string]int, len(d.schools))
	for i, s := range d.schools {
		schoolIdx[s.ID] = i
	}
	sp := make([]int, len(d.schools))
	for i := range sp {
		sp[i] = i
	}
	var sfind func(int) int
	sfind = func(i int) int {
		for sp[i] != i {
			sp[i] = sp[sp[i]]
			i = sp[i]
		}
		return i
	}
	for _, root := range order {
		p := people[root]
		first := sfind(schoolIdx[p.At[0].School])
		for _, r := range p.At[1:] {
			o := sfind(schoolIdx[r.School])
			if o != first {
				if o < first {
					first, o = o, first
				}
				sp[o] = first
			}
		}
	}
	d.pools = map[string]*Pool{}
	byRoot := map[int]*Pool{}
	for i, s := range d.schools {
		root := sfind(i)
		pl, ok := byRoot[root]
		if !ok {
			pl = &Pool{}
			byRoot[root] = pl
		}
		pl.Schools = append(pl.Schools, s.ID)
		d.pools[s.ID] = pl
	}
	for _, root := range order {
		p := people[root]
		pl := d.pools[p.At[0].School]
		pl.People = append(pl.People, *p)
		// Where else this person helps, for the words of an offer.
		for _, r := range p.At {
			var also []string
			for _, o := range p.At {
				if o.School != r.School && !slices.Contains(also, o.School) {
					also = append(also, o.School)
				}
			}
			if len(also) == 0 {
				continue
			}
			if h, ok := d.byID[r.School].HelperByID(r.Helper); ok {
				h.AlsoAt = also
			}
		}
	}
}

// PoolOf is the pool of school: itself alone unless LinkPeople joined it
// with others. ok is false for a school not in the directory.
func (d *Directory) PoolOf(school string) (Pool, bool) {
	s, ok := d.byID[school]
	if !ok {
		return Pool{}, false
	}
	if p, ok := d.pools[school]; ok {
		return *p, true
	}
	p := Pool{Schools: []string{school}}
	for _, h := range s.Helpers {
		p.People = append(p.People, Person{At: []HelperAt{{School: school, Helper: h.ID}}})
	}
	return p, true
}

// Elsewhere are the other entries of the person configured as helper at
// school: the same person at other schools (or twice at one).
func (d *Directory) Elsewhere(school, helper string) []HelperAt {
	p, ok := d.pools[school]
	if !ok {
		return nil
	}
	me := HelperAt{School: school, Helper: helper}
	for _, person := range p.People {
		if slices.Contains(person.At, me) {
			return slices.DeleteFunc(slices.Clone(person.At), func(a HelperAt) bool { return a == me })
		}
	}
	return nil
}

// Pools lists every pool once, in school order of their first school.
func (d *Directory) Pools() []Pool {
	var out []Pool
	done := map[string]bool{}
	for _, s := range d.schools {
		if done[s.ID] {
			continue
		}
		p, _ := d.PoolOf(s.ID)
		for _, id := range p.Schools {
			done[id] = true
		}
		out = append(out, p)
	}
	return out
}

// SharesHelpers reports whether someone who helps at this school helps at
// another school too: its fallback post then names the school.
func (s *School) SharesHelpers() bool {
	for _, h := range s.Helpers {
		if len(h.AlsoAt) > 0 {
			return true
		}
	}
	return false
}
