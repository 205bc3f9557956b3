package config

import (
	_ "embed"
	"slices"
)

//go:embed example.yaml
var exampleYAML []byte

// ExampleYAML returns config/example.yaml, the documented reference
// configuration, e.g. for "hulpbot -example > hulpbot.yaml".
func ExampleYAML() []byte { return slices.Clone(exampleYAML) }

// Demo is the configuration of a first run without a file: the terminal
// chat, an embedded Redis (RedisURL is empty) and one demo school where
// anyone may ask for help (juf.marie, say). Anne (jeugdhulpverlener) and
// Bram (cjg-coach) are always on duty; Sanne is the IB'er. Call ApplyEnv on
// it to honour REDIS_URL and HULPBOT_LISTEN.
func Demo() *Config {
	c := Defaults()
	c.RedisURL = ""
	c.Schools = []School{{
		ID:   "demo",
		Name: "Demoschool De Vaart",
		Groups: []Group{
			{ID: "1-2", Aliases: []string{"kleuters"}},
			{ID: "3"}, {ID: "4"}, {ID: "5"}, {ID: "6"}, {ID: "7"}, {ID: "8"},
		},
		FallbackChannel: "kernteam",
		Helpers: []Helper{
			{
				Name: "Anne", Role: "jeugdhulpverlener",
				Mattermost: "anne", Shell: "anne",
				Schedule: []string{"altijd"},
				Groups:   []string{"3", "4", "5"},
				Offers:   "gesprekjes met kinderen, meedenken over een groep",
			},
			{
				Name: "Bram", Role: "cjg-coach",
				Mattermost: "bram", Shell: "bram",
				Schedule: []string{"altijd"},
				Offers:   "ouders en thuis, de weg naar het CJG",
			},
		},
		RolesPriority: []string{"jeugdhulpverlener", "cjg-coach"},
		Coordinators: []Coordinator{
			{Name: "Sanne", Mattermost: "ib.sanne", Shell: "ib.sanne"},
		},
		Kernteam: Kernteam{Channel: "kernteam", Reminder: "15 8 * * MON", Meeting: "donderdag 14:00"},
		Digest:   Digest{Cron: "0 16 * * FRI"},
	}}
	return c
}
