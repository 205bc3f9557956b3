package mmbot

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// Who is asking, for sure: each finding of the issue has a test here that
// plays the attack through the real endpoints, against the real command
// path on Redis and a fake Mattermost.

// TestTokenBoundToTeam: a /hulp token is good for its own team only. De
// Klim's token with De Vaart's team id or name — the coordinator's
// overview, a helper switching herself off, a request — is 401: nothing
// changes in Redis, nothing is posted, and who is asking is not even
// looked up. With its own team it works.
func TestTokenBoundToTeam(t *testing.T) {
	s := newStack(t)
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name           string
		header, token  string // Authorization header and form token ("" leaves it out)
		teamID, domain string // "" leaves it out
		user, text     string
	}{
		{"De Klim's token, De Vaart's team: the overview", "", klimToken, payloadTeamID, payloadTeamName, "ib.sanne", "overzicht"},
		{"De Klim's token, De Vaart's team: a helper away", "", klimToken, payloadTeamID, payloadTeamName, "anne", "afwezig"},
		{"De Klim's token in the header, De Vaart's team", "Token " + klimToken, "", payloadTeamID, payloadTeamName, "juf.anna", "groep 5"},
		{"De Vaart's team id only", "", klimToken, payloadTeamID, "", "juf.anna", "groep 5"},
		{"De Vaart's team name only", "", klimToken, "", payloadTeamName, "juf.anna", "groep 5"},
		{"De Klim's id, De Vaart's name", "", klimToken, otherTeamID, payloadTeamName, "juf.anna", "groep 5"},
		{"De Vaart's id, De Klim's name", "", klimToken, payloadTeamID, "klim", "juf.anna", "groep 5"},
		{"De Vaart's token, De Klim's team", "Token " + payloadToken, payloadToken, otherTeamID, "klim", "kees", "afwezig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			change := map[string]string{"token": tc.token, "team_id": tc.teamID, "team_domain": tc.domain,
				"user_name": tc.user, "user_id": s.mm.idOf(tc.user), "text": tc.text, "trigger_id": "t-" + tc.name}
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			before, posts, lookups := s.snapshot(), len(s.mm.allPosts()), s.mm.count("GET /api/v4/users/"+s.mm.idOf(tc.user))
			status, out := s.post(CommandPath, form, commandForm(t, change), h)
			if status != http.StatusUnauthorized {
				t.Fatalf("HTTP %d %q, want 401", status, out)
			}
			if after := s.snapshot(); after != before {
				t.Errorf("a token of another team changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if n := len(s.mm.allPosts()); n != posts {
				t.Errorf("a token of another team made %d posts", n-posts)
			}
			if n := s.mm.count("GET /api/v4/users/" + s.mm.idOf(tc.user)); n != lookups {
				t.Errorf("a token of another team had the account looked up %d times, want never", n-lookups)
			}
		})
	}

	// With its own team, De Klim's token works: Kees is asked.
	body := commandForm(t, map[string]string{"token": klimToken, "team_id": otherTeamID, "team_domain": "klim",
		"user_name": "juf.anna", "user_id": s.mm.idOf("juf.anna"), "text": "groep 5", "trigger_id": "t-klim"})
	status, out := s.post(CommandPath, form, body, nil)
	if status != http.StatusOK || !strings.Contains(out, "doorgezet naar Kees") {
		t.Errorf("De Klim's own command: HTTP %d %q, want it passed on to Kees", status, out)
	}
}

