package mmbot

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/hulpbot/hulpbot/bot"
)

// TestStoryOverHTTP plays the story through the real endpoints
// with the verbatim payloads: juf Anna asks for groep 5, Anne gets a DM
// with buttons and declines, Bram gets it and comes; the posts are
// rewritten for everyone and the teacher hears who is coming.
func TestStoryOverHTTP(t *testing.T) {
	s := newStack(t)

	r := s.command("juf.anna", "groep 5 onrust na gym @all")
	if !strings.Contains(r.Text, "doorgezet naar Anne") {
		t.Fatalf("answer = %q, want it passed on to Anne", r.Text)
	}
	offer := s.offerPost("anne")
	if !strings.Contains(offer.Message, "groep 5") || !strings.Contains(offer.Message, "onrust na gym") {
		t.Errorf("offer text = %q, want the group and the note", offer.Message)
	}
	if strings.Contains(offer.Message, "@all") {
		t.Errorf("offer text %q would notify the whole channel", offer.Message)
	}
	ids := []string{}
	for _, a := range actions(offer) {
		ids = append(ids, a.Id+"="+a.Name+"/"+a.Style)
	}
	if got, want := strings.Join(ids, " "), "accept=Ik kom eraan/primary decline=Kan nu niet/default"; got != want {
		t.Errorf("buttons = %s, want %s", got, want)
	}
	reqID, offerNo := requestOf(t, offer)
	if got := s.request("de-vaart", reqID); got.State != bot.StateOffered || got.HelperID != "anne" || offerNo != 1 {
		t.Fatalf("request after the command: %s to %q (offer %d), want offered to anne (offer 1)", got.State, got.HelperID, offerNo)
	}

	// Anne cannot come: her post is rewritten without buttons, Bram is asked.
	resp := s.click("anne", offer, "decline", "")
	if resp.Update == nil || !strings.Contains(resp.Update.Message, "doorgegeven") {
		t.Fatalf("decline answer = %+v, want an update saying it was passed on", resp)
	}
	if resp.Update.Props == nil || resp.Update.Props[model.PostPropsAttachments] != nil {
		t.Errorf("decline update props = %v, want set and without buttons (null props keep the old buttons)", resp.Update.Props)
	}
	second := s.offerPost("bram")
	if _, n := requestOf(t, second); n != 2 {
		t.Errorf("Bram's offer number = %d, want 2", n)
	}
	if got := s.request("de-vaart", reqID); got.State != bot.StateOffered || got.HelperID != "bram" {
		t.Fatalf("request after the decline: %s to %q, want offered to bram", got.State, got.HelperID)
	}

	// A stale click: Anne's accept button belongs to offer 1.
	before := s.snapshot()
	stale := s.click("anne", offer, "accept", "")
	if stale.Update != nil || !strings.Contains(stale.EphemeralText, "eerdere vraag") && !strings.Contains(stale.EphemeralText, "iemand anders") {
		t.Errorf("stale accept answer = %+v, want an ephemeral note and no update", stale)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("a stale click changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Bram comes.
	resp = s.click("bram", second, "accept", "")
	if resp.Update == nil || !strings.HasPrefix(resp.Update.Message, "✅ Bram komt eraan (groep 5) — ") {
		t.Fatalf("accept answer = %+v, want the post rewritten to say Bram is coming", resp)
	}
	if got := s.request("de-vaart", reqID); got.State != bot.StateAccepted || got.HelperID != "bram" {
		t.Fatalf("request after the accept: %s by %q, want accepted by bram", got.State, got.HelperID)
	}
	teacher := s.mm.postsTo(s.mm.dmOf("juf.anna"))
	var said []string
	for _, p := range teacher {
		said = append(said, p.Message)
	}
	if len(said) != 2 || !strings.Contains(said[0], "nu doorgezet naar Bram") || !strings.Contains(said[1], "Bram komt eraan") {
		t.Errorf("the teacher's DMs = %q, want: moved on to Bram, then Bram is coming", said)
	}

	// Replayed: the same accept again changes nothing.
	before = s.snapshot()
	again := s.click("bram", second, "accept", "")
	if again.Update != nil || again.EphemeralText == "" {
		t.Errorf("replayed accept answer = %+v, want an ephemeral note only", again)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("a replayed click changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Anne's offer post was rewritten by her click's own answer; no patch
	// of it by the delivery of the move may race that rewrite in
	// Mattermost (it could undo it). A typed "kan niet" is patched:
	// TestTypedAcceptRetiresButtons.
	for _, p := range s.mm.patchList() {
		if p.PostID == offer.Id {
			t.Errorf("Anne's clicked offer post %s was patched as well: %+v", offer.Id, p)
		}
	}

	// Done.
	if r := s.command("bram", "klaar"); !strings.Contains(r.Text, "afgesloten") {
		t.Errorf("klaar answer = %q", r.Text)
	}
	if got := s.request("de-vaart", reqID); got.State != bot.StateResolved {
		t.Errorf("request after klaar: %s, want resolved", got.State)
	}
}

// TestTypedAcceptRetiresButtons: a helper who types "/hulp ok" instead of
// pressing the button gets the buttons taken off the offer post.
func TestTypedAcceptRetiresButtons(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	s.command("anne", "ok")
	var stripped bool
	for _, p := range s.mm.allPosts() {
		if p.Id == offer.Id {
			stripped = len(actions(p)) == 0
		}
	}
	if !stripped {
		t.Errorf("after a typed accept the offer post still has buttons")
	}
}

func TestCommandToken(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name   string
		header string // Authorization
		token  string // form field; "-" leaves it out
		want   int
	}{
		{"header and form", "Token " + payloadToken, payloadToken, http.StatusOK},
		{"header only", "Token " + payloadToken, "-", http.StatusOK},
		{"form only", "", payloadToken, http.StatusOK},
		{"the other team's token", "", klimToken, http.StatusUnauthorized},
		{"header and form of two teams", "Token " + payloadToken, klimToken, http.StatusUnauthorized},
		{"wrong header", "Token wrongwrongwrongwrongwrongw", payloadToken, http.StatusUnauthorized},
		{"wrong form token", "Token " + payloadToken, "wrongwrongwrongwrongwrongw", http.StatusUnauthorized},
		{"wrong scheme", "Bearer " + payloadToken, payloadToken, http.StatusUnauthorized},
		{"token prefix", "", payloadToken[:10], http.StatusUnauthorized},
		{"token with more", "", payloadToken + "x", http.StatusUnauthorized},
		{"empty token", "", "", http.StatusUnauthorized},
		{"no token at all", "", "-", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			change := map[string]string{"token": tc.token, "trigger_id": "trigger-" + tc.name}
			if tc.token == "-" {
				change["token"] = ""
			}
			body := commandForm(t, change)
			if tc.token == "" {
				body += "&token="
			}
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			before := s.snapshot()
			status, out := s.post(CommandPath, form, body, h)
			if status != tc.want {
				t.Fatalf("HTTP %d %q, want %d", status, out, tc.want)
			}
			after := s.snapshot()
			if tc.want != http.StatusOK {
				if after != before {
					t.Errorf("a refused command changed Redis:\n%s", after)
				}
				if n := len(s.mm.allPosts()); n != 0 {
					t.Errorf("a refused command made %d posts", n)
				}
				return
			}
			if !strings.Contains(out, "doorgezet naar Anne") || after == before {
				t.Errorf("answer %q; a good token must pass the request on", out)
			}
		})
	}
}

func TestCommandBadInput(t *testing.T) {
	auth := map[string]string{"Authorization": "Token " + payloadToken}
	for _, tc := range []struct {
		name, contentType, body string
		want                    int
	}{
		{"malformed form", "application/x-www-form-urlencoded", "text=groep%zz5&token=" + payloadToken, http.StatusBadRequest},
		{"JSON instead of a form", "application/json", `{"text":"groep 5","token":"` + payloadToken + `"}`, http.StatusBadRequest},
		{"no user id", "application/x-www-form-urlencoded", "__drop_user", http.StatusBadRequest},
		{"user id not an id", "application/x-www-form-urlencoded", "__odd_user", http.StatusBadRequest},
		{"no team", "application/x-www-form-urlencoded", "__drop_team", http.StatusBadRequest},
		{"too large", "application/x-www-form-urlencoded", "text=" + strings.Repeat("a", maxBody+1), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			body := tc.body
			switch body {
			case "__drop_user":
				body = commandForm(t, map[string]string{"user_id": ""})
			case "__odd_user":
				body = commandForm(t, map[string]string{"user_id": "../users/me"})
			case "__drop_team":
				body = commandForm(t, map[string]string{"team_id": "", "team_domain": ""})
			}
			before := s.snapshot()
			status, out := s.post(CommandPath, tc.contentType, body, auth)
			if status != tc.want {
				t.Fatalf("HTTP %d %q, want %d", status, out, tc.want)
			}
			if after := s.snapshot(); after != before {
				t.Errorf("bad input changed Redis:\n%s", after)
			}
		})
	}
}

// TestCommandUnknownTeam: a team's token from a team no school is linked
// to is a token used with another team: 401, and nothing changes.
func TestCommandUnknownTeam(t *testing.T) {
	s := newStack(t)
	before := s.snapshot()
	body := commandForm(t, map[string]string{"team_id": "unknownteam000000000000000", "team_domain": "elders"})
	status, out := s.post(CommandPath, "application/x-www-form-urlencoded", body, map[string]string{"Authorization": "Token " + payloadToken})
	if status != http.StatusUnauthorized {
		t.Fatalf("HTTP %d %q, want 401", status, out)
	}
	if after := s.snapshot(); after != before {
		t.Errorf("an unknown team changed Redis:\n%s", after)
	}
}

// TestCommandTeamByName: while Mattermost cannot tell the team's id, the
// team name it sent with its verified token links the school.
func TestCommandTeamByName(t *testing.T) {
	s := newStack(t)
	s.mm.setFail(func(r *http.Request) (int, http.Header) {
		if strings.HasPrefix(r.URL.Path, "/api/v4/teams/name/") {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	})
	r := s.command("juf.anna", "groep 5")
	if !strings.Contains(r.Text, "doorgezet naar Anne") {
		t.Fatalf("answer = %q, want the request passed on", r.Text)
	}
}

func TestClickRefused(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	var acceptCtx map[string]any
	for _, a := range actions(offer) {
		if a.Id == "accept" {
			acceptCtx = a.Integration.Context
		}
	}
	_, verbatim := payloads(t, "hook-requests.jsonl")
	var verbatimReq model.PostActionIntegrationRequest
	if err := json.Unmarshal([]byte(verbatim.RawBody), &verbatimReq); err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range acceptCtx {
			c[kk] = vv
		}
		c[k] = v
		return c
	}
	for _, tc := range []struct {
		name   string
		user   string
		ctx    map[string]any
		team   string
		status int
		want   string // in the ephemeral text
	}{
		{"verbatim unsigned context", "anne", verbatimReq.Context, "", 200, "knop ken ik niet"},
		{"no context", "anne", nil, "", 200, "knop ken ik niet"},
		{"other request", "anne", with(ctxRequest, "aaaaaaaaaaaa"), "", 200, "knop ken ik niet"},
		{"other offer", "anne", with(ctxOffer, "2"), "", 200, "knop ken ik niet"},
		{"offer spelled differently", "anne", with(ctxOffer, "01"), "", 200, "knop ken ik niet"},
		{"other action", "anne", with(ctxAction, "decline"), "", 200, "knop ken ik niet"},
		{"other school", "anne", with(ctxSchool, "de-klim"), "", 200, "knop ken ik niet"},
		{"signature of another secret", "anne", NewSigner([]byte("another-secret-0123456789")).Context(ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: reqID, OfferNo: 1}), "", 200, "knop ken ik niet"},
		{"number instead of string", "anne", with(ctxOffer, 1), "", 200, "knop ken ik niet"},
		{"from another school's team", "anne", acceptCtx, otherTeamID, 200, "knop ken ik niet"},
		{"from an unknown team", "anne", acceptCtx, "unknownteam000000000000000", 200, "knop ken ik niet"},
		{"another helper's account", "bram", acceptCtx, "", 200, "niet voor jou"},
		{"not a helper", "juf.anna", acceptCtx, "", 200, "niet voor jou"},
		{"from before buttons named their person", "anne", v1Context(t, s, ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: reqID, OfferNo: 1}), "", 200, "van voor een update"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.snapshot()
			c := clickReq{user: tc.user, userID: s.mm.idOf(tc.user), post: offer.Id, channel: offer.ChannelId, team: tc.team, context: tc.ctx}
			status, out := s.post(ActionPath, "application/json", clickBody(t, c), nil)
			if status != tc.status {
				t.Fatalf("HTTP %d %q, want %d", status, out, tc.status)
			}
			var r model.PostActionIntegrationResponse
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			if r.Update != nil || !strings.Contains(r.EphemeralText, tc.want) {
				t.Errorf("answer = update %v, ephemeral %q; want only an ephemeral note containing %q", r.Update, r.EphemeralText, tc.want)
			}
			if after := s.snapshot(); after != before {
				t.Errorf("a refused click changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	if got := s.request("de-vaart", reqID); got.State != bot.StateOffered || got.HelperID != "anne" || got.OfferNo != 1 {
		t.Errorf("after refused clicks the request is %s to %q (offer %d), want still offered to anne", got.State, got.HelperID, got.OfferNo)
	}
}

func TestClickBadInput(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct{ name, body string }{
		{"not JSON", "user_name=anne&context=x"},
		{"truncated JSON", `{"user_name":"anne","context":{"v":"1"`},
		{"JSON array", `[{"user_name":"anne"}]`},
		{"two objects", `{"user_name":"anne"}{"user_name":"bram"}`},
		{"context not an object", `{"user_name":"anne","context":"x"}`},
		{"no user", `{"post_id":"x","context":{}}`},
		{"a user name but no user id", `{"user_name":"anne","post_id":"x","context":{}}`},
		{"user id not an id", `{"user_id":"../../teams","user_name":"anne","context":{}}`},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.snapshot()
			status, out := s.post(ActionPath, "application/json", tc.body, nil)
			if status != http.StatusBadRequest {
				t.Fatalf("HTTP %d %q, want 400", status, out)
			}
			if after := s.snapshot(); after != before {
				t.Errorf("bad input changed Redis:\n%s", after)
			}
		})
	}
}

