// Package config reads hulpbot's configuration: the YAML file an operator
// writes (config/example.yaml is the documented reference), with defaults
// underneath and secrets from the environment on top.
//
// Loading goes in four steps:
//
//  1. defaults (Defaults),
//  2. the YAML file, strictly: an unknown field is an error naming it,
//  3. ${VAR} in any string value is replaced by the variable's value,
//  4. environment overrides for the Redis URL, the listen addresses and the
//     platform secrets (REDIS_URL, HULPBOT_*; see ApplyEnv).
//
// Then everything is checked at once: a *ValidationError lists every problem
// with the path of the field it is about ("schools[0].helpers[1].schedule").
// The environment is read only through the getenv function the caller
// passes, so tests use a map.
//
// The Config types mirror the YAML contract and are not the domain: Directory
// converts them to bot.School values with every default applied.
package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults for fields the file leaves out.
const (
	DefaultLanguage       = "nl"
	DefaultTimezone       = "Europe/Amsterdam"
	DefaultListen         = ":8080"
	DefaultRedisURL       = "redis://127.0.0.1:6379/0"
	DefaultOfferTimeout   = 2 * time.Minute
	DefaultFollowUp       = 5 * time.Minute
	DefaultRetention      = 720 * time.Hour // 30 days
	DefaultNoteGrace      = time.Hour
	DefaultAuditRetention = 365 * 24 * time.Hour
	DefaultLogFormat      = "text"
	DefaultRedisPrefix    = "hb"
)

// Config is the whole configuration file.
type Config struct {
	// Language is the default language of the schools: "nl" or "en".
	Language string `yaml:"language"`
	// Languages are the languages a person may read, each in the language
	// of their own Slack or Mattermost account ("nl" and/or "en"); empty
	// means only the school's language. A school's own list overrides it.
	Languages []string `yaml:"languages,omitempty"`
	// Timezone is the default IANA time zone of the schools.
	Timezone string `yaml:"timezone"`
	// Listen is the address of the HTTP listener of the platform
	// endpoints, /healthz and /readyz, e.g. ":8080".
	Listen string `yaml:"listen"`
	// MetricsListen is the address of the internal listener: /metrics,
	// /healthz and /readyz, for Prometheus and probes. Keep it off public
	// interfaces. Default 127.0.0.1:8081.
	MetricsListen string `yaml:"metrics_listen"`
	// HTTP bounds what clients of the listeners can hold.
	HTTP HTTP `yaml:"http"`
	// RedisURL names the Redis that holds all state: one server
	// (redis://, rediss://, unix://), a Redis Cluster
	// (redis+cluster://host:port,host:port,…) or the master Redis
	// Sentinel names (redis+sentinel://host:port,…/master); see
	// internal/redisurl. Empty only in Demo: the program starts an
	// embedded Redis.
	RedisURL string `yaml:"redis_url"`
	// RedisPrefix starts every key hulpbot writes, so several deployments
	// (or test runs) can share one Redis. Default "hb".
	RedisPrefix string `yaml:"redis_prefix,omitempty"`
	// OfferTimeout is how long a helper has to accept an offer; a school
	// may override it.
	OfferTimeout Duration `yaml:"offer_timeout"`
	// FollowUpAfter is when a teacher whose request nobody accepted yet
	// hears, once, how it stands; a school may override it. Default 5m.
	FollowUpAfter Duration `yaml:"followup_after,omitempty"`
	// Retention is how long request records are kept, and (in its
	// mapping form) the weekly and monthly counters.
	Retention Retention `yaml:"retention"`
	// DeliveryLease is how long a process that took a message for delivery
	// holds it: a process that dies mid-delivery leaves it to another after
	// this. Default: half the shortest offer timeout, at most 60s (see
	// Lease).
	DeliveryLease Duration `yaml:"delivery_lease,omitempty"`
	// Privacy bounds how long what may name a child is kept.
	Privacy Privacy `yaml:"privacy,omitempty"`
	// LogFormat is "text" or "json".
	LogFormat string `yaml:"log_format,omitempty"`
	// HolidayFeeds are the government's school-holiday feeds (open data
	// JSON, one per school year): file paths or http(s) URLs. Each school
	// takes the holidays of its holiday_region and of "heel Nederland".
	HolidayFeeds []string `yaml:"holiday_feeds,omitempty"`

	// Mattermost enables the Mattermost adapter; nil means disabled.
	Mattermost *Mattermost `yaml:"mattermost,omitempty"`
	// Slack enables the Slack adapter; nil means disabled.
	Slack *Slack `yaml:"slack,omitempty"`

	Schools []School `yaml:"schools"`

	// Web enables the year overview in the browser; nil means off.
	Web *Web `yaml:"web,omitempty"`
	// Samenwerkingsverbanden are the partnerships of schools whose
	// coordinators see all their schools and the totals.
	Samenwerkingsverbanden []Samenwerkingsverband `yaml:"samenwerkingsverbanden,omitempty"`
}

