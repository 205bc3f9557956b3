package bot

import (
	"slices"
	"strings"
)

// Samenwerkingsverband is a regional partnership of schools that funds
// their extra support and decides on it with the year's figures. Its
// coordinators see every school of it and the totals; a school's own
// coordinators see their school only.
type Samenwerkingsverband struct {
	ID, Name     string
	Coordinators []Coordinator
	Schools      []string // school ids, in configuration order
}

// Has reports whether the school with this id belongs to s.
func (s *Samenwerkingsverband) Has(school string) bool { return slices.Contains(s.Schools, school) }

// IsCoordinator reports whether a is one of s's coordinators.
func (s *Samenwerkingsverband) IsCoordinator(a Address) bool {
	for _, c := range s.Coordinators {
		if acc := c.Accounts.On(a.Platform); acc != "" && strings.EqualFold(acc, a.Handle) {
			return true
		}
	}
	return false
}
