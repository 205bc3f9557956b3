package slackbot

import (
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/catalog"
)

func withConfigFile(path string) stackOpt {
	return func(c *stackConfig) { c.configFile = path }
}

// At a school that allows both languages, each person reads their own, as
// users.info (with include_locale) tells: replies to their commands, and
// offers sent to them once their language is known.
func TestPersonLanguage(t *testing.T) {
	s := newStack(t, withConfigFile("testdata/hulpbot-languages.yaml"))
	s.fake.SetLocale(anneID, "en-US")
	s.fake.SetLocale(marieID, "nl-NL")
	const teacher = "U0TEACHER1"
	s.fake.SetLocale(teacher, "en-GB")

	if p, _ := s.command(anneID, "anne", "help"); !strings.HasPrefix(p.Text, "How to use /hulp") {
		t.Errorf("help for anne (en-US) = %q, want English", p.Text)
	}
	p, _ := s.command(teacher, "teacher", "groep 5")
	if want := catalog.Text(catalog.LangEN, "request.offered.next"); !strings.Contains(p.Text, want) {
		t.Errorf("reply to the teacher (en-GB) = %q, want it to hold %q", p.Text, want)
	}
	if m := s.offer(anneID, 1); !strings.HasPrefix(m.Form.Get("text"), "Can you help?") {
		t.Errorf("offer to anne (en-US) = %q, want English", m.Form.Get("text"))
	}
	if p, _ := s.command(marieID, "marie", "groep 4"); !strings.Contains(p.Text, "groep 4") {
		t.Errorf("reply to marie (nl-NL) = %q, want Dutch", p.Text)
	}
	for _, c := range s.fake.Calls("users.info") {
		if c.Form.Get("include_locale") != "true" {
			t.Errorf("users.info without include_locale: %v", c.Form)
		}
	}
	// Kept: a second command does not ask Slack.
	before := len(s.fake.Calls("users.info"))
	s.command(teacher, "teacher", "help")
	if n := len(s.fake.Calls("users.info")); n != before || n != 3 {
		t.Errorf("users.info called %d times, then %d; want 3, then no more", before, n)
	}
}

// A school with one language never asks Slack for anyone's locale.
func TestPersonLanguageOneLanguage(t *testing.T) {
	s := newStack(t)
	s.fake.SetLocale(anneID, "en-US")
	if p, _ := s.command(anneID, "anne", "help"); !strings.HasPrefix(p.Text, "Zo gebruik je /hulp") {
		t.Errorf("help = %q, want the school's Dutch", p.Text)
	}
	if n := len(s.fake.Calls("users.info")); n != 0 {
		t.Errorf("users.info called %d times, want 0", n)
	}
}

// When Slack cannot tell the locale, the command is answered in the
// school's language, and the next command asks again.
func TestPersonLanguageAPIError(t *testing.T) {
	s := newStack(t, withConfigFile("testdata/hulpbot-languages.yaml"))
	s.fake.SetLocale(anneID, "en-US")
	s.fake.Fail("users.info", slackfake.Fault{Times: 1, Status: 500})
	if p, _ := s.command(anneID, "anne", "help"); !strings.HasPrefix(p.Text, "Zo gebruik je /hulp") {
		t.Errorf("help with Slack failing = %q, want the school's Dutch", p.Text)
	}
	if p, _ := s.command(anneID, "anne", "help"); !strings.HasPrefix(p.Text, "How to use /hulp") {
		t.Errorf("help once Slack answers = %q, want English", p.Text)
	}
}