// Privacy is the privacy section.
type Privacy struct {
	// NoteGrace is how long a request's note, and the helper's closing
	// note, are kept after the request closed (resolved, withdrawn, taken
	// from the fallback channel): time for the messages that carry them
	// to be delivered. The record itself is kept for retention. Default 1h.
	NoteGrace Duration `yaml:"note_grace,omitempty"`
	// AuditRetention is how long an entry of the audit trail is kept:
	// who viewed an overview or exported its figures, and when. Default
	// a year (365d).
	AuditRetention Duration `yaml:"audit_retention,omitempty"`
}

// AuditRetentionOrDefault is the audit retention in force.
func (p Privacy) AuditRetentionOrDefault() time.Duration {
	if p.AuditRetention.Duration > 0 {
		return p.AuditRetention.Duration
	}
	return DefaultAuditRetention
}

// NoteGraceOrDefault is the note grace in force.
func (p Privacy) NoteGraceOrDefault() time.Duration {
	if p.NoteGrace.Duration > 0 {
		return p.NoteGrace.Duration
	}
	return DefaultNoteGrace
}

// Mattermost is the Mattermost section.
type Mattermost struct {
	// URL is the Mattermost server hulpbot talks to.
	URL string `yaml:"url"`
	// BotToken is the access token of hulpbot's bot account.
	BotToken string `yaml:"bot_token"`
	// CommandToken is the token Mattermost sends with the /hulp slash
	// command, in a deployment with one team: it is good for that team only.
	CommandToken string `yaml:"command_token,omitempty"`
	// CommandTokens are the tokens of /hulp by team name (a school's
	// mattermost_team), when several teams have the command: each team's
	// command has its own token, good for that team only.
	CommandTokens map[string]string `yaml:"command_tokens,omitempty"`
	// PublicURL is where Mattermost reaches hulpbot (button actions).
	PublicURL string `yaml:"public_url,omitempty"`
	// ActionSecret signs button contexts; empty means generated and kept in
	// Redis.
	ActionSecret string `yaml:"action_secret,omitempty"`
}

// Slack is the Slack section: one Slack app, installed in one workspace or
// in many (a school's slack_team), each installation with a bot token of
// its own.
type Slack struct {
	// BotToken is the bot user OAuth token (xoxb-…) for every workspace
	// without a token of its own in Workspaces: with one workspace, the
	// only token needed.
	BotToken string `yaml:"bot_token,omitempty"`
	// Workspaces are the bot tokens of the workspaces the app is installed
	// in, one per team: a bot token works in its own workspace only.
	Workspaces []SlackWorkspace `yaml:"workspaces,omitempty"`
	// SigningSecret verifies requests Slack sends over HTTP (the app's,
	// the same for every workspace).
	SigningSecret string `yaml:"signing_secret"`
	// AppToken (xapp-…) switches to Socket Mode instead of HTTP; it is the
	// app's, for every workspace.
	AppToken string `yaml:"app_token,omitempty"`
	// ClientID and ClientSecret (the app's) enable "Add to Slack": a
	// workspace's installation through hulpbot's /slack/install gives its
	// bot token, kept in Redis, so it need not be configured.
	ClientID     string `yaml:"client_id,omitempty"`
	ClientSecret string `yaml:"client_secret,omitempty"`
	// PublicURL is where browsers reach hulpbot, for "Add to Slack": Slack
	// sends them back to PublicURL + /slack/oauth, which must be one of the
	// app's Redirect URLs.
	PublicURL string `yaml:"public_url,omitempty"`
	// APIURL overrides the Web API base URL, for tests.
	APIURL string `yaml:"api_url,omitempty"`
}

