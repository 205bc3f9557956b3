package config

import (
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

func TestYearWebExample(t *testing.T) {
	c, err := Load("example.yaml", env(exampleEnv))
	if err != nil {
		t.Fatal(err)
	}
	if c.Web == nil || c.Web.PublicURL != "http://127.0.0.1:8080" || c.Web.LinkTTLOrDefault() != 15*time.Minute || c.Web.SessionTTLOrDefault() != 8*time.Hour {
		t.Errorf("web = %+v", c.Web)
	}
	swvs := c.SamenwerkingsverbandenOf()
	if len(swvs) != 1 || swvs[0].ID != "swv-vaart-en-linde" || !swvs[0].Has("de-vaart") {
		t.Fatalf("samenwerkingsverbanden = %+v", swvs)
	}
	if !swvs[0].IsCoordinator(bot.Address{Platform: PlatformMattermost, Handle: "SWV.Marieke"}) {
		t.Error("the configured coordinator is not one")
	}
	if swvs[0].IsCoordinator(bot.Address{Platform: PlatformMattermost, Handle: "ib.sanne"}) {
		t.Error("a school's coordinator is the samenwerkingsverband's")
	}
}

func TestYearWebValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want []Problem
	}{
		{"fine", func(c *Config) {}, nil},
		{"web without public_url", func(c *Config) { c.Web.PublicURL = "" }, []Problem{{"web.public_url", "empty"}}},
		{"web url no http", func(c *Config) { c.Web.PublicURL = "ftp://x" }, []Problem{{"web.public_url", `"ftp://x" is not an http:// or https:// URL`}}},
		{"short secret", func(c *Config) { c.Web.Secret = "kort" }, []Problem{{"web.secret", "too short: use at least 16 characters, or leave it empty to have one generated"}}},
		{"link ttl", func(c *Config) { c.Web.LinkTTL = Duration{Duration: 2 * time.Hour} }, []Problem{{"web.link_ttl", "2h is out of range: between 1m and 1h"}}},
		{"unknown school", func(c *Config) { c.Samenwerkingsverbanden[0].Schools = []string{"de-vaart", "nergens"} },
			[]Problem{{"samenwerkingsverbanden[0].schools[1]", `"nergens" is no school id of schools`}}},
		{"school twice", func(c *Config) { c.Samenwerkingsverbanden[0].Schools = []string{"de-vaart", "de-vaart"} },
			[]Problem{{"samenwerkingsverbanden[0].schools[1]", `"de-vaart" is listed twice`}}},
		{"no coordinators, bad id", func(c *Config) {
			c.Samenwerkingsverbanden[0].Coordinators = nil
			c.Samenwerkingsverbanden[0].ID = "SWV 1"
		}, []Problem{
			{"samenwerkingsverbanden[0].id", `"SWV 1": use lowercase letters, digits, - and _`},
			{"samenwerkingsverbanden[0].coordinators", "empty: nobody could open its overview"},
		}},
		{"duplicate id", func(c *Config) {
			c.Samenwerkingsverbanden = append(c.Samenwerkingsverbanden, c.Samenwerkingsverbanden[0])
		}, []Problem{{"samenwerkingsverbanden[1].id", `"swv-vaart-en-linde" is also samenwerkingsverbanden[0]`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("example.yaml", env(exampleEnv))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(c)
			var got []Problem
			if err := c.Validate(); err != nil {
				got = problemsOf(t, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
		})
	}
}
