package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Layout is the simulated world: schools, their helpers, and the settings
// hulpbot is started with. The generated configuration follows from it,
// and so do the ids hulpload uses in its requests.
type Layout struct {
	Schools int
	Helpers int // per school
	// Pool: this many schools in a row share their helpers (the same
	// people, by Slack id and name), as schools of a samenwerkingsverband
	// share a youth care worker; 0 or 1: every school has its own.
	Pool   int
	Listen string
	// MetricsListen is where hulpbot serves /metrics; "" for its default.
	MetricsListen string
	RedisURL      string
	RedisPrefix   string
	OfferTimeout  time.Duration
	FollowUp      time.Duration
	Secret        string
	APIURL        string
}

// Group is the group every request is for.
const Group = "5"

// SchoolID, TeamID, HelperUser, TeacherUser: the ids of the simulated
// world. Slack ids are upper-case letters and digits.
func SchoolID(s int) string         { return fmt.Sprintf("s%05d", s) }
func TeamID(s int) string           { return fmt.Sprintf("TL%05d", s) }
func HelperUser(s, h int) string    { return fmt.Sprintf("UH%05d%04d", s, h) }
func CoordinatorUser(s int) string  { return fmt.Sprintf("UC%05d", s) }
func TeacherUser(s, t int) string   { return fmt.Sprintf("UT%05d%05d", s, t) }
func TeacherName(s, t int) string   { return fmt.Sprintf("juf.s%dt%d", s, t) }
func HelperName(s, h int) string    { return fmt.Sprintf("helper.s%dh%d", s, h) }
func helperDisplay(s, h int) string { return fmt.Sprintf("Helper %d-%d", s, h) }

// yamlConfig is the part of hulpbot's configuration hulpload writes
// (config/example.yaml documents every field).
type yamlConfig struct {
	Language      string       `yaml:"language"`
	Timezone      string       `yaml:"timezone"`
	Listen        string       `yaml:"listen"`
	MetricsListen string       `yaml:"metrics_listen,omitempty"`
	RedisURL      string       `yaml:"redis_url"`
	RedisPrefix   string       `yaml:"redis_prefix"`
	OfferTimeout  string       `yaml:"offer_timeout"`
	FollowUpAfter string       `yaml:"followup_after"`
	Retention     string       `yaml:"retention"`
	LogFormat     string       `yaml:"log_format"`
	Slack         yamlSlack    `yaml:"slack"`
	Schools       []yamlSchool `yaml:"schools"`
}

type yamlSlack struct {
	Workspaces    []yamlWorkspace `yaml:"workspaces"`
	SigningSecret string          `yaml:"signing_secret"`
	APIURL        string          `yaml:"api_url"`
}

// yamlWorkspace is a school's workspace with the bot token of the app's
// installation there, as deployed for many schools.
type yamlWorkspace struct {
	Team     string `yaml:"team"`
	BotToken string `yaml:"bot_token"`
}

type yamlSchool struct {
	ID              string            `yaml:"id"`
	Name            string            `yaml:"name"`
	SlackTeam       string            `yaml:"slack_team"`
	Groups          []string          `yaml:"groups"`
	FallbackChannel string            `yaml:"fallback_channel"`
	Helpers         []yamlHelper      `yaml:"helpers"`
	Coordinators    []yamlCoordinator `yaml:"coordinators"`
}

type yamlHelper struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	Role     string   `yaml:"role"`
	Slack    string   `yaml:"slack"`
	Schedule []string `yaml:"schedule"`
}

type yamlCoordinator struct {
	Name  string `yaml:"name"`
	Slack string `yaml:"slack"`
}

// Config renders the hulpbot configuration of the layout: every school on
// its own Slack workspace with its own bot token, helpers always on duty,
// half of them youth care workers and half CJG coaches.
func (l Layout) Config() ([]byte, error) {
	if l.Schools < 1 || l.Helpers < 1 {
		return nil, fmt.Errorf("config: %d schools with %d helpers each: need at least one of each", l.Schools, l.Helpers)
	}
	c := yamlConfig{
		Language: "nl", Timezone: "Europe/Amsterdam", Listen: l.Listen, MetricsListen: l.MetricsListen,
		RedisURL: l.RedisURL, RedisPrefix: l.RedisPrefix,
		OfferTimeout: l.OfferTimeout.String(), FollowUpAfter: l.FollowUp.String(), Retention: "24h",
		LogFormat: "json",
		Slack:     yamlSlack{SigningSecret: l.Secret, APIURL: l.APIURL},
	}
	roles := []string{"jeugdhulpverlener", "cjg-coach"}
	for s := range l.Schools {
		sc := yamlSchool{
			ID: SchoolID(s), Name: fmt.Sprintf("School %d", s), SlackTeam: TeamID(s),
			Groups: []string{"1-2", "3", "4", Group, "6", "7", "8"}, FallbackChannel: "kernteam",
			Coordinators: []yamlCoordinator{{Name: fmt.Sprintf("Coordinator %d", s), Slack: CoordinatorUser(s)}},
		}
		owner := l.owner(s)
		for h := range l.Helpers {
			sc.Helpers = append(sc.Helpers, yamlHelper{
				ID: fmt.Sprintf("h%04d", h), Name: helperDisplay(owner, h), Role: roles[h%2],
				Slack: HelperUser(owner, h), Schedule: []string{"altijd"},
			})
		}
		c.Schools = append(c.Schools, sc)
		c.Slack.Workspaces = append(c.Slack.Workspaces, yamlWorkspace{Team: TeamID(s), BotToken: fmt.Sprintf("xoxb-hulpload-%05d", s)})
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	head := fmt.Sprintf("# Generated by hulpload: %d schools × %d helpers, all always on duty.\n", l.Schools, l.Helpers)
	if l.Pool > 1 {
		head += fmt.Sprintf("# Each %d schools in a row share their helpers.\n", l.Pool)
	}
	return append([]byte(head), b...), nil
}

// owner is the school whose helpers school s has: the first of its pool.
func (l Layout) owner(s int) int {
	if l.Pool > 1 {
		return s - s%l.Pool
	}
	return s
}

// randomHex is n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