// School is one school, kindcentrum or childcare location.
type School struct {
	// ID is the stable key of the school: lowercase letters, digits, - and _.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Language, Timezone and OfferTimeout override the top-level values.
	Language      string   `yaml:"language,omitempty"`
	Languages     []string `yaml:"languages,omitempty"`
	Timezone      string   `yaml:"timezone,omitempty"`
	OfferTimeout  Duration `yaml:"offer_timeout,omitempty"`
	FollowUpAfter Duration `yaml:"followup_after,omitempty"`

	// MattermostTeam is the Mattermost team name linked to this school.
	MattermostTeam string `yaml:"mattermost_team,omitempty"`
	// SlackTeam is the Slack workspace (team) id linked to this school.
	SlackTeam string `yaml:"slack_team,omitempty"`

	Groups []Group `yaml:"groups"`
	// FallbackChannel gets requests nobody could take; defaults to the
	// kernteam channel.
	FallbackChannel string `yaml:"fallback_channel,omitempty"`
	// WhenDown tells a teacher what to do when hulpbot cannot pass a
	// request on; defaults to DefaultWhenDown in the school's language.
	WhenDown string `yaml:"when_down,omitempty"`

	Helpers []Helper `yaml:"helpers"`
	// RolesPriority orders helper roles: whoever comes first is asked first.
	// Defaults to jeugdhulpverlener, cjg-coach.
	RolesPriority []string `yaml:"roles_priority,omitempty"`
	// ConsultRoles are the roles a consult (/hulp meedenken) goes to, in
	// order: the first helper of the first role listed that has one.
	// Defaults to cjg-coach, jeugdhulpverlener.
	ConsultRoles []string `yaml:"consult_roles,omitempty"`
	// DayParts maps a day part name to a span like "08:00-12:00"; defaults
	// to bot.DefaultDayParts.
	DayParts map[string]string `yaml:"day_parts,omitempty"`
	// DayPartsPreset picks day parts that fit the location when DayParts
	// is empty: "school" (the default: ochtend, middag) or "bso" (ochtend,
	// middag, bso till 18:30).
	DayPartsPreset string `yaml:"day_parts_preset,omitempty"`
	// CoordinatorTitle is what the location calls its coordinator, in
	// every text that names them: "IB'er" (the default), "pedagogisch
	// coach", "locatiemanager".
	CoordinatorTitle string `yaml:"coordinator_title,omitempty"`

	Coordinators []Coordinator `yaml:"coordinators,omitempty"`
	Kernteam     Kernteam      `yaml:"kernteam,omitempty"`
	Digest       Digest        `yaml:"digest,omitempty"`
	Successes    Successes     `yaml:"successes,omitempty"`
	// Today is the morning post "Vandaag op school"; on by default.
	Today Today `yaml:"today,omitempty"`

	// HolidayRegion is the school-holiday region: noord, midden or zuid.
	HolidayRegion string `yaml:"holiday_region,omitempty"`
	// Holidays are extra closed days (studiedagen): "2026-10-12" or a range
	// "2026-12-19/2027-01-03"; see ParseHoliday.
	Holidays []string `yaml:"holidays,omitempty"`

	// Closing is what a helper is asked after "/hulp klaar"; see Closing.
	Closing Closing `yaml:"closing,omitempty"`
	// Surveys is when the surveys go out; see Surveys.
	Surveys Surveys `yaml:"surveys,omitempty"`
}

// Group is a group as configured: a plain string ("5") or a mapping with
// other names people type ({id: "1-2", aliases: [kleuters]}).
type Group struct {
	ID      string   `yaml:"id"`
	Aliases []string `yaml:"aliases,omitempty"`
}

// Helper is a youth care worker, CJG coach or other professional.
type Helper struct {
	// ID is the helper's stable key; defaults to a slug of Name.
	ID   string `yaml:"id,omitempty"`
	Name string `yaml:"name"`
	Role string `yaml:"role"`
	// Mattermost is the Mattermost username, Slack the Slack member id,
	// Shell the name in the terminal chat (defaults to the Mattermost
	// username, else the helper id).
	Mattermost string `yaml:"mattermost,omitempty"`
	Slack      string `yaml:"slack,omitempty"`
	Shell      string `yaml:"shell,omitempty"`
	// Schedule lists when the helper is on duty: "ma ochtend", "di",
	// "ma-vr middag", "altijd".
	Schedule []string `yaml:"schedule"`
	// Groups the helper knows best (affinity): ids or aliases.
	Groups []string `yaml:"groups,omitempty"`
	// Offers is the helper's own line about what they offer the team,
	// shown by "/hulp wie-is-wie".
	Offers string `yaml:"offers,omitempty"`
}

// Coordinator is an IB'er, zorgcoördinator or director: receives digests.
type Coordinator struct {
	Name       string `yaml:"name"`
	Mattermost string `yaml:"mattermost,omitempty"`
	Slack      string `yaml:"slack,omitempty"`
	// Shell defaults to the Mattermost username, else a slug of Name.
	Shell string `yaml:"shell,omitempty"`
}

