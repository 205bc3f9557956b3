package config

import (
	"fmt"
	"slices"
	"strings"
)

// MattermostCommandTokens is the token of each team's /hulp command by team
// name, lower case, for the Mattermost adapter, which accepts a token only
// with its own team: command_tokens as written, or the one command_token
// for the one school with a mattermost_team (bound to no team, key "",
// when no school has one yet). Nil without a mattermost section.
func (c *Config) MattermostCommandTokens() map[string]string {
	m := c.Mattermost
	if m == nil {
		return nil
	}
	out := map[string]string{}
	if len(m.CommandTokens) > 0 {
		for team, tok := range m.CommandTokens {
			out[strings.ToLower(team)] = tok
		}
		return out
	}
	if m.CommandToken == "" {
		return out
	}
	teams := c.mattermostTeams()
	switch len(teams) {
	case 0:
		out[""] = m.CommandToken
	case 1:
		out[teams[0]] = m.CommandToken
	}
	return out
}

// mattermostTeams are the schools' Mattermost teams, lower case, in the
// order of the schools.
func (c *Config) mattermostTeams() []string {
	var out []string
	for _, s := range c.Schools {
		if t := strings.ToLower(strings.TrimSpace(s.MattermostTeam)); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// commandTokens checks that every Mattermost team has its own /hulp token,
// bound to it: command_token for a deployment with one team, command_tokens
// by team name for several. A token shared by teams, or one that several
// teams would have to share, could not tell them apart, and a team's
// token would work for every school.
func (v *validator) commandTokens(c *Config) {
	m := c.Mattermost
	teams := c.mattermostTeams()
	const setup = "hulpbot mattermost-setup prints them"
	if len(m.CommandTokens) == 0 {
		switch {
		case m.CommandToken == "" && len(teams) > 1:
			v.add("mattermost.command_tokens", "empty: each team's /hulp command has its own token; list them by team name (%s)", setup)
		case !v.required("mattermost.command_token", m.CommandToken):
		case strings.ContainsAny(m.CommandToken, ", \t\n"):
			v.add("mattermost.command_token", "holds several tokens: each team's /hulp command has its own token, good for that team only; list them under mattermost.command_tokens by team name (%s)", setup)
		case len(teams) > 1:
			v.add("mattermost.command_token", "one token for %d teams (%s): each team's /hulp command has its own token, good for that team only; list them under mattermost.command_tokens by team name (%s)",
				len(teams), strings.Join(teams, ", "), setup)
		}
		return
	}
	if m.CommandToken != "" {
		v.add("mattermost.command_token", "set command_token (one team) or command_tokens (a token per team), not both (HULPBOT_MATTERMOST_COMMAND_TOKEN sets command_token)")
	}
	if len(c.Schools) == 0 {
		return // no teams to bind tokens to: "schools: empty" says it
	}
	names := make([]string, 0, len(m.CommandTokens))
	for name := range m.CommandTokens {
		names = append(names, name)
	}
	slices.Sort(names)
	seenTeam := map[string]string{}  // lower-case team → key as written
	seenToken := map[string]string{} // token → key as written
	for _, name := range names {
		field := "mattermost.command_tokens." + name
		tok := m.CommandTokens[name]
		team := strings.ToLower(strings.TrimSpace(name))
		switch {
		case !slices.Contains(teams, team):
			v.add(field, "%q is no school's mattermost_team", name)
			continue
		case seenTeam[team] != "":
			v.add(field, "the team is listed twice (as %q and %q)", seenTeam[team], name)
			continue
		}
		seenTeam[team] = name
		switch {
		case !v.required(field, tok):
		case strings.ContainsAny(tok, ", \t\n"):
			v.add(field, "holds several tokens: give the one token of this team's /hulp command")
		case seenToken[tok] != "":
			v.add(field, "the same token as %s: each team's /hulp command has its own token, good for that team only", seenToken[tok])
		default:
			seenToken[tok] = name
		}
	}
	for i, s := range c.Schools {
		// (A team linked to two schools is reported with the schools.)
		if team := strings.ToLower(strings.TrimSpace(s.MattermostTeam)); team != "" && seenTeam[team] == "" {
			seenTeam[team] = s.MattermostTeam
			v.add(fmt.Sprintf("schools[%d].mattermost_team", i), "%q has no command token: add the token of its /hulp command under mattermost.command_tokens (%s)", s.MattermostTeam, setup)
		}
	}
}
