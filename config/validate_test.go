package config

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// base is a valid configuration with two schools, both platforms (each
// school its own Mattermost team, with its own /hulp token), and a helper
// (Zoë) whose role is not in roles_priority, which is allowed.
const base = `
mattermost:
  url: https://chat.example.nl
  bot_token: bot
  command_tokens: {de-vaart: cmd-vaart, de-linde: cmd-linde}
  public_url: https://hulpbot.example.nl
slack:
  bot_token: xoxb-1
  signing_secret: sign
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    mattermost_team: de-vaart
    slack_team: T0DEVAART1
    groups: [{id: "1-2", aliases: [kleuters]}, "3", "4", "5", "6", "7", "8"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, mattermost: anne, slack: U0ANNE0001, schedule: ["ma ochtend"], groups: ["3"]}
      - {name: Bram, role: cjg-coach, mattermost: bram, schedule: [ma, "wo ochtend"]}
      - {name: Zoë, role: gedragswetenschapper, slack: U0ZOE00001, schedule: [altijd]}
    roles_priority: [jeugdhulpverlener, cjg-coach]
    coordinators: [{name: Sanne, mattermost: ib.sanne}]
    kernteam: {channel: kernteam, reminder: "15 8 * * MON"}
    digest: {cron: "0 16 * * FRI"}
    holidays: ["2026-10-12", "2026-12-19/2027-01-03"]
  - id: de-linde
    name: De Linde
    mattermost_team: de-linde
    groups: ["1", "2"]
    helpers:
      - {name: Cas, role: cjg-coach, shell: cas, schedule: [altijd]}
    kernteam: {channel: linde-kernteam}
`

func baseConfig(t *testing.T) *Config {
	t.Helper()
	return mustParse(t, base, nil)
}

// moveTeam puts school i on another Mattermost team, with its token.
func moveTeam(c *Config, i int, team string) {
	old := c.Schools[i].MattermostTeam
	c.Mattermost.CommandTokens[team] = c.Mattermost.CommandTokens[old]
	delete(c.Mattermost.CommandTokens, old)
	c.Schools[i].MattermostTeam = team
}