// Kernteam is the school's core team and its weekly reminder.
type Kernteam struct {
	Channel string `yaml:"channel,omitempty"`
	// Reminder is a cron expression in the school's time zone.
	Reminder string `yaml:"reminder,omitempty"`
	// Meeting is when the team meets, as text: "donderdag 14:00".
	Meeting string `yaml:"meeting,omitempty"`
}

// Successes says where the week's success stories go, for the whole team,
// and when the team is nudged to share one.
type Successes struct {
	// Channel is the team-wide channel; empty means the kernteam channel
	// (else the fallback channel).
	Channel string `yaml:"channel,omitempty"`
	// Nudge is a cron expression in the school's time zone for "Wat ging
	// er goed deze week?"; empty means Thursday 14:00, "off" none.
	Nudge string `yaml:"nudge,omitempty"`
}

// Today is the morning post "Vandaag op school": who of the helpers is
// there today, and when.
type Today struct {
	// Cron is a cron expression in the school's time zone; empty for school
	// days at 08:00, "off" for no post.
	Cron string `yaml:"cron,omitempty"`
	// Channel gets the post; empty means the kernteam channel, else the
	// fallback channel.
	Channel string `yaml:"channel,omitempty"`
}

// Digest is the coordinators' weekly digest.
type Digest struct {
	// Cron is a cron expression in the school's time zone.
	Cron string `yaml:"cron,omitempty"`
	// Channel gets the digest; empty means DMs to the coordinators.
	Channel string `yaml:"channel,omitempty"`
}

// Defaults is the configuration before any file is read.
func Defaults() *Config {
	return &Config{
		Language:      DefaultLanguage,
		Timezone:      DefaultTimezone,
		Listen:        DefaultListen,
		MetricsListen: DefaultMetricsListen,
		HTTP:          defaultHTTP(),
		RedisURL:      DefaultRedisURL,
		RedisPrefix:   DefaultRedisPrefix,
		OfferTimeout:  Duration{Duration: DefaultOfferTimeout},
		FollowUpAfter: Duration{Duration: DefaultFollowUp},
		Retention:     Retention{Duration: DefaultRetention},
		LogFormat:     DefaultLogFormat,
	}
}

// envOverride is an environment variable that replaces one field.
type envOverride struct {
	env   string
	field string
	ptr   func(*Config) *string // nil when the section is disabled
}

var envOverrides = []envOverride{
	{"REDIS_URL", "redis_url", func(c *Config) *string { return &c.RedisURL }},
	{"HULPBOT_LISTEN", "listen", func(c *Config) *string { return &c.Listen }},
	{"HULPBOT_METRICS_LISTEN", "metrics_listen", func(c *Config) *string { return &c.MetricsListen }},
	{"HULPBOT_REDIS_PREFIX", "redis_prefix", func(c *Config) *string { return &c.RedisPrefix }},
	{"HULPBOT_MATTERMOST_BOT_TOKEN", "mattermost.bot_token", func(c *Config) *string {
		return mattermostField(c, func(m *Mattermost) *string { return &m.BotToken })
	}},
	{"HULPBOT_MATTERMOST_COMMAND_TOKEN", "mattermost.command_token", func(c *Config) *string {
		return mattermostField(c, func(m *Mattermost) *string { return &m.CommandToken })
	}},
	{"HULPBOT_ACTION_SECRET", "mattermost.action_secret", func(c *Config) *string {
		return mattermostField(c, func(m *Mattermost) *string { return &m.ActionSecret })
	}},
	{"HULPBOT_SLACK_BOT_TOKEN", "slack.bot_token", func(c *Config) *string {
		return slackField(c, func(s *Slack) *string { return &s.BotToken })
	}},
	{"HULPBOT_SLACK_SIGNING_SECRET", "slack.signing_secret", func(c *Config) *string {
		return slackField(c, func(s *Slack) *string { return &s.SigningSecret })
	}},
	{"HULPBOT_SLACK_APP_TOKEN", "slack.app_token", func(c *Config) *string {
		return slackField(c, func(s *Slack) *string { return &s.AppToken })
	}},
	{"HULPBOT_SLACK_CLIENT_SECRET", "slack.client_secret", func(c *Config) *string {
		return slackField(c, func(s *Slack) *string { return &s.ClientSecret })
	}},
}

