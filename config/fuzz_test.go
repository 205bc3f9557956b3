package config

import (
	"errors"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes. It must never panic, and whatever
// it accepts must convert to a directory: validation is the only gate
// between a file and the running bot. The seeds are small, so the fuzzer's
// minimizing of what it finds stays quick and it fuzzes; example.yaml is
// TestExampleLoads's.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		minimal, everyField, "", "~", "[]", "schools: [{}]",
		"schools: [{groups: [{id: x, aliases: [y]}, ~, [a]]}]",
		"offer_timeout: ${X}\nretention: 30d\n",
		"schools: [{day_parts: {ochtend: '08:00-12:00', middag: '11:00-24:00'}}]",
		"schools: [{kernteam: {reminder: 'TZ=x'}, digest: {cron: '@every 1h'}}]",
		"a: &a [*a]",
	} {
		f.Add([]byte(seed))
	}
	getenv := env(exampleEnv)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, getenv)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					if p.Message == "" {
						t.Errorf("problem without a message at %q", p.Field)
					}
				}
			}
			return
		}
		if c == nil {
			t.Fatal("got a nil Config and no error")
		}
		if _, err := c.Directory(); err != nil {
			t.Errorf("Parse accepted what Directory rejects: %v\n%s", err, data)
		}
	})
}

// everyField is a small configuration that sets every section: a seed that
// reaches all of validation and Directory.
const everyField = `{timezone: Europe/Amsterdam, offer_timeout: 90s, retention: 14d,
mattermost: {url: "http://mm", bot_token: b, command_token: c, public_url: "http://h"}, slack: {bot_token: x, signing_secret: s},
http: {read_timeout: 5s, max_connections: 100}, metrics_listen: "127.0.0.1:9",
schools: [{id: a, name: A, mattermost_team: t, groups: [{id: "1-2", aliases: [k]}, "5"], fallback_channel: f,
helpers: [{name: Anne, role: r, mattermost: anne, slack: U01, schedule: ["ma ochtend", altijd], groups: [k]}],
coordinators: [{name: S, shell: s}], day_parts: {ochtend: "08:00-12:00"}, kernteam: {channel: k, reminder: "15 8 * * MON"},
digest: {cron: "0 16 * * FRI"}, holidays: ["2026-10-12/2026-10-16"], holiday_region: midden}]}`

func TestEveryFieldSeed(t *testing.T) {
	c := mustParse(t, everyField, nil)
	if _, err := c.Directory(); err != nil {
		t.Fatalf("Directory: %v", err)
	}
}
