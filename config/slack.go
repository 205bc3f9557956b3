package config

import (
	"fmt"
	"slices"
	"strings"
)

// SlackWorkspace is one workspace the Slack app is installed in, with the
// bot token its installation gave.
type SlackWorkspace struct {
	// Team is the workspace's id (T…), as a school's slack_team names it.
	Team string `yaml:"team"`
	// BotToken is the app's bot user OAuth token (xoxb-…) in that workspace.
	BotToken string `yaml:"bot_token"`
}

// SlackTokenEnvPrefix + a team id is the environment variable that holds
// that workspace's bot token: HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1.
const SlackTokenEnvPrefix = "HULPBOT_SLACK_BOT_TOKEN_"

// SlackBotTokens are the bot tokens by workspace (team id, upper case) and
// the token for a workspace without one of its own (slack.bot_token; ""
// without). Nil and "" without a slack section.
func (c *Config) SlackBotTokens() (byTeam map[string]string, fallback string) {
	s := c.Slack
	if s == nil {
		return nil, ""
	}
	byTeam = map[string]string{}
	for _, w := range s.Workspaces {
		if t := slackTeamKey(w.Team); t != "" && w.BotToken != "" {
			byTeam[t] = w.BotToken
		}
	}
	return byTeam, s.BotToken
}

func slackTeamKey(team string) string { return strings.ToUpper(strings.TrimSpace(team)) }