// TestStaleAfterDecline: once a request moved on after a typed decline,
// the first helper's buttons are dead — and gone from the post.
func TestStaleAfterDecline(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	if r := s.command("anne", "kan niet"); !strings.Contains(r.Text, "doorgegeven") {
		t.Fatalf("kan niet answer = %q", r.Text)
	}
	before := s.snapshot()
	for _, action := range []string{"accept", "decline"} {
		r := s.click("anne", offer, action, "")
		if r.Update != nil || r.EphemeralText == "" {
			t.Errorf("%s after the decline: %+v, want an ephemeral note only", action, r)
		}
	}
	if after := s.snapshot(); after != before {
		t.Errorf("stale clicks changed Redis:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := s.request("de-vaart", reqID); got.HelperID != "bram" || got.OfferNo != 2 {
		t.Errorf("request = offer %d to %q, want offer 2 to bram", got.OfferNo, got.HelperID)
	}
	for _, p := range s.mm.allPosts() {
		if p.Id == offer.Id && len(actions(p)) != 0 {
			t.Errorf("Anne's offer post still has buttons after the request moved on")
		}
	}
}

// TestEscalationToChannel: with nobody left, the fallback channel gets the
// request; the bot joins the (public) channel when it is not a member.
func TestEscalationToChannel(t *testing.T) {
	s := newStack(t)
	kern := s.mm.addChannel(payloadTeamID, "kernteam", true, false) // the bot is not in it yet
	s.command("juf.anna", "groep 5")
	s.click("anne", s.offerPost("anne"), "decline", "")
	s.click("bram", s.offerPost("bram"), "decline", "")
	posts := s.mm.postsTo(kern)
	if len(posts) != 1 || !strings.Contains(posts[0].Message, "geen hulpverlener beschikbaar") {
		t.Fatalf("kernteam posts = %v, want the escalated request", posts)
	}
	if n := s.mm.count("POST /api/v4/channels/" + kern + "/members"); n != 1 {
		t.Errorf("the bot joined the channel %d times, want once", n)
	}
	teacher := s.mm.postsTo(s.mm.dmOf("juf.anna"))
	if last := teacher[len(teacher)-1].Message; !strings.Contains(last, "niemand beschikbaar") {
		t.Errorf("the teacher's last DM = %q, want that nobody is available", last)
	}
}
