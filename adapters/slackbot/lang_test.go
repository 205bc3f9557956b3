package slackbot

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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

// A click is answered in the clicker's language where what it changes is
// theirs alone: an answer only they see, though in a channel. A channel's
// post stays in the school's language for everyone, and a note to the
// clicker under it is in theirs.
func TestPersonLanguageClicks(t *testing.T) {
	s := newStack(t, withConfigFile("testdata/hulpbot-languages.yaml"))
	const teacher, sanne, ria = "U0TEACHER1", "U0SANNE001", "U0RIA00001"
	for _, u := range []string{teacher, sanne, ria} {
		s.fake.SetLocale(u, "en-GB")
	}
	// Nobody helps: the kernteam channel's post is Dutch, and stays Dutch
	// when an English reader picks it up.
	s.command(marieID, "marie", "groep 5")
	m := s.offer(anneID, 1)
	s.click(anneID, "anne", m, slackfake.Buttons(t, m)[1], "anne-decline")
	mb := s.offer(bramID, 1)
	s.click(bramID, "bram", mb, slackfake.Buttons(t, mb)[1], "bram-decline")
	s.fake.Wait(t, "the post in the fallback channel", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Posted("C0KERNTEAM")) == 1 })
	post := s.fake.Posted("C0KERNTEAM")[0]
	pick := slackfake.Buttons(t, post)[0]
	s.click(sanne, "ib.sanne", post, pick, "pickup-sanne")
	s.fake.Wait(t, "the pick-up's answer", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("pickup-sanne")) == 1 })
	if got := s.fake.Responses("pickup-sanne")[0].Text; !strings.Contains(got, "pakt dit op") {
		t.Errorf("pick-up in the channel = %q; want the post in the school's Dutch", got)
	}
	// Too late for Ria: the note only she sees is in English.
	s.click(ria, "ria", post, pick, "pickup-ria")
	s.fake.Wait(t, "the second pick-up's answer", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("pickup-ria")) == 1 })
	if got, want := s.fake.Responses("pickup-ria")[0].Text, catalog.Text(catalog.LangEN, "err.already_accepted"); got != want {
		t.Errorf("a second pick-up = %q; want %q", got, want)
	}

	// An answer only the teacher sees, with a button, in a channel.
	a, _ := s.command(teacher, "teacher", "groep 2")
	if want := catalog.Text(catalog.LangEN, "group.suggest", "choices", "group 1-2"); !strings.Contains(a.Text, want) {
		t.Fatalf("answer = %q; want %q", a.Text, want)
	}
	b, _ := json.Marshal(a.Blocks)
	ask := slackfake.Buttons(t, slackfake.Call{Form: url.Values{"blocks": {string(b)}}})[0]
	c := slackfake.Click{TeamID: team, UserID: teacher, UserName: "teacher", ChannelID: "C0GROEP5A1", MessageTS: "1764150000.000100",
		ResponseURL: s.fake.ResponseURL("ask"), TriggerID: "click-ask", ActionTS: "1764150061.000001", Button: ask, Ephemeral: true}
	if status, body, _ := s.post("/slack/interactivity", []byte(c.Form().Encode()), nil); status != http.StatusOK {
		t.Fatalf("POST /slack/interactivity = %d %s", status, body)
	}
	s.fake.Wait(t, "the click's answer", 5*time.Second, func([]slackfake.Call) bool { return len(s.fake.Responses("ask")) == 1 })
	if got := s.fake.Responses("ask")[0].Text; !strings.Contains(got, "Your request for help for group 1-2") {
		t.Errorf("click answer = %q; want where the request went, in English", got)
	}
}