func mattermostField(c *Config, f func(*Mattermost) *string) *string {
	if c.Mattermost == nil {
		return nil
	}
	return f(c.Mattermost)
}

func slackField(c *Config, f func(*Slack) *string) *string {
	if c.Slack == nil {
		return nil
	}
	return f(c.Slack)
}

// ApplyEnv lets the environment override fields: REDIS_URL sets redis_url,
// HULPBOT_LISTEN listen, HULPBOT_METRICS_LISTEN metrics_listen,
// HULPBOT_REDIS_PREFIX redis_prefix, and HULPBOT_MATTERMOST_BOT_TOKEN,
// HULPBOT_MATTERMOST_COMMAND_TOKEN, HULPBOT_ACTION_SECRET,
// HULPBOT_SLACK_BOT_TOKEN, HULPBOT_SLACK_SIGNING_SECRET,
// HULPBOT_SLACK_APP_TOKEN and HULPBOT_SLACK_CLIENT_SECRET the platform
// secrets; HULPBOT_SLACK_BOT_TOKEN_<TEAM>
// (HULPBOT_SLACK_BOT_TOKEN_T0DEVAART1) is the bot token of the workspace a
// school links with slack_team or slack.workspaces lists. A variable that is
// unset or empty changes nothing, and a secret never enables a platform whose
// section is absent. Parse calls it; call it yourself on Demo.
func (c *Config) ApplyEnv(getenv func(string) string) {
	c.applyEnv(getenv)
}

// applyEnv is ApplyEnv returning the paths of the fields it set.
func (c *Config) applyEnv(getenv func(string) string) []string {
	if getenv == nil {
		return nil
	}
	var set []string
	for _, o := range envOverrides {
		v := getenv(o.env)
		if v == "" {
			continue
		}
		if p := o.ptr(c); p != nil {
			*p = v
			set = append(set, o.field)
		}
	}
	return append(set, c.applySlackTokenEnv(getenv)...)
}

// Group marshals as a plain string when it has no aliases, so a config
// written back reads like one written by hand.
func (g Group) MarshalYAML() (any, error) {
	if len(g.Aliases) == 0 {
		return g.ID, nil
	}
	type plain Group // no methods: no recursion
	return plain(g), nil
}

// UnmarshalYAML reads a group as a plain scalar ("5", 5) or as a mapping
// {id, aliases}. Unknown keys in the mapping are errors, like everywhere
// else in the file (the outer decoder's strictness does not reach here).
func (g *Group) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*g = Group{ID: n.Value}
		return nil
	case yaml.MappingNode:
		var out Group
		var errs []string
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if line, dup := seen[k.Value]; dup {
				errs = append(errs, fmtLine(k.Line, "mapping key %q already defined at line %d", k.Value, line))
				continue
			}
			seen[k.Value] = k.Line
			switch k.Value {
			case "id":
				if v.Kind != yaml.ScalarNode {
					errs = append(errs, fmtLine(v.Line, "cannot unmarshal %s into string", v.ShortTag()))
					continue
				}
				out.ID = v.Value
			case "aliases":
				if err := v.Decode(&out.Aliases); err != nil {
					te, ok := err.(*yaml.TypeError)
					if !ok {
						return err
					}
					errs = append(errs, te.Errors...)
				}
			default:
				errs = append(errs, fmtLine(k.Line, "field %s not found in type config.Group", k.Value))
			}
		}
		*g = out
		if len(errs) > 0 {
			return &yaml.TypeError{Errors: errs}
		}
		return nil
	default:
		return &yaml.TypeError{Errors: []string{fmtLine(n.Line, "cannot unmarshal %s into config.Group", n.ShortTag())}}
	}
}

// Lease is the delivery lease in force: delivery_lease, or half the
// shortest offer timeout (between 5 s and 60 s), so an offer a stopped
// process held reaches its helper well before the offer's deadline.
func (c *Config) Lease() time.Duration {
	if c.DeliveryLease.Duration > 0 {
		return c.DeliveryLease.Duration
	}
	d := 60 * time.Second
	if short := c.shortestOfferTimeout(); short > 0 {
		d = min(d, short/2)
	}
	return max(d, MinDeliveryLease)
}

// shortestOfferTimeout is the shortest offer timeout of any school (the
// default where a school sets none); 0 when there is none.
func (c *Config) shortestOfferTimeout() time.Duration {
	short := c.OfferTimeout.Duration
	for _, s := range c.Schools {
		if d := s.OfferTimeout.Duration; d > 0 && (short == 0 || d < short) {
			short = d
		}
	}
	return short
}
