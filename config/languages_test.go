package config

import (
	"errors"
	"slices"
	"testing"
)

func TestValidateLanguages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   []Problem
	}{
		{"none: the school's language only", func(c *Config) {}, nil},
		{"both at the top", func(c *Config) { c.Languages = []string{"nl", "en"} }, nil},
		{"both at a school", func(c *Config) { c.Schools[0].Languages = []string{"en", "nl"} }, nil},
		{"a school's own list overrides the top level", func(c *Config) {
			c.Languages = []string{"nl", "en"}
			c.Schools[1].Language = "en"
			c.Schools[1].Languages = []string{"en"}
		}, nil},
		{"unknown", func(c *Config) { c.Languages = []string{"nl", "fr"} },
			[]Problem{{"languages[1]", `"fr" is not nl or en`}}},
		{"twice", func(c *Config) { c.Schools[0].Languages = []string{"nl", "nl"} },
			[]Problem{{"schools[0].languages[1]", `"nl" is listed twice`}}},
		{"empty", func(c *Config) { c.Schools[0].Languages = []string{} },
			[]Problem{{"schools[0].languages", "is empty: leave it out for only the school's language"}}},
		{"without the school's language", func(c *Config) { c.Schools[0].Languages = []string{"en"} },
			[]Problem{{"schools[0].languages", `does not hold the school's language "nl"`}}},
		{"the top level's without a school's language", func(c *Config) {
			c.Languages = []string{"nl"}
			c.Schools[1].Language = "en"
		}, []Problem{{"schools[1].languages (from the top level)", `does not hold the school's language "en"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConfig(t)
			tc.change(c)
			err := c.Validate()
			var got []Problem
			var ve *ValidationError
			if errors.As(err, &ve) {
				got = ve.Problems
			} else if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// A school that allows both languages is in the directory in its own
// language, and as each person of the other language reads it.
func TestDirectoryLanguages(t *testing.T) {
	c := baseConfig(t)
	c.Schools[0].Languages = []string{"nl", "en"}
	dir, err := c.Directory()
	if err != nil {
		t.Fatal(err)
	}
	vaart, _ := dir.School("de-vaart")
	linde, _ := dir.School("de-linde")
	if got := vaart.Languages(); !slices.Equal(got, []string{"nl", "en"}) {
		t.Errorf("de-vaart languages = %q, want [nl en]", got)
	}
	if got := linde.Languages(); !slices.Equal(got, []string{"nl"}) {
		t.Errorf("de-linde languages = %q, want [nl]", got)
	}
	en := vaart.Speaking("en")
	if en == vaart || en.Language != "en" || en.ID != vaart.ID || en.Name != vaart.Name {
		t.Errorf("de-vaart in English = %+v, want the same school in en", en)
	}
	if en.WhenDown != defaultWhenDown("en", "") {
		t.Errorf("de-vaart's advice in English = %q", en.WhenDown)
	}
	if en.Speaking("en") != en || vaart.Speaking("nl") != vaart || vaart.Speaking("de") != vaart || linde.Speaking("en") != linde {
		t.Error("Speaking a language the school does not allow, or its own, is not the school itself")
	}
	if vaart.Speaking("en") != en {
		t.Error("Speaking made a new copy: want the one made at configuration")
	}
}
