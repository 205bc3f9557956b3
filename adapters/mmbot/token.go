package mmbot

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// commandTokens are the tokens of the /hulp command, each bound to the
// team it was made in: Mattermost gives every team's command its own
// token, so a token proves which team a command came from — and only that
// team. Kept as digests, compared in constant time.
type commandTokens struct {
	teams  []string   // team name, lower case; "" for a token bound to no team
	hashes [][32]byte // sha256 of each team's token
}

// newCommandTokens binds each team's token to the team; byTeam is keyed by
// team name (any case). The key "" is a token bound to no team, for a
// deployment none of whose schools has a team yet: commands with it are
// told their team is linked to no school. Two teams may not share a token:
// it could not tell them apart.
func newCommandTokens(byTeam map[string]string) (commandTokens, error) {
	var c commandTokens
	if len(byTeam) == 0 {
		return c, errors.New("mattermost command_token is empty")
	}
	teams := make([]string, 0, len(byTeam))
	for t := range byTeam {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	seen := map[[32]byte]string{}
	for _, t := range teams {
		tok := byTeam[t]
		if tok == "" {
			return c, fmt.Errorf("mattermost command token of team %q is empty", t)
		}
		name := strings.ToLower(t)
		if slices.Contains(c.teams, name) {
			return c, fmt.Errorf("mattermost team %q has two command tokens", t)
		}
		h := hashToken(tok)
		if other, dup := seen[h]; dup {
			return c, fmt.Errorf("mattermost teams %q and %q have the same command token: each team's /%s has its own", other, t, Trigger)
		}
		seen[h] = t
		c.teams = append(c.teams, name)
		c.hashes = append(c.hashes, h)
	}
	return c, nil
}

// hashToken is what a token is compared as: equal-length digests, so the
// comparison takes the same time whatever the lengths.
func hashToken(t string) [32]byte { return sha256.Sum256([]byte(t)) }

// team is the team whose token got is; ok is false when it is none of
// them. Every token is compared, in constant time, whichever matches.
func (c commandTokens) team(got string) (team string, ok bool) {
	if got == "" {
		return "", false
	}
	h := hashToken(got)
	found, at := 0, 0
	for i, t := range c.hashes {
		eq := subtle.ConstantTimeCompare(h[:], t[:])
		at = subtle.ConstantTimeSelect(eq, i, at)
		found |= eq
	}
	if found != 1 {
		return "", false
	}
	return c.teams[at], true
}