func TestBaseIsValid(t *testing.T) {
	if err := baseConfig(t).Validate(); err != nil {
		t.Fatalf("got %v, want the base configuration valid", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   []Problem
	}{
		// top level
		{"language", func(c *Config) { c.Language = "fr" },
			[]Problem{{"language", `"fr" is not nl or en`}}},
		{"language empty", func(c *Config) { c.Language = "" },
			[]Problem{{"language", "empty"}}},
		{"timezone", func(c *Config) { c.Timezone = "Europe/Amsterdm" },
			[]Problem{{"timezone", `unknown time zone "Europe/Amsterdm"`}}},
		{"timezone Local", func(c *Config) { c.Timezone = "Local" },
			[]Problem{{"timezone", `"Local" depends on the server: name a zone like Europe/Amsterdam`}}},
		{"listen", func(c *Config) { c.Listen = "8080" },
			[]Problem{{"listen", `"8080" is not an address like :8080`}}},
		{"redis_url", func(c *Config) { c.RedisURL = "localhost:6379" },
			[]Problem{{"redis_url", "is not a redis://, rediss://, unix://, redis+cluster:// or redis+sentinel:// URL"}}},
		{"redis_url a cluster", func(c *Config) { c.RedisURL = "redis+cluster://10.0.0.1:7000,10.0.0.2:7000" }, nil},
		{"redis_url a cluster without ports", func(c *Config) { c.RedisURL = "redis+cluster://:geheim@10.0.0.1,10.0.0.2" },
			[]Problem{{"redis_url", "each address must be host:port"}}},
		{"redis_url Sentinel", func(c *Config) { c.RedisURL = "redis+sentinel://:geheim@s1:26379,s2:26379,s3:26379/hulpbot" }, nil},
		{"redis_url Sentinel without a master", func(c *Config) { c.RedisURL = "redis+sentinel://:geheim@s1:26379" },
			[]Problem{{"redis_url", "redis+sentinel:// needs the master's name as its path (/mymaster or /mymaster/0)"}}},
		{"redis_url empty is the demo's embedded Redis", func(c *Config) { c.RedisURL = "" }, nil},
		{"offer_timeout too short", func(c *Config) { c.OfferTimeout.Duration = 5 * time.Second },
			[]Problem{{"offer_timeout", "5s is not between 10s and 1h"}}},
		{"offer_timeout too long", func(c *Config) { c.OfferTimeout.Duration = 2 * time.Hour },
			[]Problem{{"offer_timeout", "2h is not between 10s and 1h"}}},
		{"offer_timeout bounds", func(c *Config) {
			c.OfferTimeout.Duration = 10 * time.Second
			c.Schools[0].OfferTimeout.Duration = time.Hour
		}, nil},
		{"offer_timeout not set", func(c *Config) { c.OfferTimeout = Duration{} },
			[]Problem{{"offer_timeout", "empty"}}},
		{"delivery_lease in range", func(c *Config) { c.DeliveryLease.Duration = 30 * time.Second }, nil},
		{"privacy.note_grace in range", func(c *Config) { c.Privacy.NoteGrace.Duration = 2 * time.Hour }, nil},
		{"privacy.note_grace too short", func(c *Config) { c.Privacy.NoteGrace.Duration = time.Minute },
			[]Problem{{"privacy.note_grace", "1m is out of range: between 5m and 24h"}}},
		{"privacy.audit_retention in range", func(c *Config) { c.Privacy.AuditRetention.Duration = 90 * 24 * time.Hour }, nil},
		{"privacy.audit_retention too short", func(c *Config) { c.Privacy.AuditRetention.Duration = 24 * time.Hour },
			[]Problem{{"privacy.audit_retention", "24h is out of range: between 720h and 43800h"}}},
		{"privacy.note_grace too long", func(c *Config) { c.Privacy.NoteGrace.Duration = 48 * time.Hour },
			[]Problem{{"privacy.note_grace", "48h is out of range: between 5m and 24h"}}},
		{"delivery_lease too short", func(c *Config) { c.DeliveryLease.Duration = time.Second },
			[]Problem{{"delivery_lease", "1s is out of range: between 5s and 10m"}}},
		{"delivery_lease not shorter than a school's offer_timeout", func(c *Config) {
			c.DeliveryLease.Duration = 20 * time.Second
			c.Schools[0].OfferTimeout.Duration = 20 * time.Second
		}, []Problem{{"delivery_lease", "20s must be shorter than the shortest offer_timeout (20s), so an offer a stopped process held still reaches its helper in time"}}},
		{"retention", func(c *Config) { c.Retention.Duration = 30 * time.Minute },
			[]Problem{{"retention", "30m is too short: keep requests at least 1h"}}},
		{"retention.statistics too short", func(c *Config) { c.Retention.Statistics.Duration = 30 * 24 * time.Hour },
			[]Problem{{"retention.statistics", "720h is too short: keep the counters at least 9600h, so a school year's overview lasts to its end"}}},
		{"retention.statistics long", func(c *Config) { c.Retention.Statistics.Duration = 1000 * 24 * time.Hour }, nil},
		{"log_format", func(c *Config) { c.LogFormat = "xml" },
			[]Problem{{"log_format", `"xml" is not text or json`}}},
		{"log_format json", func(c *Config) { c.LogFormat = "json" }, nil},
		{"followup_after too soon", func(c *Config) { c.FollowUpAfter = Duration{Duration: 10 * time.Second} },
			[]Problem{{"followup_after", "10s is not between 30s and 1h"}}},
		{"school followup_after too late", func(c *Config) { c.Schools[0].FollowUpAfter = Duration{Duration: 2 * time.Hour} },
			[]Problem{{"schools[0].followup_after", "2h is not between 30s and 1h"}}},
		{"redis_prefix with a brace", func(c *Config) { c.RedisPrefix = "hb{x" },
			[]Problem{{"redis_prefix", `"hb{x" must be a non-empty word without {, } or spaces`}}},
		{"redis_prefix empty", func(c *Config) { c.RedisPrefix = "" },
			[]Problem{{"redis_prefix", `"" must be a non-empty word without {, } or spaces`}}},

		// mattermost
		{"mattermost needs url and tokens", func(c *Config) { c.Mattermost = &Mattermost{} },
			[]Problem{{"mattermost.url", "empty"}, {"mattermost.bot_token", "empty"},
				{"mattermost.command_tokens", "empty: each team's /hulp command has its own token; list them by team name (hulpbot mattermost-setup prints them)"},
				{"mattermost.public_url", "empty"}}},
		{"mattermost with one team needs its command_token", func(c *Config) { c.Mattermost.CommandTokens = nil; c.Schools[1].MattermostTeam = "" },
			[]Problem{{"mattermost.command_token", "empty"}}},

		// mattermost: each team's /hulp token, bound to the team
		{"one team, one command_token", func(c *Config) {
			c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd"
			c.Schools[1].MattermostTeam = ""
		}, nil},
		{"no team yet, one command_token", func(c *Config) {
			c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd"
			c.Schools[0].MattermostTeam, c.Schools[1].MattermostTeam = "", ""
		}, nil},
		{"one command_token for two teams", func(c *Config) { c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd" },
			[]Problem{{"mattermost.command_token", "one token for 2 teams (de-vaart, de-linde): each team's /hulp command has its own token, good for that team only; list them under mattermost.command_tokens by team name (hulpbot mattermost-setup prints them)"}}},
		{"several tokens in command_token", func(c *Config) {
			c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd-vaart,cmd-linde"
			c.Schools[1].MattermostTeam = ""
		}, []Problem{{"mattermost.command_token", "holds several tokens: each team's /hulp command has its own token, good for that team only; list them under mattermost.command_tokens by team name (hulpbot mattermost-setup prints them)"}}},
		{"command_token and command_tokens", func(c *Config) { c.Mattermost.CommandToken = "cmd" },
			[]Problem{{"mattermost.command_token", "set command_token (one team) or command_tokens (a token per team), not both (HULPBOT_MATTERMOST_COMMAND_TOKEN sets command_token)"}}},
		{"a team without a token", func(c *Config) { delete(c.Mattermost.CommandTokens, "de-linde") },
			[]Problem{{"schools[1].mattermost_team", `"de-linde" has no command token: add the token of its /hulp command under mattermost.command_tokens (hulpbot mattermost-setup prints them)`}}},
		{"a token for no school's team", func(c *Config) { c.Mattermost.CommandTokens["de-lnide"] = "cmd-x" },
			[]Problem{{"mattermost.command_tokens.de-lnide", `"de-lnide" is no school's mattermost_team`}}},
		{"two teams, one token", func(c *Config) { c.Mattermost.CommandTokens["de-linde"] = "cmd-vaart" },
			[]Problem{{"mattermost.command_tokens.de-vaart", "the same token as de-linde: each team's /hulp command has its own token, good for that team only"}}},
		{"a team's empty token", func(c *Config) { c.Mattermost.CommandTokens["de-linde"] = "" },
			[]Problem{{"mattermost.command_tokens.de-linde", "empty"}}},
		{"a team's token, twice", func(c *Config) { c.Mattermost.CommandTokens["de-linde"] = "cmd-a, cmd-b" },
			[]Problem{{"mattermost.command_tokens.de-linde", "holds several tokens: give the one token of this team's /hulp command"}}},
		{"a team listed twice", func(c *Config) { c.Mattermost.CommandTokens["De-Linde"] = "cmd-other" },
			[]Problem{{"mattermost.command_tokens.de-linde", `the team is listed twice (as "De-Linde" and "de-linde")`}}},
		{"team names in any case", func(c *Config) {
			delete(c.Mattermost.CommandTokens, "de-linde")
			c.Mattermost.CommandTokens["De-Linde"] = "cmd-linde"
		}, nil},
		{"mattermost url", func(c *Config) { c.Mattermost.URL = "chat.example.nl" },
			[]Problem{{"mattermost.url", `"chat.example.nl" is not an http:// or https:// URL`}}},
		{"mattermost public_url", func(c *Config) { c.Mattermost.PublicURL = "ftp://x" },
			[]Problem{{"mattermost.public_url", `"ftp://x" is not an http:// or https:// URL`}}},
		{"mattermost action_secret", func(c *Config) { c.Mattermost.ActionSecret = "short" },
			[]Problem{{"mattermost.action_secret", "too short: use at least 16 characters, or leave it empty to have one generated"}}},
		{"mattermost disabled", func(c *Config) { c.Mattermost = nil }, nil},

		// slack
		{"slack needs bot_token and signing_secret", func(c *Config) { c.Slack = &Slack{} },
			[]Problem{{"slack.bot_token", "empty"}, {"slack.signing_secret", "empty: needed to verify Slack's requests (or set app_token for Socket Mode)"}}},
		{"slack socket mode needs no signing_secret", func(c *Config) { c.Slack = &Slack{BotToken: "xoxb-1", AppToken: "xapp-1"} }, nil},
		{"slack app_token", func(c *Config) { c.Slack.AppToken = "xoxb-wrong" },
			[]Problem{{"slack.app_token", "is not an app-level token (xapp-…)"}}},
		{"slack api_url", func(c *Config) { c.Slack.APIURL = "localhost" },
			[]Problem{{"slack.api_url", `"localhost" is not an http:// or https:// URL`}}},

		// schools
		{"schools empty", func(c *Config) { c.Schools = nil },
			[]Problem{{"schools", "empty"}}},
		{"school id used twice", func(c *Config) { c.Schools[1].ID = "de-vaart" },
			[]Problem{{"schools[1].id", `"de-vaart" is used twice`}}},
		{"school id shape", func(c *Config) { c.Schools[1].ID = "De Linde" },
			[]Problem{{"schools[1].id", `"De Linde" is not an id: use lowercase letters, digits, - and _`}}},
		{"school id and name empty", func(c *Config) { c.Schools[1].ID, c.Schools[1].Name = "", "" },
			[]Problem{{"schools[1].id", "empty"}, {"schools[1].name", "empty"}}},
		{"school language", func(c *Config) { c.Schools[0].Language = "de" },
			[]Problem{{"schools[0].language", `"de" is not nl or en`}}},
		{"school timezone", func(c *Config) { c.Schools[1].Timezone = "Mars/Olympus" },
			[]Problem{{"schools[1].timezone", `unknown time zone "Mars/Olympus"`}}},
		{"school offer_timeout", func(c *Config) { c.Schools[0].OfferTimeout.Duration = time.Second },
			[]Problem{{"schools[0].offer_timeout", "1s is not between 10s and 1h"}}},
		{"mattermost team linked twice", func(c *Config) {
			c.Schools[1].MattermostTeam = "De-Vaart"
			delete(c.Mattermost.CommandTokens, "de-linde")
		},
			[]Problem{{"schools[1].mattermost_team", `"De-Vaart" is already linked to schools[0]`}}},
		{"slack team linked twice", func(c *Config) { c.Schools[1].SlackTeam = "T0DEVAART1" },
			[]Problem{{"schools[1].slack_team", `"T0DEVAART1" is already linked to schools[0]`}}},
		{"same name on two platforms is fine", func(c *Config) { moveTeam(c, 1, "T0DEVAART1") }, nil},
		{"slack team shape", func(c *Config) { c.Schools[1].SlackTeam = "de-linde" },
			[]Problem{{"schools[1].slack_team", `"de-linde" is not a Slack team id like T0DEVAART1`}}},
		{"mattermost team shape", func(c *Config) { moveTeam(c, 1, "de linde") },
			[]Problem{{"schools[1].mattermost_team", `"de linde" is not a team name: no spaces`}}},

		// groups
		{"groups empty", func(c *Config) { c.Schools[0].Groups = nil; c.Schools[0].Helpers[0].Groups = nil },
			[]Problem{{"schools[0].groups", "empty"}}},
		{"group id empty", func(c *Config) { c.Schools[1].Groups[1].ID = "" },
			[]Problem{{"schools[1].groups[1]", "empty"}}},
		{"group used twice", func(c *Config) { c.Schools[1].Groups[1].ID = "1" },
			[]Problem{{"schools[1].groups[1]", `"1" is used twice`}}},
		{"alias used twice", func(c *Config) { c.Schools[0].Groups[1].Aliases = []string{"Kleuters"} },
			[]Problem{{"schools[0].groups[1].aliases[0]", `"Kleuters" is used twice`}}},
		{"alias is another group's id", func(c *Config) { c.Schools[0].Groups[0].Aliases = []string{"3"} },
			[]Problem{{"schools[0].groups[1]", `"3" is used twice`}}},
		{"alias empty", func(c *Config) { c.Schools[0].Groups[0].Aliases = []string{""} },
			[]Problem{{"schools[0].groups[0].aliases[0]", "empty"}}},
		{"group written with groep", func(c *Config) { c.Schools[1].Groups[1].ID = "groep 2" },
			[]Problem{{"schools[1].groups[1]", `"groep 2": write the group without "groep", like "2"`}}},

		// channels
		{"no fallback channel", func(c *Config) { c.Schools[0].FallbackChannel, c.Schools[0].Kernteam = "", Kernteam{} },
			[]Problem{{"schools[0].fallback_channel", "empty: requests nobody can take are posted there (or set kernteam.channel)"}}},
		{"kernteam channel is the fallback", func(c *Config) { c.Schools[0].FallbackChannel = "" }, nil},
		{"channel with #", func(c *Config) { c.Schools[0].FallbackChannel = "#kernteam" },
			[]Problem{{"schools[0].fallback_channel", `"#kernteam": write the channel name without #`}}},
		{"channel with spaces", func(c *Config) { c.Schools[0].Digest.Channel = "ib en directie" },
			[]Problem{{"schools[0].digest.channel", `"ib en directie" is not a channel name: no spaces`}}},

		// helpers
		{"helpers empty", func(c *Config) { c.Schools[1].Helpers = nil },
			[]Problem{{"schools[1].helpers", "empty: nobody to ask for help"}}},
		{"helper needs an account", func(c *Config) { c.Schools[0].Helpers[0].Mattermost, c.Schools[0].Helpers[0].Slack = "", "" },
			[]Problem{{"schools[0].helpers[0]", "needs a mattermost, slack or shell account"}}},
		{"helper name and role empty", func(c *Config) { c.Schools[1].Helpers[0].Name, c.Schools[1].Helpers[0].Role = "", "" },
			[]Problem{{"schools[1].helpers[0].name", "empty"}, {"schools[1].helpers[0].role", "empty"}}},
		{"helper role shape", func(c *Config) { c.Schools[1].Helpers[0].Role = "CJG coach" },
			[]Problem{{"schools[1].helpers[0].role", `"CJG coach" is not a role name: use lowercase letters, digits and -, like cjg-coach`}}},
		{"helper id from the name used twice", func(c *Config) { c.Schools[0].Helpers[1].Name = "anne" },
			[]Problem{{"schools[0].helpers[1].id", `"anne", made from the name, is used twice: give one of them an id`}}},
		{"helper id used twice", func(c *Config) { c.Schools[0].Helpers[2].ID = "bram" },
			[]Problem{{"schools[0].helpers[2].id", `"bram" is used twice`}}},
		{"helper ids tell namesakes apart", func(c *Config) {
			c.Schools[0].Helpers[1].Name = "Anne"
			c.Schools[0].Helpers[1].ID = "anne-b"
		}, nil},
		{"helper id shape", func(c *Config) { c.Schools[0].Helpers[2].ID = "Zoë" },
			[]Problem{{"schools[0].helpers[2].id", `"Zoë" is not an id: use lowercase letters, digits, - and _`}}},
		{"a name that gives no id", func(c *Config) { c.Schools[1].Helpers[0].Name = "李" },
			[]Problem{{"schools[1].helpers[0].id", `empty, and the name "李" gives none: set an id`}}},
		{"mattermost username with @", func(c *Config) { c.Schools[0].Helpers[0].Mattermost = "@anne" },
			[]Problem{{"schools[0].helpers[0].mattermost", `"@anne": write the username without @`}}},
		{"mattermost username shape", func(c *Config) { c.Schools[0].Helpers[0].Mattermost = "anne de vries" },
			[]Problem{{"schools[0].helpers[0].mattermost", `"anne de vries" is not a Mattermost username: 3 to 22 letters, digits, ., - or _, starting with a letter`}}},
		{"slack member id shape", func(c *Config) { c.Schools[0].Helpers[0].Slack = "anne" },
			[]Problem{{"schools[0].helpers[0].slack", `"anne" is not a Slack member id like U0ANNE0001`}}},
		{"shell name shape", func(c *Config) { c.Schools[1].Helpers[0].Shell = "cas b" },
			[]Problem{{"schools[1].helpers[0].shell", `"cas b" is not a shell name: one word of letters, digits, ., - or _`}}},
		{"mattermost account twice", func(c *Config) { c.Schools[0].Helpers[1].Mattermost = "Anne" },
			[]Problem{{"schools[0].helpers[1].mattermost", `"anne" is also the mattermost account of helpers[0]`}}},
		{"shell name twice, one by default", func(c *Config) { c.Schools[0].Helpers[2].Shell = "bram" },
			[]Problem{{"schools[0].helpers[2].shell", `"bram" is also the shell account of helpers[1]`}}},
		{"default shell name twice", func(c *Config) { c.Schools[0].Helpers[1].Mattermost = "zoe" },
			[]Problem{{"schools[0].helpers[2].shell", `"zoe", the default, is also the shell account of helpers[1]: set shell`}}},
		{"same account at two schools is fine", func(c *Config) { c.Schools[1].Helpers[0].Mattermost = "anne" }, nil},
		{"schedule", func(c *Config) { c.Schools[0].Helpers[1].Schedule = []string{"ma", "zo avond"} },
			[]Problem{{"schools[0].helpers[1].schedule", `"zo avond" is not a day part: "avond" is not one of ochtend, middag`}}},
		{"every bad schedule entry", func(c *Config) { c.Schools[0].Helpers[1].Schedule = []string{"maandagochtend", "ochtend", ""} },
			[]Problem{
				{"schools[0].helpers[1].schedule", `"maandagochtend" is not a day: "maandagochtend" is not one of ma, di, wo, do, vr, za, zo`},
				{"schools[0].helpers[1].schedule", `"ochtend" names no day: start with ma, di, wo, do, vr, za or zo`},
				{"schools[0].helpers[1].schedule", `"" is empty: write a day and optionally a day part, like "ma ochtend"`},
			}},
		{"schedule empty", func(c *Config) { c.Schools[1].Helpers[0].Schedule = nil },
			[]Problem{{"schools[1].helpers[0].schedule", `empty: write when this helper is on duty, like "ma ochtend" or "altijd"`}}},
		{"schedule against the school's day parts", func(c *Config) {
			c.Schools[0].DayParts = map[string]string{"ochtend": "08:00-12:00", "middag": "12:00-15:00", "avond": "18:00-21:00"}
			c.Schools[0].Helpers[1].Schedule = []string{"zo avond"}
		}, nil},
		{"helper group not the school's", func(c *Config) { c.Schools[0].Helpers[2].Groups = []string{"5", "9"} },
			[]Problem{{"schools[0].helpers[2].groups", `"9" is not one of the school's groups`}}},
		{"helper group by alias", func(c *Config) { c.Schools[0].Helpers[2].Groups = []string{"Kleuters"} }, nil},

		// roles_priority
		{"roles_priority entry no helper has", func(c *Config) { c.Schools[0].RolesPriority[1] = "cjg-coch" },
			[]Problem{{"schools[0].roles_priority[1]", `"cjg-coch" is no helper's role`}}},
		{"roles_priority twice", func(c *Config) { c.Schools[0].RolesPriority = []string{"cjg-coach", "jeugdhulpverlener", "cjg-coach"} },
			[]Problem{{"schools[0].roles_priority[2]", `"cjg-coach" is used twice`}}},
		{"roles_priority empty entry", func(c *Config) { c.Schools[0].RolesPriority = []string{""} },
			[]Problem{{"schools[0].roles_priority[0]", "empty"}}},
		{"consult_roles", func(c *Config) { c.Schools[0].ConsultRoles = []string{"cjg-coach"} }, nil},
		{"successes channel and nudge", func(c *Config) { c.Schools[0].Successes = Successes{Channel: "team", Nudge: "30 13 * * WED"} }, nil},
		{"successes nudge off", func(c *Config) { c.Schools[0].Successes.Nudge = "off" }, nil},
		{"successes nudge not a cron", func(c *Config) { c.Schools[0].Successes.Nudge = "donderdag" },
			[]Problem{{"schools[0].successes.nudge", `"donderdag" is not a cron expression like "15 8 * * MON": expected exactly 5 fields, found 1: [donderdag]`}}},
		{"consult_roles entry no helper has", func(c *Config) { c.Schools[0].ConsultRoles = []string{"cjg-coach", "ib"} },
			[]Problem{{"schools[0].consult_roles[1]", `"ib" is no helper's role`}}},
		{"consult_roles twice", func(c *Config) { c.Schools[0].ConsultRoles = []string{"cjg-coach", "cjg-coach"} },
			[]Problem{{"schools[0].consult_roles[1]", `"cjg-coach" is used twice`}}},

		// day parts
		{"day parts overlap", func(c *Config) {
			c.Schools[0].DayParts = map[string]string{"ochtend": "08:00-12:30", "middag": "12:00-17:00"}
		},
			[]Problem{{"schools[0].day_parts", "day parts ochtend and middag overlap"}}},
		{"day part span", func(c *Config) {
			c.Schools[0].DayParts = map[string]string{"ochtend": "08:00-12:00", "middag": "12:00"}
		},
			[]Problem{{"schools[0].day_parts.middag", `day part middag: "12:00" is not a span like 08:00-12:00`}}},
		{"day part named like a day", func(c *Config) {
			c.Schools[1].DayParts = map[string]string{"ochtend": "08:00-12:00", "vr": "12:00-15:00"}
		},
			[]Problem{{"schools[1].day_parts.vr", `"vr" is a day or a schedule word, not a day part name`}}},
		{"day part named twice", func(c *Config) {
			c.Schools[1].DayParts = map[string]string{"ochtend": "08:00-12:00", "Ochtend": "12:00-15:00"}
		},
			[]Problem{{"schools[1].day_parts.ochtend", `"ochtend" is used twice`}}},

		// coordinators
		{"coordinator needs a name and an account", func(c *Config) { c.Schools[0].Coordinators[0] = Coordinator{} },
			[]Problem{{"schools[0].coordinators[0].name", "empty"}, {"schools[0].coordinators[0]", "needs a mattermost, slack or shell account"}}},
		{"coordinator slack id", func(c *Config) { c.Schools[0].Coordinators[0].Slack = "@sanne" },
			[]Problem{{"schools[0].coordinators[0].slack", `"@sanne" is not a Slack member id like U0ANNE0001`}}},

		// kernteam and digest
		{"reminder cron", func(c *Config) { c.Schools[0].Kernteam.Reminder = "15 8 * * MAANDAG" },
			[]Problem{{"schools[0].kernteam.reminder", `"15 8 * * MAANDAG" is not a cron expression like "15 8 * * MON": failed to parse int from MAANDAG: strconv.Atoi: parsing "MAANDAG": invalid syntax`}}},
		{"reminder needs a channel", func(c *Config) { c.Schools[0].Kernteam.Channel = "" },
			[]Problem{{"schools[0].kernteam.channel", "empty: the reminder needs a channel"}}},
		{"digest cron field count", func(c *Config) { c.Schools[0].Digest.Cron = "0 16 * *" },
			[]Problem{{"schools[0].digest.cron", `"0 16 * *" is not a cron expression like "15 8 * * MON": expected exactly 5 fields, found 4: [0 16 * *]`}}},
		{"cron with a time zone", func(c *Config) { c.Schools[0].Digest.Cron = "CRON_TZ=UTC 0 16 * * FRI" },
			[]Problem{{"schools[0].digest.cron", `"CRON_TZ=UTC 0 16 * * FRI": leave out the time zone; cron runs in the school's time zone`}}},
		{"cron that would panic the parser", func(c *Config) { c.Schools[0].Digest.Cron = "TZ=x" },
			[]Problem{{"schools[0].digest.cron", `"TZ=x": leave out the time zone; cron runs in the school's time zone`}}},
		{"cron that never fires", func(c *Config) { c.Schools[0].Digest.Cron = "0 0 30 2 *" },
			[]Problem{{"schools[0].digest.cron", `"0 0 30 2 *" never fires`}}},
		{"cron descriptor", func(c *Config) { c.Schools[0].Digest.Cron = "@weekly" }, nil},
		{"digest with nobody to get it", func(c *Config) { c.Schools[0].Coordinators = nil },
			[]Problem{{"schools[0].digest.channel", "empty and no coordinators: nobody gets the digest"}}},

		// holidays
		{"holiday_region", func(c *Config) { c.Schools[0].HolidayRegion = "west" },
			[]Problem{{"schools[0].holiday_region", `"west" is not noord, midden or zuid`}}},
		{"holidays", func(c *Config) { c.Schools[0].Holidays = []string{"2026-10-12", "12 oktober", "2027-01-03/2026-12-19"} },
			[]Problem{
				{"schools[0].holidays[1]", `"12 oktober" is not a date like 2026-10-12 or a range like 2026-12-19/2027-01-03`},
				{"schools[0].holidays[2]", `"2027-01-03/2026-12-19" ends before it starts`},
			}},

		// all at once
		{"every problem is listed", func(c *Config) {
			c.Language = "fr"
			c.Schools[1].ID = "de-vaart"
			c.Schools[0].Helpers[2].Groups = []string{"9"}
		}, []Problem{
			{"language", `"fr" is not nl or en`},
			{"schools[0].helpers[2].groups", `"9" is not one of the school's groups`},
			{"schools[1].id", `"de-vaart" is used twice`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig(t)
			tc.change(c)
			got := problemsOf(t, c.Validate())
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
		})
	}
}

func TestValidationErrorAs(t *testing.T) {
	c := baseConfig(t)
	c.Language = "fr"
	_, err := c.Directory()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want a *ValidationError", err, err)
	}
	if got, want := ve.Problems, []Problem{{"language", `"fr" is not nl or en`}}; !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", lines(got), lines(want))
	}
}

// TestLease: without delivery_lease, half the shortest offer timeout,
// between 5 s and a minute.
func TestLease(t *testing.T) {
	for _, tc := range []struct {
		set, offer, school, want time.Duration
	}{
		{set: 0, offer: 2 * time.Minute, want: time.Minute},
		{set: 0, offer: 5 * time.Minute, want: time.Minute},
		{set: 0, offer: 2 * time.Minute, school: 30 * time.Second, want: 15 * time.Second},
		{set: 0, offer: 10 * time.Second, want: 5 * time.Second},
		{set: 40 * time.Second, offer: 2 * time.Minute, want: 40 * time.Second},
	} {
		c := baseConfig(t)
		c.DeliveryLease.Duration, c.OfferTimeout.Duration = tc.set, tc.offer
		c.Schools[0].OfferTimeout.Duration = tc.school
		if got := c.Lease(); got != tc.want {
			t.Errorf("Lease() with %v, offer %v, school %v = %v, want %v", tc.set, tc.offer, tc.school, got, tc.want)
		}
	}
}

// TestCommandTokensFromEnv: each team's token comes from the environment
// with ${VAR}; an unset one is named, and HULPBOT_MATTERMOST_COMMAND_TOKEN
// (which sets command_token) next to command_tokens is refused.
func TestCommandTokensFromEnv(t *testing.T) {
	const y = `
redis_url: redis://r
mattermost:
  url: http://mm
  bot_token: b
  public_url: http://hulpbot
  command_tokens:
    de-vaart: ${TOKEN_VAART}
    de-linde: ${TOKEN_LINDE}
schools:
  - {id: de-vaart, name: De Vaart, mattermost_team: de-vaart, groups: ["5"], fallback_channel: k, helpers: [{name: Anne, role: x, mattermost: anne, schedule: [altijd]}]}
  - {id: de-linde, name: De Linde, mattermost_team: De-Linde, groups: ["5"], fallback_channel: k, helpers: [{name: Cas, role: x, mattermost: cas, schedule: [altijd]}]}
`
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c := mustParse(t, y, env(map[string]string{"TOKEN_VAART": "tok-v", "TOKEN_LINDE": "tok-l"}))
	if got, want := c.MattermostCommandTokens(), map[string]string{"de-vaart": "tok-v", "de-linde": "tok-l"}; !maps.Equal(got, want) {
		t.Errorf("MattermostCommandTokens = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []Problem
	}{
		{"one unset", map[string]string{"TOKEN_VAART": "tok-v"},
			[]Problem{{"mattermost.command_tokens.de-linde", "${TOKEN_LINDE} is not set"}}},
		{"the single-team variable as well", map[string]string{"TOKEN_VAART": "tok-v", "TOKEN_LINDE": "tok-l", "HULPBOT_MATTERMOST_COMMAND_TOKEN": "tok"},
			[]Problem{{"mattermost.command_token", "set command_token (one team) or command_tokens (a token per team), not both (HULPBOT_MATTERMOST_COMMAND_TOKEN sets command_token)"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(y), env(tc.env))
			if got := problemsOf(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
		})
	}
}

func TestMattermostCommandTokens(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   map[string]string
	}{
		{"per team", func(c *Config) {}, map[string]string{"de-vaart": "cmd-vaart", "de-linde": "cmd-linde"}},
		{"one team's command_token is that team's", func(c *Config) {
			c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd"
			c.Schools[1].MattermostTeam = ""
			c.Schools[0].MattermostTeam = "De-Vaart"
		}, map[string]string{"de-vaart": "cmd"}},
		{"without a team it is no team's", func(c *Config) {
			c.Mattermost.CommandTokens, c.Mattermost.CommandToken = nil, "cmd"
			c.Schools[0].MattermostTeam, c.Schools[1].MattermostTeam = "", ""
		}, map[string]string{"": "cmd"}},
		{"no mattermost", func(c *Config) { c.Mattermost = nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig(t)
			tc.change(c)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.MattermostCommandTokens(); !maps.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("MattermostCommandTokens = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidateClosing(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Closing
		want []Problem
	}{
		{"defaults", Closing{}, nil},
		{"own words", Closing{Support: []Choice{{Key: "gesprek"}, {Key: "sova", NL: "Sova"}}}, nil},
		{"own key without words", Closing{Support: []Choice{{Key: "sova"}}},
			[]Problem{{"schools[0].closing.support[0].nl", `empty: "sova" is not one of the defaults ([gesprek wandeling meegedraaid tips rustruimte ouders vervolg]), so it needs its Dutch words`}}},
		{"bad key", Closing{Outcomes: []Choice{{Key: "In Groep", NL: "x"}}},
			[]Problem{{"schools[0].closing.outcomes[0].key", `"In Groep" is not a key: 1 to 20 lowercase letters, digits and _`}}},
		{"twice", Closing{Outcomes: []Choice{{Key: "in_groep"}, {Key: "in_groep"}}},
			[]Problem{{"schools[0].closing.outcomes[1].key", `"in_groep" is used twice`}}},
		{"too many", Closing{Support: []Choice{{Key: "gesprek"}, {Key: "wandeling"}, {Key: "meegedraaid"}, {Key: "tips"}, {Key: "rustruimte"}, {Key: "ouders"}, {Key: "vervolg"}, {Key: "a", NL: "a"}, {Key: "b", NL: "b"}}},
			[]Problem{{"schools[0].closing.support", "9 answers: at most 8, so they fit under one message"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(minimal), nil)
			if err != nil {
				t.Fatal(err)
			}
			c.Schools[0].Closing = tc.c
			err = c.Validate()
			var ve *ValidationError
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.As(err, &ve) || !slices.Equal(ve.Problems, tc.want) {
				t.Errorf("Validate = %v, want %v", err, tc.want)
			}
		})
	}
	dir, err := func() (*bot.Directory, error) {
		c, err := Parse([]byte(minimal+"    closing: {support: [gesprek, {key: sova, nl: Sova, en: Social skills}]}\n"), nil)
		if err != nil {
			return nil, err
		}
		return c.Directory()
	}()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := dir.School("demo")
	got := sc.Choices(bot.StepSupport)
	if len(got) != 2 || got[1].Key != "sova" || got[1].Labels["en"] != "Social skills" || len(sc.Choices(bot.StepOutcome)) != len(bot.DefaultOutcomes) {
		t.Errorf("choices = %+v", got)
	}
}
