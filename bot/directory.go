package bot

import (
	"fmt"
	"strings"
)

// Directory finds a school by id or by the team or workspace a platform
// names. It is built once from configuration and read-only afterwards.
type Directory struct {
	schools []*School
	byID    map[string]*School
	byTeam  map[string]*School // "platform/team", team lower-cased
	pools   map[string]*Pool   // school id → its pool; nil until LinkPeople
}

// NewDirectory indexes schools; ids and team links must be unique.
func NewDirectory(schools []*School) (*Directory, error) {
	d := &Directory{schools: schools, byID: map[string]*School{}, byTeam: map[string]*School{}}
	for _, s := range schools {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		if _, dup := d.byID[s.ID]; dup {
			return nil, fmt.Errorf("school id %q used twice", s.ID)
		}
		d.byID[s.ID] = s
		for _, l := range s.Teams {
			if l.Team == "" {
				continue
			}
			k := teamKey(l.Platform, l.Team)
			if other, dup := d.byTeam[k]; dup {
				return nil, fmt.Errorf("%s team %q linked to both %s and %s", l.Platform, l.Team, other.ID, s.ID)
			}
			d.byTeam[k] = s
		}
	}
	return d, nil
}

// Schools lists all schools in configuration order.
func (d *Directory) Schools() []*School { return d.schools }

// School returns the school with this id.
func (d *Directory) School(id string) (*School, bool) {
	s, ok := d.byID[id]
	return s, ok
}

// ByTeam returns the school linked to team on platform p (TeamLink).
func (d *Directory) ByTeam(p Platform, team string) (*School, bool) {
	s, ok := d.byTeam[teamKey(p, team)]
	return s, ok
}

func teamKey(p Platform, team string) string { return string(p) + "/" + strings.ToLower(team) }