// slackTeams are the schools' Slack workspaces, upper case, in the order
// of the schools.
func (c *Config) slackTeams() []string {
	var out []string
	for _, s := range c.Schools {
		if t := slackTeamKey(s.SlackTeam); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// applySlackTokenEnv sets the bot token of each workspace listed or linked
// by a school from HULPBOT_SLACK_BOT_TOKEN_<TEAM>, adding the workspace to
// slack.workspaces when it is not listed; it returns the fields it set.
// Only teams the file names are looked up: the environment never adds a
// workspace nobody linked.
func (c *Config) applySlackTokenEnv(getenv func(string) string) []string {
	s := c.Slack
	if s == nil {
		return nil
	}
	teams := c.slackTeams()
	for _, w := range s.Workspaces {
		if t := slackTeamKey(w.Team); t != "" && !slices.Contains(teams, t) {
			teams = append(teams, t)
		}
	}
	var set []string
	for _, team := range teams {
		tok := getenv(SlackTokenEnvPrefix + team)
		if tok == "" {
			continue
		}
		i := slices.IndexFunc(s.Workspaces, func(w SlackWorkspace) bool { return slackTeamKey(w.Team) == team })
		if i < 0 {
			s.Workspaces = append(s.Workspaces, SlackWorkspace{Team: team})
			i = len(s.Workspaces) - 1
		}
		s.Workspaces[i].BotToken = tok
		set = append(set, fmt.Sprintf("slack.workspaces[%d].bot_token", i))
	}
	return set
}

// slack checks the Slack section: the app's secrets, and that every
// workspace a school links has a bot token that reaches it.
func (v *validator) slack(c *Config) {
	s := c.Slack
	install := s.installs()
	if install {
		v.required("slack.client_id", s.ClientID)
		v.required("slack.client_secret", s.ClientSecret)
		if v.requiredMsg("slack.public_url", s.PublicURL, "empty: Slack sends the browser back to public_url/slack/oauth after an installation") {
			v.httpURL("slack.public_url", s.PublicURL)
		}
	} else if len(s.Workspaces) == 0 {
		v.required("slack.bot_token", s.BotToken)
	}
	if s.AppToken == "" {
		v.requiredMsg("slack.signing_secret", s.SigningSecret, "empty: needed to verify Slack's requests (or set app_token for Socket Mode)")
	} else if !strings.HasPrefix(s.AppToken, "xapp-") {
		v.add("slack.app_token", "is not an app-level token (xapp-…)")
	}
	if s.APIURL != "" {
		v.httpURL("slack.api_url", s.APIURL)
	}
	if len(s.Workspaces) == 0 {
		return
	}
	linked := c.slackTeams()
	seenTeam := map[string]int{}     // team → workspace index
	seenToken := map[string]string{} // token → team
	for i, w := range s.Workspaces {
		p := fmt.Sprintf("slack.workspaces[%d]", i)
		team := slackTeamKey(w.Team)
		switch {
		case !v.required(p+".team", w.Team):
		case !slackTeamRE.MatchString(team):
			v.add(p+".team", "%q is not a Slack team id like T0DEVAART1", w.Team)
		case hasKey(seenTeam, team):
			v.add(p+".team", "%q is listed twice (also slack.workspaces[%d]): a workspace has one bot token", w.Team, seenTeam[team])
		case !slices.Contains(linked, team):
			v.add(p+".team", "%q is no school's slack_team: link a school to it, or remove it", w.Team)
			seenTeam[team] = i
		default:
			seenTeam[team] = i
		}
		switch tok := w.BotToken; {
		case !v.requiredMsg(p+".bot_token", tok, fmt.Sprintf("empty: the bot token (xoxb-…) the app got in workspace %s (or set %s%s)", teamOrPlaceholder(team), SlackTokenEnvPrefix, teamOrPlaceholder(team))):
		case !strings.HasPrefix(tok, "xoxb-"):
			v.add(p+".bot_token", "is not a bot token (xoxb-…): use the Bot User OAuth Token of the app's installation in this workspace")
		case seenToken[tok] != "":
			v.add(p+".bot_token", "the same token as workspace %s: each workspace's installation has a token of its own, good in that workspace only (an Enterprise Grid org-wide installation's one token goes in slack.bot_token)", seenToken[tok])
		default:
			seenToken[tok] = teamOrPlaceholder(team)
		}
	}
	if s.BotToken != "" || install {
		// It serves every workspace without a token of its own, as with
		// one workspace; or their installations give them theirs.
		return
	}
	for i, sc := range c.Schools {
		team := slackTeamKey(sc.SlackTeam)
		switch {
		case team != "" && !hasKey(seenTeam, team) && slackTeamRE.MatchString(team):
			// (A team linked to two schools is reported with the schools.)
			v.add(fmt.Sprintf("schools[%d].slack_team", i), "%q has no bot token: add {team: %s, bot_token: xoxb-…} under slack.workspaces, or set %s%s", sc.SlackTeam, team, SlackTokenEnvPrefix, team)
			seenTeam[team] = -1
		case team == "" && len(s.Workspaces) > 1 && slackPeople(sc) > 0:
			v.add(fmt.Sprintf("schools[%d].slack_team", i), "empty, while %d of its people have a Slack member id: link the school's workspace, so hulpbot knows which workspace's bot token reaches them (or set slack.bot_token)", slackPeople(sc))
		}
	}
}

func teamOrPlaceholder(team string) string {
	if team == "" {
		return "<TEAM>"
	}
	return team
}

// slackPeople counts the school's helpers and coordinators with a Slack
// member id.
func slackPeople(s School) int {
	n := 0
	for _, h := range s.Helpers {
		if h.Slack != "" {
			n++
		}
	}
	for _, co := range s.Coordinators {
		if co.Slack != "" {
			n++
		}
	}
	return n
}

// installs reports whether "Add to Slack" is on.
func (s *Slack) installs() bool { return s.ClientID != "" || s.ClientSecret != "" }

// SlackInstall is what "Add to Slack" needs: the app's client id and
// secret and the URL Slack sends the browser back to; ok is false when it
// is off.
func (c *Config) SlackInstall() (clientID, clientSecret, redirectURL string, ok bool) {
	s := c.Slack
	if s == nil || !s.installs() {
		return "", "", "", false
	}
	return s.ClientID, s.ClientSecret, strings.TrimSuffix(s.PublicURL, "/") + "/slack/oauth", true
}

// Warnings are things in a valid configuration that probably do not work
// as meant, for the log at start.
func (c *Config) Warnings() []Problem {
	var out []Problem
	if s := c.Slack; s != nil && s.BotToken != "" {
		byTeam, _ := c.SlackBotTokens()
		var without []string
		for _, t := range c.slackTeams() {
			if byTeam[t] == "" {
				without = append(without, t)
			}
		}
		if len(without) > 1 {
			named := strings.Join(without[:min(len(without), 5)], ", ")
			if len(without) > 5 {
				named += ", …"
			}
			out = append(out, Problem{Field: "slack.bot_token", Message: fmt.Sprintf(
				"serves %d workspaces without a token of their own (%s), but a bot token works in the one workspace it was made for (unless it is an Enterprise Grid org-wide installation's): list each workspace's token under slack.workspaces",
				len(without), named)})
		}
	}
	return out
}
