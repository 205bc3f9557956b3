package mmbot

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hulpbot/hulpbot/catalog"
)

// bothLanguages is testConfig with De Vaart's people each reading nl or
// en, as their Mattermost account says.
var bothLanguages = strings.Replace(testConfig, "    mattermost_team: school\n", "    mattermost_team: school\n    languages: [nl, en]\n", 1)

// At a school that allows both languages, each person reads their own:
// replies to their commands, their clicks in a direct message, and the
// offers sent to them once their language is known.
func TestPersonLanguage(t *testing.T) {
	s := newStack(t, withConfig(bothLanguages))
	s.mm.setLocale("juf.anna", "en")
	s.mm.setLocale("anne", "en")
	s.mm.setLocale("bram", "nl")
	s.mm.addUser("juf.ria")
	s.mm.setLocale("juf.ria", "nl")

	// Anne's language becomes known with her first command.
	if r := s.command("anne", "help"); !strings.HasPrefix(r.Text, "How to use /hulp") {
		t.Errorf("help for anne (en) = %q, want English", r.Text)
	}
	r := s.command("juf.anna", "groep 5")
	if want := catalog.Text(catalog.LangEN, "request.offered.next"); !strings.Contains(r.Text, want) {
		t.Errorf("reply to juf.anna (en) = %q, want it to hold %q", r.Text, want)
	}
	offer := s.offerPost("anne")
	if !strings.HasPrefix(offer.Message, "Can you help?") {
		t.Errorf("offer to anne (en) = %q, want English", offer.Message)
	}
	// Bram's language is known once he has typed a command; Anne passes
	// the request on to him.
	if r := s.command("bram", "help"); !strings.HasPrefix(r.Text, "Zo gebruik je /hulp") {
		t.Errorf("help for bram (nl) = %q, want Dutch", r.Text)
	}
	up := s.click("anne", offer, "decline", "")
	if up.Update == nil || up.Update.Message == "" || strings.Contains(up.Update.Message, "Kun je") || strings.Contains(up.Update.Message, "hulpvraag") {
		t.Errorf("anne's offer after her click = %+v, want it in English", up.Update)
	}
	if p := s.offerPost("bram"); !strings.HasPrefix(p.Message, "Kun je even helpen?") {
		t.Errorf("offer to bram (nl) = %q, want Dutch", p.Message)
	}
	// A Dutch colleague at the same school reads Dutch.
	if r := s.command("juf.ria", "groep 4"); strings.Contains(r.Text, "How") || !strings.Contains(r.Text, "groep 4") {
		t.Errorf("reply to juf.ria (nl) = %q, want Dutch", r.Text)
	}

	// The language is kept: a second command does not ask Mattermost.
	user := "GET /api/v4/users/" + s.mm.idOf("juf.anna")
	before := s.mm.count(user)
	s.command("juf.anna", "help")
	if n := s.mm.count(user); n != before {
		t.Errorf("a second command asked Mattermost %d more times, want 0", n-before)
	}
}

// A school with one language never asks for anyone's locale.
func TestPersonLanguageOneLanguage(t *testing.T) {
	s := newStack(t)
	s.mm.setLocale("juf.anna", "en")
	user := "GET /api/v4/users/" + s.mm.idOf("juf.anna")
	for range 2 {
		if r := s.command("juf.anna", "help"); !strings.HasPrefix(r.Text, "Zo gebruik je /hulp") {
			t.Errorf("help = %q, want the school's Dutch", r.Text)
		}
	}
	// One lookup: who is asking (then known to the adapter); none for a
	// locale.
	if n := s.mm.count(user); n != 1 {
		t.Errorf("asked Mattermost for juf.anna %d times, want 1 (her username)", n)
	}
}

// When Mattermost cannot tell the locale, the command is answered in the
// school's language, and the next command asks again.
func TestPersonLanguageAPIError(t *testing.T) {
	s := newStack(t, withConfig(bothLanguages))
	s.mm.setLocale("juf.anna", "en")
	user := "/api/v4/users/" + s.mm.idOf("juf.anna")
	var n atomic.Int32
	s.mm.setFail(func(r *http.Request) (int, http.Header) {
		// The first lookup (her username) works; the second (her
		// locale) fails.
		if r.URL.Path == user && n.Add(1) == 2 {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	})
	if r := s.command("juf.anna", "help"); !strings.HasPrefix(r.Text, "Zo gebruik je /hulp") {
		t.Errorf("help with Mattermost failing = %q, want the school's Dutch", r.Text)
	}
	if r := s.command("juf.anna", "help"); !strings.HasPrefix(r.Text, "How to use /hulp") {
		t.Errorf("help once Mattermost answers = %q, want English", r.Text)
	}
}

// A click is answered in the clicker's language where what it changes is
// theirs alone: an answer only they see, though in a team's channel (its
// buttons are signed for them). A channel's post stays in the school's
// language for everyone, and a note to the clicker under it is in theirs.
func TestPersonLanguageClicks(t *testing.T) {
	s := newStack(t, withConfig(bothLanguages))
	kern := s.mm.addChannel(payloadTeamID, "kernteam", true, true)
	s.mm.setLocale("juf.anna", "en")
	s.mm.setLocale("ib.sanne", "en")
	s.mm.addUser("juf.ria")
	s.mm.setLocale("juf.ria", "en")

	// An answer only juf.anna sees, with a button for her, in a channel.
	r := s.command("juf.anna", "Groep 5b")
	if r.Text != catalog.Text(catalog.LangEN, "group.suggest", "choices", "group 5") {
		t.Fatalf("answer = %q; want the question in English", r.Text)
	}
	p := replyPost(r, "chan5a")
	if text, _ := s.tapReply("juf.anna", p, actions(p)[0].Id, payloadTeamID); !strings.Contains(text, "Your request for help for group 5 has gone to Anne") {
		t.Fatalf("click answer = %q; want where the request went, in English", text)
	}

	// The request reaches the kernteam channel: its post is Dutch, and
	// stays Dutch when an English reader picks it up.
	s.click("anne", s.offerPost("anne"), "decline", "")
	s.click("bram", s.offerPost("bram"), "decline", "")
	posts := s.mm.postsTo(kern)
	if len(posts) != 1 {
		t.Fatalf("kernteam posts = %d, want the escalated request", len(posts))
	}
	ctx := contextOf(t, posts[0], "pickup")
	up := s.clickWith(clickReq{user: "ib.sanne", userID: s.mm.idOf("ib.sanne"), post: posts[0].Id, channel: kern, team: payloadTeamID, context: ctx})
	if up.Update == nil || !strings.Contains(up.Update.Message, "pakt dit op") {
		t.Errorf("pick-up in the channel = %+v, want the post in the school's Dutch", up)
	}
	// Too late for juf.ria: the note only she sees is in English.
	late := s.clickWith(clickReq{user: "juf.ria", userID: s.mm.idOf("juf.ria"), post: posts[0].Id, channel: kern, team: payloadTeamID, context: ctx})
	if late.Update != nil || late.EphemeralText != catalog.Text(catalog.LangEN, "err.already_accepted") {
		t.Errorf("a second pick-up = update %v, note %q; want only the English note", late.Update, late.EphemeralText)
	}
}
