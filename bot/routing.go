package bot

import (
	"slices"
	"time"
)

// Candidate is a helper who may be offered a request, with a rank from the
// school's policy: lower is asked first. The store breaks ties inside one
// rank by least recently assigned, then by list order, and skips whoever is
// not available, engaged, or already tried for this request (see Choose).
type Candidate struct {
	HelperID string
	Rank     int
}

// Candidates lists the school's helpers on duty at now for a request from
// group, ordered by rank: role priority first, then whether the helper covers
// the group. This is the static half of the routing policy; Choose is the
// dynamic half that the store applies atomically.
func Candidates(s *School, group string, now time.Time) []Candidate {
	var out []Candidate
	for _, h := range s.Helpers {
		if !h.Schedule.OnDuty(s, now) {
			continue
		}
		rank := s.rolePriority(h.Role) * 2
		if !slices.Contains(h.Groups, group) {
			rank++
		}
		out = append(out, Candidate{HelperID: h.ID, Rank: rank})
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return a.Rank - b.Rank })
	return out
}

// Choose picks the helper to offer a request to: among candidates that were
// not tried, hold no offer or request, and are available at now, the lowest
// rank; then the one least recently assigned; then the first in the list.
//
// The store runs the same rule inside its atomic script (the Redis store's
// create_offer.lua and advance.lua), where the helper states cannot change
// under it; this function is the reference the store is tested against.
func Choose(now time.Time, cands []Candidate, states map[string]HelperState, tried []string) (string, bool) {
	best := -1
	for i, c := range cands {
		st := states[c.HelperID]
		if slices.Contains(tried, c.HelperID) || st.Engaged != "" || st.At(now) != Available {
			continue
		}
		if best < 0 || c.Rank < cands[best].Rank ||
			(c.Rank == cands[best].Rank && st.LastAssigned.Before(states[cands[best].HelperID].LastAssigned)) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return cands[best].HelperID, true
}
