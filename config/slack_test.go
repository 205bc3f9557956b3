package config

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// slackSchools are three schools, each in its own Slack workspace but
// de-linde, which is on Slack through its people only.
const slackSchools = `
schools:
  - id: de-vaart
    name: De Vaart
    slack_team: T0DEVAART1
    groups: ["5"]
    fallback_channel: kernteam
    helpers: [{name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: [altijd]}]
  - id: de-wilg
    name: De Wilg
    slack_team: T0DEWILG01
    groups: ["5"]
    fallback_channel: kernteam
    helpers: [{name: Wim, role: jeugdhulpverlener, slack: U0WIM00001, schedule: [altijd]}]
  - id: de-linde
    name: De Linde
    groups: ["5"]
    fallback_channel: kernteam
    helpers: [{name: Cas, role: cjg-coach, shell: cas, schedule: [altijd]}]
`

func TestSlackWorkspaces(t *testing.T) {
	const twoTokens = `
slack:
  signing_secret: sign
  workspaces:
    - {team: T0DEVAART1, bot_token: xoxb-vaart}
    - {team: T0DEWILG01, bot_token: xoxb-wilg}
`
	for _, tc := range []struct {
		name   string
		slack  string // the slack section
		env    map[string]string
		change func(c *Config)
		want   []Problem
		tokens map[string]string // SlackBotTokens when valid
		bot    string            // its fallback
	}{
		{name: "a token per workspace", slack: twoTokens,
			tokens: map[string]string{"T0DEVAART1": "xoxb-vaart", "T0DEWILG01": "xoxb-wilg"}},
		{name: "one token for all, as before", slack: "slack: {bot_token: xoxb-1, signing_secret: sign}\n",
			tokens: map[string]string{}, bot: "xoxb-1"},
		{name: "one token for the workspaces without one", slack: `
slack:
  bot_token: xoxb-1
  signing_secret: sign
  workspaces: [{team: T0DEWILG01, bot_token: xoxb-wilg}]
`, tokens: map[string]string{"T0DEWILG01": "xoxb-wilg"}, bot: "xoxb-1"},
		{name: "tokens from the environment", slack: "slack: {signing_secret: sign}\n",
			env:    map[string]string{"HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1": "xoxb-env-vaart", "HULPBOT_SLACK_BOT_TOKEN_T0DEWILG01": "xoxb-env-wilg", "HULPBOT_SLACK_BOT_TOKEN_T0NOBODY01": "xoxb-stray"},
			tokens: map[string]string{"T0DEVAART1": "xoxb-env-vaart", "T0DEWILG01": "xoxb-env-wilg"}},
		{name: "the environment overrides the file", slack: twoTokens,
			env:    map[string]string{"HULPBOT_SLACK_BOT_TOKEN_T0DEWILG01": "xoxb-env-wilg"},
			tokens: map[string]string{"T0DEVAART1": "xoxb-vaart", "T0DEWILG01": "xoxb-env-wilg"}},
		{name: "a ${VAR} per workspace", slack: `
slack:
  signing_secret: sign
  workspaces:
    - {team: T0DEVAART1, bot_token: "${VAART}"}
    - {team: T0DEWILG01, bot_token: "${WILG}"}
`, env: map[string]string{"VAART": "xoxb-v"},
			want: []Problem{{"slack.workspaces[1].bot_token", "${WILG} is not set"}}},
		{name: "a workspace without a token", slack: "slack: {signing_secret: sign, workspaces: [{team: T0DEVAART1, bot_token: xoxb-vaart}]}\n",
			want: []Problem{{"schools[1].slack_team", `"T0DEWILG01" has no bot token: add {team: T0DEWILG01, bot_token: xoxb-…} under slack.workspaces, or set HULPBOT_SLACK_BOT_TOKEN_T0DEWILG01`}}},
		{name: "no token at all", slack: "slack: {signing_secret: sign}\n",
			want: []Problem{{"slack.bot_token", "empty"}}},
		{name: "a team listed twice", slack: twoTokens, change: func(c *Config) {
			c.Slack.Workspaces = append(c.Slack.Workspaces, SlackWorkspace{Team: "T0DEVAART1", BotToken: "xoxb-other"})
		}, want: []Problem{{"slack.workspaces[2].team", `"T0DEVAART1" is listed twice (also slack.workspaces[0]): a workspace has one bot token`}}},
		{name: "a token no school needs", slack: twoTokens, change: func(c *Config) {
			c.Slack.Workspaces = append(c.Slack.Workspaces, SlackWorkspace{Team: "T0ELDERS01", BotToken: "xoxb-elders"})
		}, want: []Problem{{"slack.workspaces[2].team", `"T0ELDERS01" is no school's slack_team: link a school to it, or remove it`}}},
		{name: "one token for two workspaces", slack: twoTokens, change: func(c *Config) { c.Slack.Workspaces[1].BotToken = "xoxb-vaart" },
			want: []Problem{{"slack.workspaces[1].bot_token", "the same token as workspace T0DEVAART1: each workspace's installation has a token of its own, good in that workspace only (an Enterprise Grid org-wide installation's one token goes in slack.bot_token)"}}},
		{name: "not a bot token", slack: twoTokens, change: func(c *Config) { c.Slack.Workspaces[0].BotToken = "xapp-1-A0" },
			want: []Problem{{"slack.workspaces[0].bot_token", "is not a bot token (xoxb-…): use the Bot User OAuth Token of the app's installation in this workspace"}}},
		{name: "not a team id", slack: twoTokens, change: func(c *Config) { c.Slack.Workspaces[0].Team = "de-vaart" },
			want: []Problem{
				{"slack.workspaces[0].team", `"de-vaart" is not a Slack team id like T0DEVAART1`},
				{"schools[0].slack_team", `"T0DEVAART1" has no bot token: add {team: T0DEVAART1, bot_token: xoxb-…} under slack.workspaces, or set HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1`},
			}},
		{name: "tokens from installations", slack: "slack: {signing_secret: sign, client_id: \"123.456\", public_url: \"https://hulpbot.example.nl/\"}\n",
			env: map[string]string{"HULPBOT_SLACK_CLIENT_SECRET": "cs"}, tokens: map[string]string{}},
		{name: "installations need the client secret and the public url", slack: "slack: {signing_secret: sign, client_id: \"123.456\"}\n",
			want: []Problem{{"slack.client_secret", "empty"}, {"slack.public_url", "empty: Slack sends the browser back to public_url/slack/oauth after an installation"}}},
		{name: "a school on Slack without its workspace", slack: twoTokens, change: func(c *Config) { c.Schools[2].Helpers[0].Slack = "U0CAS00001" },
			want: []Problem{{"schools[2].slack_team", "empty, while 1 of its people have a Slack member id: link the school's workspace, so hulpbot knows which workspace's bot token reaches them (or set slack.bot_token)"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(slackSchools+tc.slack), env(tc.env))
			if err == nil && tc.change != nil {
				tc.change(c)
				err = c.Validate()
			}
			got := problemsOf(t, err)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
			if tc.want != nil {
				return
			}
			if id, secret, redirect, ok := c.SlackInstall(); ok && (id != "123.456" || secret != "cs" || redirect != "https://hulpbot.example.nl/slack/oauth") {
				t.Errorf("SlackInstall() = %q, %q, %q", id, secret, redirect)
			}
			tokens, bot := c.SlackBotTokens()
			if !maps.Equal(tokens, tc.tokens) || bot != tc.bot {
				t.Errorf("SlackBotTokens() = %v, %q; want %v, %q", tokens, bot, tc.tokens, tc.bot)
			}
		})
	}
}

func TestSlackWarnings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		slack string
		want  string // "" for no warning
	}{
		{"a token per workspace", "slack: {signing_secret: s, workspaces: [{team: T0DEVAART1, bot_token: xoxb-v}, {team: T0DEWILG01, bot_token: xoxb-w}]}\n", ""},
		{"one token for one workspace", "slack: {signing_secret: s, bot_token: xoxb-1, workspaces: [{team: T0DEWILG01, bot_token: xoxb-w}]}\n", ""},
		{"one token for two workspaces", "slack: {signing_secret: s, bot_token: xoxb-1}\n",
			"slack.bot_token: serves 2 workspaces without a token of their own (T0DEVAART1, T0DEWILG01), but a bot token works in the one workspace it was made for (unless it is an Enterprise Grid org-wide installation's): list each workspace's token under slack.workspaces"},
		{"no slack", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, slackSchools+tc.slack, nil)
			var got []string
			for _, w := range c.Warnings() {
				got = append(got, w.String())
			}
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Errorf("got %q, want %q", g, tc.want)
			}
		})
	}
}
