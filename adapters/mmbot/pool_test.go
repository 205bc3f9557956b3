package mmbot

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

// postText is what a post shows: its message and its attachments' text.
func postText(p *model.Post) string {
	out := p.Message
	for _, a := range p.Attachments() {
		out += "\n" + a.Pretext + "\n" + a.Text
	}
	return out
}

// sharedConfig has Bram, a CJG coach, at both schools: "bram" at De Vaart,
// "bram-jansen" at De Klim, one Mattermost account. Kees helps at De Klim
// only.
const sharedConfig = `
redis_url: redis://unused
mattermost:
  url: http://unused
  bot_token: bot-token
  command_tokens:
    school: ` + payloadToken + `
    klim: ` + klimToken + `
  public_url: http://hulpbot.test
schools:
  - id: de-vaart
    name: De Vaart
    mattermost_team: school
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Bram, role: cjg-coach, mattermost: bram, schedule: [altijd]}
  - id: de-klim
    name: De Klim
    mattermost_team: klim
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Bram Jansen, role: cjg-coach, mattermost: Bram, schedule: [altijd]}
      - {name: Kees, role: cjg-coach, mattermost: kees, schedule: [altijd]}
`

// TestSharedHelper: through the real endpoints, Bram offered De Vaart's
// request is busy at De Klim too: De Klim's goes to Kees, its next to the
// fallback channel, whose post names the school; Bram's offer names its
// school, Kees's does not; "afwezig" typed in De Klim's team holds at De
// Vaart, and "wie" says so at both.
func TestSharedHelper(t *testing.T) {
	s := newStack(t, withConfig(sharedConfig))
	klim := func(user, text string) string {
		t.Helper()
		body := commandForm(t, map[string]string{"token": klimToken, "team_id": otherTeamID, "team_domain": "klim",
			"user_name": user, "user_id": s.mm.idOf(user), "text": text, "trigger_id": "t-" + user + text})
		status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, nil)
		if status != http.StatusOK {
			t.Fatalf("/hulp %s at De Klim: HTTP %d %s", text, status, out)
		}
		return out
	}

	if r := s.command("juf.anna", "groep 5"); !strings.Contains(r.Text, "Bram") {
		t.Fatalf("De Vaart's request: %q; want it passed on to Bram", r.Text)
	}
	if p := s.offerPost("bram"); !strings.Contains(postText(p), "De Vaart") {
		t.Errorf("Bram's offer %q does not name De Vaart", postText(p))
	}
	if out := klim("juf.anna", "groep 5"); !strings.Contains(out, "Kees") {
		t.Fatalf("De Klim's request: %q; want it passed on to Kees (Bram is busy at De Vaart)", out)
	}
	if p := s.offerPost("kees"); strings.Contains(postText(p), "De Klim") {
		t.Errorf("Kees's offer %q names the school; he helps at one only", postText(p))
	}
	if out := klim("juf.anna", "groep 5 nog een"); strings.Contains(out, "Bram") {
		t.Fatalf("De Klim's second request: %q; want it to the fallback channel", out)
	}
	posts := s.mm.postsTo("chankernteam") // only De Klim escalates here
	if len(posts) != 1 || !strings.Contains(postText(posts[0]), "De Klim") {
		t.Errorf("De Klim's fallback posts = %d, want one that names De Klim", len(posts))
	}
	if out := klim("juf.anna", "wie"); !strings.Contains(out, "Bram Jansen (CJG-coach): met een hulpvraag bezig") {
		t.Errorf("wie at De Klim = %q; want Bram busy with De Vaart's request", out)
	}

	// Away, typed in De Klim's team: De Vaart's offer is passed on (to
	// its fallback channel: Bram is its only helper), and De Vaart sees
	// him away.
	klim("bram", "afwezig")
	r := s.command("juf.anna", "wie")
	if !strings.Contains(r.Text, "Bram (CJG-coach): afwezig") {
		t.Errorf("wie at De Vaart after afwezig at De Klim = %q; want Bram away", r.Text)
	}
	if n := len(s.mm.postsTo("chankernteam")); n != 2 {
		t.Errorf("%d fallback posts; want De Vaart's request there too, passed on from Bram", n)
	}
}