// TestClickByAnotherAccount: Anne's "Ik kom eraan", posted again with
// user_name anne but someone else's user_id, is refused with a Dutch note
// and changes nothing: a button works for the account it was sent to.
func TestClickByAnotherAccount(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	ctx := contextOf(t, offer, "accept")
	for _, who := range []struct{ name, id string }{
		{"another helper", s.mm.idOf("bram")},
		{"the teacher", s.mm.idOf("juf.anna")},
		{"an account hulpbot does not know", "userstranger00000000000000"},
	} {
		t.Run(who.name, func(t *testing.T) {
			before := s.snapshot()
			r := s.clickWith(clickReq{user: "anne", userID: who.id, post: offer.Id, channel: offer.ChannelId, context: ctx})
			if r.Update != nil || !strings.Contains(r.EphemeralText, "Deze knop is niet voor jou") {
				t.Errorf("answer = update %v, ephemeral %q; want only the note that the button is not theirs", r.Update, r.EphemeralText)
			}
			if after := s.snapshot(); after != before {
				t.Errorf("a click by another account changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	if got := s.request("de-vaart", reqID); got.State != bot.StateOffered || got.HelperID != "anne" {
		t.Errorf("request = %s to %q, want still offered to anne", got.State, got.HelperID)
	}
}

// TestUserNameIgnored: the person is the account of user_id, which
// Mattermost sets; a user_name that says otherwise is ignored.
func TestUserNameIgnored(t *testing.T) {
	t.Run("a click acts as the account", func(t *testing.T) {
		s := newStack(t)
		s.command("juf.anna", "groep 5")
		offer := s.offerPost("anne")
		reqID, _ := requestOf(t, offer)
		r := s.clickWith(clickReq{user: "bram", userID: s.mm.idOf("anne"), post: offer.Id, channel: offer.ChannelId, context: contextOf(t, offer, "accept")})
		if r.Update == nil || !strings.HasPrefix(r.Update.Message, "✅ Anne komt eraan") {
			t.Fatalf("answer = %+v, want Anne's accept", r)
		}
		if got := s.request("de-vaart", reqID); got.State != bot.StateAccepted || got.HelperID != "anne" {
			t.Errorf("request = %s by %q, want accepted by anne", got.State, got.HelperID)
		}
	})
	t.Run("a command acts as the account", func(t *testing.T) {
		s := newStack(t)
		for _, tc := range []struct{ name, userName, as, text, want string }{
			{"the teacher calling herself the coordinator", "ib.sanne", "juf.anna", "overzicht", "alleen voor de IB'er"},
			{"the teacher calling herself a helper", "anne", "juf.anna", "afwezig", "als hulpverlener is ingesteld"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := s.snapshot()
				body := commandForm(t, map[string]string{"user_name": tc.userName, "user_id": s.mm.idOf(tc.as), "text": tc.text, "trigger_id": "t-" + tc.name})
				status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, map[string]string{"Authorization": "Token " + payloadToken})
				if status != http.StatusOK || !strings.Contains(out, tc.want) {
					t.Errorf("HTTP %d %q, want 200 with %q", status, out, tc.want)
				}
				if after := s.snapshot(); after != before {
					t.Errorf("changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
		// A request is the account's, whatever user_name says.
		body := commandForm(t, map[string]string{"user_name": "ib.sanne", "user_id": s.mm.idOf("juf.anna"), "text": "groep 5", "trigger_id": "t-request"})
		if status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, map[string]string{"Authorization": "Token " + payloadToken}); status != http.StatusOK || !strings.Contains(out, "doorgezet naar Anne") {
			t.Fatalf("HTTP %d %q, want the request passed on", status, out)
		}
		reqID, _ := requestOf(t, s.offerPost("anne"))
		if got := s.request("de-vaart", reqID); got.Requester.Handle != "juf.anna" {
			t.Errorf("requester = %q, want juf.anna", got.Requester.Handle)
		}
	})
}

// TestClickExpired: an offer's buttons work until its deadline and a
// grace; after that a click is refused with a Dutch note and changes
// nothing.
func TestClickExpired(t *testing.T) {
	var ahead atomic.Int64 // how far the adapter's clock runs ahead
	s := newStack(t, withClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	deadline := s.request("de-vaart", reqID).Deadline

	ahead.Store(int64(time.Until(deadline.Add(clickGrace)) + time.Second))
	before := s.snapshot()
	r := s.click("anne", offer, "accept", "")
	if r.Update != nil || !strings.Contains(r.EphemeralText, "Deze knop is verlopen") {
		t.Errorf("answer = update %v, ephemeral %q; want only the note that the button expired", r.Update, r.EphemeralText)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("an expired click changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Within the grace after the deadline it still counts (the offer was
	// not moved on: this stack has no sweeper).
	ahead.Store(int64(time.Until(deadline.Add(clickGrace)) - 10*time.Second))
	if r := s.click("anne", offer, "accept", ""); r.Update == nil || !strings.HasPrefix(r.Update.Message, "✅ Anne komt eraan") {
		t.Errorf("a click within the grace = %+v, want Anne's accept", r)
	}
}

// TestPickupBoundToChannel: "Ik pak dit op" works in the fallback channel
// it was posted in, for anyone there, while the request is kept; its
// context from another channel, or after the request's retention, is
// refused and changes nothing.
func TestPickupBoundToChannel(t *testing.T) {
	var ahead atomic.Int64
	s := newStack(t, withClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	kern := s.mm.addChannel(payloadTeamID, "kernteam", true, true)
	elders := s.mm.addChannel(payloadTeamID, "elders", true, true)
	s.command("juf.anna", "groep 5")
	s.click("anne", s.offerPost("anne"), "decline", "")
	s.click("bram", s.offerPost("bram"), "decline", "")
	posts := s.mm.postsTo(kern)
	if len(posts) != 1 {
		t.Fatalf("kernteam posts = %d, want the escalated request", len(posts))
	}
	post := posts[0]
	reqID, _ := requestOf(t, post)
	ctx := contextOf(t, post, "pickup")
	refused := func(name string, c clickReq, want string) {
		t.Helper()
		before := s.snapshot()
		r := s.clickWith(c)
		if r.Update != nil || !strings.Contains(r.EphemeralText, want) {
			t.Errorf("%s: answer = update %v, ephemeral %q; want only a note with %q", name, r.Update, r.EphemeralText, want)
		}
		if after := s.snapshot(); after != before {
			t.Errorf("%s changed Redis:\nbefore:\n%s\nafter:\n%s", name, before, after)
		}
	}
	sanne := s.mm.idOf("ib.sanne")
	refused("from another channel", clickReq{user: "ib.sanne", userID: sanne, post: post.Id, channel: elders, team: payloadTeamID, context: ctx}, "in een ander kanaal")
	refused("from a direct message", clickReq{user: "ib.sanne", userID: sanne, post: post.Id, channel: s.mm.dmOf("anne"), context: ctx}, "in een ander kanaal")
	ahead.Store(int64(31 * 24 * time.Hour)) // retention is 30 days
	refused("after the request's retention", clickReq{user: "ib.sanne", userID: sanne, post: post.Id, channel: kern, team: payloadTeamID, context: ctx}, "Deze knop is verlopen")
	ahead.Store(0)
	if got := s.request("de-vaart", reqID); got.State != bot.StateEscalated {
		t.Fatalf("request = %s, want still escalated", got.State)
	}

	r := s.clickWith(clickReq{user: "ib.sanne", userID: sanne, post: post.Id, channel: kern, team: payloadTeamID, context: ctx})
	if r.Update == nil || !strings.Contains(strings.ToLower(r.Update.Message), "sanne") {
		t.Errorf("pick-up in the channel = %+v, want the post rewritten to say Sanne has it", r)
	}
	if got := s.request("de-vaart", reqID); got.PickedBy.Handle != "ib.sanne" {
		t.Errorf("picked up by %q, want ib.sanne", got.PickedBy.Handle)
	}
}

// TestIdentityWhileAPIDown: while Mattermost's API does not answer, who
// typed a command is the account as last resolved (within a day); an
// account never resolved gets an honest answer and nothing happens.
func TestIdentityWhileAPIDown(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "help") // hulpbot learns who she is
	s.mm.setFail(func(r *http.Request) (int, http.Header) {
		if strings.HasPrefix(r.URL.Path, "/api/v4/users/") {
			return http.StatusBadGateway, nil
		}
		return 0, nil
	})
	if r := s.command("juf.anna", "help"); !strings.Contains(r.Text, "/hulp") {
		t.Errorf("known account while the API is down: %q, want the usual answer", r.Text)
	}
	before := s.snapshot()
	if r := s.command("ib.sanne", "overzicht"); !strings.Contains(r.Text, "kan dit nu niet verwerken") {
		t.Errorf("unknown account while the API is down: %q, want that hulpbot cannot handle it now", r.Text)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// contextOf is the integration context of a post's button.
func contextOf(t testing.TB, p *model.Post, action string) map[string]any {
	t.Helper()
	for _, a := range actions(p) {
		if a.Id == action {
			return a.Integration.Context
		}
	}
	t.Fatalf("post %s has no button %q", p.Id, action)
	return nil
}

// v1Context is a context as hulpbot signed it, with the stack's secret,
// before buttons named their person and expiry.
func v1Context(t testing.TB, s *stack, ref ButtonRef) map[string]any {
	t.Helper()
	signer, err := s.adapter.keys.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v1Sign(signer, ref)
}

// TestTokenOfNoTeam: a deployment whose schools have no team yet has one
// token bound to no team: a command with it is told its team is linked to
// no school, and it works for no school's team.
func TestTokenOfNoTeam(t *testing.T) {
	const token = "noteamtokennoteamtokennote"
	s := newStack(t, func(o *Options, _ *stackSetup) { o.CommandTokens = map[string]string{"": token} })
	before := s.snapshot()
	for _, tc := range []struct {
		name, teamID, domain string
		status               int
		want                 string
	}{
		{"a team linked to no school", "unknownteam000000000000000", "elders", http.StatusOK, "niet aan een school gekoppeld"},
		{"a school's team", payloadTeamID, payloadTeamName, http.StatusUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := commandForm(t, map[string]string{"token": token, "team_id": tc.teamID, "team_domain": tc.domain, "user_id": s.mm.idOf("juf.anna"), "trigger_id": "t-" + tc.name})
			status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, nil)
			if status != tc.status || !strings.Contains(out, tc.want) {
				t.Errorf("HTTP %d %q, want %d with %q", status, out, tc.status, tc.want)
			}
		})
	}
	if after := s.snapshot(); after != before {
		t.Errorf("changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
