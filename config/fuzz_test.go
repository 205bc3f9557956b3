package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes. It must never panic, and whatever
// it accepts must convert to a directory: validation is the only gate
// between a file and the running bot.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), minimal, base, school, "", "~", "[]", "schools: [{}]",
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
