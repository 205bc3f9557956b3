package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/mmbot/mmtest"
	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/bot"
)

// TestMattermostE2E plays the story against a real Mattermost
// server and the real hulpbot program: mattermost-setup makes the bot, its
// token, the kernteam channel and /hulp (twice: the second run changes
// nothing); then juf Marie runs /hulp groep 5, Anne finds a DM with buttons
// and presses "Kan nu niet", Bram gets the DM and presses "Ik kom eraan",
// both posts are rewritten, Marie is told who is coming, Anne's old button
// is gone, and "/hulp klaar" frees Bram. Then a request nobody takes: a
// typed "/hulp kan niet" takes Anne's buttons away, Bram declines, the
// kernteam channel gets it and Sanne picks it up there. It checks what
// Mattermost stored and what Redis holds.
//
// Then, on the same server, the flows whose buttons sit on a slash
// command's ephemeral answer (pressed with the button's cookie, as the
// webapp does), and the others: a held request sent without its note and
// one cancelled, the closing questions counted in Redis, meedenken and a
// held question, a success story signed, "Bedoel je groep 5?", and the
// year overview's link fetched from hulpbot.
func TestMattermostE2E(t *testing.T) {
	mmtest.SkipUnlessEnabled(t)
	began := time.Now()
	srv := mmtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin := srv.Admin

	// The school's team and its people.
	team, _, err := admin.CreateTeam(ctx, &model.Team{Name: "de-vaart", DisplayName: "Kindcentrum De Vaart", Type: model.TeamOpen})
	if err != nil {
		t.Fatalf("create team: %v", err)
	}
	people := map[string]*person{}
	for _, name := range []string{"juf.marie", "anne", "bram", "ib.sanne"} {
		people[name] = newPerson(ctx, t, srv, team.Id, name)
	}
	marie, anne, bram := people["juf.marie"], people["anne"], people["bram"]
	town, _, err := marie.c.GetChannelByName(ctx, "town-square", team.Id, "")
	if err != nil {
		t.Fatalf("town square: %v", err)
	}
	t.Logf("seeded the team and 4 people at %s", time.Since(began).Round(time.Millisecond))

	// hulpbot's configuration and Redis.
	redisURL := testRedisURL(t)
	addr := freeAddr(t)
	cfgPath := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfgPath, fmt.Sprintf(`listen: %q
mattermost:
  url: %s
  bot_token: ${HULPBOT_MATTERMOST_BOT_TOKEN}
  command_token: ${HULPBOT_MATTERMOST_COMMAND_TOKEN}
  public_url: http://%s
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    mattermost_team: de-vaart
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, mattermost: anne, schedule: [altijd]}
      - {name: Bram, role: cjg-coach, mattermost: bram, schedule: [altijd]}
    coordinators:
      - {name: Sanne, mattermost: ib.sanne}
web:
  public_url: http://%s
  secret: 0123456789abcdef-mm-e2e-web
`, addr, srv.URL, addr, addr))

	// mattermost-setup, twice.
	setupEnv := map[string]string{"REDIS_URL": redisURL, EnvMattermostAdminToken: srv.AdminToken}
	out := runSetup(ctx, t, cfgPath, env(t, setupEnv))
	botToken := grab(t, out, `(?m)^HULPBOT_MATTERMOST_BOT_TOKEN=(\S+)$`)
	commandToken := grab(t, out, `(?m)^HULPBOT_MATTERMOST_COMMAND_TOKEN=(\S+)$`)
	for _, want := range []string{"bot @hulpbot", ": created", "/hulp created", "~kernteam did not exist and was made as a private channel"} {
		if !strings.Contains(out, want) {
			t.Errorf("first setup output lacks %q:\n%s", want, out)
		}
	}
	setupEnv["HULPBOT_MATTERMOST_BOT_TOKEN"] = botToken
	again := runSetup(ctx, t, cfgPath, env(t, setupEnv))
	for _, want := range []string{": found", "/hulp unchanged", "HULPBOT_MATTERMOST_BOT_TOKEN: unchanged", "HULPBOT_MATTERMOST_COMMAND_TOKEN=" + commandToken} {
		if !strings.Contains(again, want) {
			t.Errorf("second setup output lacks %q:\n%s", want, again)
		}
	}
	bot0, _, err := admin.GetUserByUsername(ctx, "hulpbot", "")
	if err != nil || !bot0.IsBot {
		t.Fatalf("the bot account: %v %+v", err, bot0)
	}
	t.Logf("mattermost-setup done at %s", time.Since(began).Round(time.Millisecond))

	// The real hulpbot program, as its own process.
	runEnv := env(t, map[string]string{
		"REDIS_URL":                        redisURL,
		"HULPBOT_MATTERMOST_BOT_TOKEN":     botToken,
		"HULPBOT_MATTERMOST_COMMAND_TOKEN": commandToken,
	})
	prefix := runEnv("HULPBOT_REDIS_PREFIX")
	var logs lockedBuffer
	proc := exec.Command(binary(t), "-config", cfgPath, "-log-level", "debug")
	proc.Env = append(os.Environ(), "REDIS_URL="+redisURL, "HULPBOT_REDIS_PREFIX="+prefix, "HULPBOT_METRICS_LISTEN=127.0.0.1:0",
		"HULPBOT_MATTERMOST_BOT_TOKEN="+botToken, "HULPBOT_MATTERMOST_COMMAND_TOKEN="+commandToken)
	proc.Stdout, proc.Stderr = io.Discard, &logs
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	defer func() {
		_ = proc.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("hulpbot after SIGTERM: %v", err)
			}
		case <-time.After(20 * time.Second):
			_ = proc.Process.Kill()
			t.Error("hulpbot did not stop within 20s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("hulpbot's log:\n%s", logs.String())
		}
	}()
	waitFor(t, "http://"+addr+"/healthz")

	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	store := redisstore.New(rdb, prefix, slog.New(slog.DiscardHandler))
	engaged := func(helper string) string {
		t.Helper()
		st, err := store.HelperStates(ctx, "de-vaart", []string{helper})
		if err != nil {
			t.Fatal(err)
		}
		return st[helper].Engaged
	}

	// 1. Juf Marie asks for help for groep 5.
	storyStart := time.Now()
	resp, _, err := marie.c.ExecuteCommandWithTeam(ctx, town.Id, team.Id, "/hulp groep 5 onrust na gym")
	if err != nil {
		t.Fatalf("/hulp groep 5: %v", err)
	}
	t.Logf("/hulp groep 5 answered in %s: %q", time.Since(storyStart).Round(time.Millisecond), resp.Text)
	if resp.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(resp.Text, "doorgezet naar Anne") {
		t.Fatalf("answer = %s %q, want an ephemeral note that Anne was asked", resp.ResponseType, resp.Text)
	}

	// 2. Anne has a DM with buttons, and presses "Kan nu niet".
	botID := bot0.Id
	offer1 := anne.waitPost(ctx, t, botID, func(p *model.Post) bool { return hasActions(p) })
	if !strings.Contains(offer1.Message, "groep 5") || !strings.Contains(offer1.Message, "onrust na gym") {
		t.Errorf("Anne's DM = %q, want the group and the note", offer1.Message)
	}
	reqID := engaged("anne")
	if reqID == "" {
		t.Fatal("Redis: Anne holds no offer")
	}
	if r := mustRequest(ctx, t, store, reqID); r.State != bot.StateOffered || r.HelperID != "anne" || r.OfferNo != 1 {
		t.Fatalf("Redis: request %s is %s to %q (offer %d), want offered to anne (offer 1)", reqID, r.State, r.HelperID, r.OfferNo)
	}
	if _, err := anne.c.DoPostAction(ctx, offer1.Id, "decline"); err != nil {
		t.Fatalf("Anne presses Kan nu niet: %v", err)
	}
	if p := getPost(ctx, t, anne.c, offer1.Id); hasActions(p) || !strings.Contains(p.Message, "doorgegeven") {
		t.Errorf("Anne's post after Kan nu niet = %q (buttons: %v), want rewritten without buttons", p.Message, hasActions(p))
	}

	// 3. Bram has the DM now, and presses "Ik kom eraan".
	offer2 := bram.waitPost(ctx, t, botID, func(p *model.Post) bool { return hasActions(p) })
	if r := mustRequest(ctx, t, store, reqID); r.State != bot.StateOffered || r.HelperID != "bram" || r.OfferNo != 2 {
		t.Fatalf("Redis: request is %s to %q (offer %d), want offered to bram (offer 2)", r.State, r.HelperID, r.OfferNo)
	}
	if _, err := bram.c.DoPostAction(ctx, offer2.Id, "accept"); err != nil {
		t.Fatalf("Bram presses Ik kom eraan: %v", err)
	}
	if p := getPost(ctx, t, bram.c, offer2.Id); hasActions(p) || !strings.HasPrefix(p.Message, "✅ Bram komt eraan (groep 5) — ") {
		t.Errorf("Bram's post after Ik kom eraan = %q (buttons: %v), want \"✅ Bram komt eraan (groep 5) — hh:mm\" without buttons", p.Message, hasActions(p))
	}
	if r := mustRequest(ctx, t, store, reqID); r.State != bot.StateAccepted || r.HelperID != "bram" {
		t.Fatalf("Redis: request is %s by %q, want accepted by bram", r.State, r.HelperID)
	}

	// 4. Marie hears who is coming.
	marie.waitPost(ctx, t, botID, func(p *model.Post) bool { return strings.Contains(p.Message, "Bram komt eraan voor groep 5") })
	t.Logf("request → offer → decline → offer → accept → teacher told: %s", time.Since(storyStart).Round(time.Millisecond))

	// Anne's old buttons are gone: Mattermost itself refuses the press.
	if _, err := anne.c.DoPostAction(ctx, offer1.Id, "accept"); err == nil {
		t.Error("Anne could still press Ik kom eraan on her old post")
	}

	// 5. Bram is done: "/hulp klaar" frees him, Marie is told.
	resp, _, err = bram.c.ExecuteCommandWithTeam(ctx, town.Id, team.Id, "/hulp klaar")
	if err != nil || !strings.Contains(resp.Text, "afgesloten") {
		t.Fatalf("/hulp klaar: %v %q", err, resp.Text)
	}
	if r := mustRequest(ctx, t, store, reqID); r.State != bot.StateResolved {
		t.Errorf("Redis: request is %s, want resolved", r.State)
	}
	if e := engaged("bram"); e != "" {
		t.Errorf("Redis: Bram is still engaged in %q", e)
	}
	marie.waitPost(ctx, t, botID, func(p *model.Post) bool { return strings.Contains(p.Message, "afgesloten") })

	// 6. Nobody can come: Anne types "/hulp kan niet" (her buttons are taken
	// off), Bram presses "Kan nu niet", the kernteam channel gets the
	// request, and Sanne picks it up there.
	kern, _, err := admin.GetChannelByName(ctx, "kernteam", team.Id, "")
	if err != nil {
		t.Fatalf("the kernteam channel mattermost-setup made: %v", err)
	}
	sanne := people["ib.sanne"]
	if _, _, err := admin.AddChannelMember(ctx, kern.Id, sanne.user.Id); err != nil {
		t.Fatalf("add Sanne to kernteam: %v", err)
	}
	if resp, _, err = marie.c.ExecuteCommandWithTeam(ctx, town.Id, team.Id, "/hulp groep 4"); err != nil || !strings.Contains(resp.Text, "doorgezet naar Anne") {
		t.Fatalf("/hulp groep 4: %v %q", err, resp.Text)
	}
	offer3 := anne.waitPost(ctx, t, botID, func(p *model.Post) bool { return hasActions(p) && strings.Contains(p.Message, "groep 4") })
	req2 := engaged("anne")
	if resp, _, err = anne.c.ExecuteCommandWithTeam(ctx, town.Id, team.Id, "/hulp kan niet"); err != nil || !strings.Contains(resp.Text, "doorgegeven") {
		t.Fatalf("/hulp kan niet: %v %q", err, resp.Text)
	}
	offer4 := bram.waitPost(ctx, t, botID, func(p *model.Post) bool { return hasActions(p) && strings.Contains(p.Message, "groep 4") })
	waitUntil(t, "Anne's groep 4 post loses its buttons after her typed decline", func() bool { return !hasActions(getPost(ctx, t, anne.c, offer3.Id)) })
	if _, err := bram.c.DoPostAction(ctx, offer4.Id, "decline"); err != nil {
		t.Fatalf("Bram presses Kan nu niet: %v", err)
	}
	escalated := sanne.waitChannelPost(ctx, t, kern.Id, botID, func(p *model.Post) bool { return hasActions(p) && strings.Contains(p.Message, "groep 4") })
	if r := mustRequest(ctx, t, store, req2); r.State != bot.StateEscalated {
		t.Fatalf("Redis: request %s is %s, want escalated", req2, r.State)
	}
	marie.waitPost(ctx, t, botID, func(p *model.Post) bool {
		return strings.Contains(p.Message, "niemand beschikbaar") && strings.Contains(p.Message, "groep 4")
	})
	// A click in a team channel carries the team: it must be the school's.
	if _, err := sanne.c.DoPostAction(ctx, escalated.Id, "pickup"); err != nil {
		t.Fatalf("Sanne presses Ik pak dit op: %v", err)
	}
	if p := getPost(ctx, t, sanne.c, escalated.Id); hasActions(p) || !strings.Contains(p.Message, "pakt dit op (groep 4)") {
		t.Errorf("the kernteam post after the pick-up = %q (buttons: %v), want rewritten without buttons", p.Message, hasActions(p))
	}
	if r := mustRequest(ctx, t, store, req2); r.State != bot.StateAccepted {
		t.Errorf("Redis: picked-up request is %s, want accepted", r.State)
	}
	marie.waitPost(ctx, t, botID, func(p *model.Post) bool { return strings.Contains(p.Message, "komt eraan voor groep 4") })

	// A wrong token at hulpbot's endpoint: 401.
	r, err := http.Post("http://"+addr+"/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader("token=wrong&team_id="+team.Id+"&user_name=juf.marie&text=groep+5"))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: HTTP %d, want 401", r.StatusCode)
	}

	w := &world{ctx: ctx, srv: srv, team: team, town: town, botID: botID, store: store, people: people, kern: kern, base: "http://" + addr}

	// The flows that came after the first story, each through the real
	// server as a person would use them.
	t.Run("held request", w.heldRequest)
	t.Run("closing with support and outcome", w.closing)
	t.Run("held request cancelled", w.heldCancelled)
	t.Run("meedenken", w.consult)
	t.Run("held meedenken", w.heldConsult)
	t.Run("success story with name", w.successStory)
	t.Run("held success story", w.heldStory)
	t.Run("group question", w.groupQuestion)
	t.Run("year page link", w.yearPage)
	t.Logf("the whole test: %s", time.Since(began).Round(time.Millisecond))
}

// world is what the stories after the first share: one server, one
// hulpbot, one school.
type world struct {
	ctx    context.Context
	srv    *mmtest.Server
	team   *model.Team
	town   *model.Channel
	kern   *model.Channel
	botID  string
	store  *redisstore.Store
	people map[string]*person
	base   string // hulpbot's own URL

	held      string      // the request the held story let go
	heldOffer *model.Post // its offer to Anne
}

// command runs a slash command as who, in the town square.
func (w *world) command(t *testing.T, who, text string) *model.CommandResponse {
	t.Helper()
	resp, _, err := w.people[who].c.ExecuteCommandWithTeam(w.ctx, w.town.Id, w.team.Id, text)
	if err != nil {
		t.Fatalf("%s: %s: %v", who, text, err)
	}
	return resp
}

func (w *world) engaged(t *testing.T, helper string) string {
	t.Helper()
	st, err := w.store.HelperStates(w.ctx, "de-vaart", []string{helper})
	if err != nil {
		t.Fatal(err)
	}
	return st[helper].Engaged
}

// dmCount is how many posts the bot made in who's DM with it.
func (w *world) dmCount(t *testing.T, who string) int {
	t.Helper()
	p := w.people[who]
	ch, ok := p.dm(w.ctx, t, w.botID)
	if !ok {
		return 0
	}
	list, _, err := p.c.GetPostsForChannel(w.ctx, ch, 0, 200, "", false, false)
	if err != nil {
		t.Fatalf("%s's DM posts: %v", who, err)
	}
	n := 0
	for _, post := range list.Posts {
		if post.UserId == w.botID {
			n++
		}
	}
	return n
}

// reply is the newest ephemeral post on who's screen that says want.
func (w *world) reply(t *testing.T, who, want string) *model.Post {
	t.Helper()
	return w.people[who].screen.Ephemeral(t, who+" sees "+strconv.Quote(want), func(p *model.Post) bool { return strings.Contains(p.Message, want) })
}

// press presses a button as who, as the webapp does (with the cookie on
// an ephemeral post).
func (w *world) press(t *testing.T, who string, p *model.Post, label string) {
	t.Helper()
	if err := mmtest.Press(w.ctx, w.people[who].c, p, label); err != nil {
		t.Fatalf("%s presses %q: %v", who, label, err)
	}
}

// heldRequest: a note that seems to name a child holds the request; the
// teacher's ephemeral answer carries three buttons, pressed with their
// cookie as the webapp does for a post Mattermost never stored. The answer
// to the press comes as a new ephemeral post (Mattermost cannot edit the
// held one), the offer reaches Anne without the note, and the old buttons
// pressed again say it went already.
func (w *world) heldRequest(t *testing.T) {
	anne := w.people["anne"]
	before := w.dmCount(t, "anne") + w.dmCount(t, "bram")
	resp := w.command(t, "juf.marie", "/hulp groep 5 Daan slaat")
	if !strings.Contains(resp.Text, "nog niet verstuurd") {
		t.Fatalf("answer = %q, want the held message", resp.Text)
	}
	held := w.reply(t, "juf.marie", "nog niet verstuurd")
	// The signed context (with the command's response URL id) stays on
	// the server: the webapp gets only Mattermost's encrypted cookie.
	for _, a := range held.Attachments()[0].Actions {
		if a.Integration != nil || a.Cookie == "" {
			t.Errorf("button %q reached the client with integration %+v, cookie %d bytes", a.Name, a.Integration, len(a.Cookie))
		}
	}
	if got := strings.Join(mmtest.Labels(held), "|"); got != "Verstuur zonder toelichting|Verstuur toch|Annuleer" {
		t.Errorf("held buttons = %s", got)
	}
	if e := w.engaged(t, "anne"); e != "" {
		t.Errorf("Anne holds %q before the teacher chose", e)
	}
	if n := w.dmCount(t, "anne") + w.dmCount(t, "bram"); n != before {
		t.Errorf("the helpers got %d messages before the teacher chose", n-before)
	}
	w.press(t, "juf.marie", held, "Verstuur zonder toelichting")
	sent := w.reply(t, "juf.marie", "Verstuurd zonder toelichting.")
	if hasActions(sent) || sent.RootId != "" {
		t.Errorf("the answer to the press has buttons %q, root %q; want a plain post of its own", mmtest.Labels(sent), sent.RootId)
	}
	offer := anne.waitPost(w.ctx, t, w.botID, func(p *model.Post) bool { return hasActions(p) && strings.Contains(p.Message, "groep 5") })
	if strings.Contains(offer.Message, "Daan") {
		t.Errorf("Anne's offer carries the note: %q", offer.Message)
	}
	reqID := w.engaged(t, "anne")
	if r := mustRequest(w.ctx, t, w.store, reqID); r.State != bot.StateOffered || r.Note != "" {
		t.Errorf("Redis: request %s is %s with a note of %d bytes; want offered without the note", reqID, r.State, len(r.Note))
	}
	// The held post keeps its buttons on the screen: a second press is
	// told it went already, and changes nothing.
	w.press(t, "juf.marie", held, "Verstuur toch")
	w.reply(t, "juf.marie", "Al verstuurd.")
	// A response URL takes 5 posts: after that the answer comes as the
	// click's ephemeral_text, which Mattermost makes a reply to the
	// pressed (never stored) post.
	for range 4 { // uses 3, 4 and 5, then one more
		w.press(t, "juf.marie", held, "Annuleer")
	}
	last := w.people["juf.marie"].screen.Ephemeral(t, "the answer after the response URL is used up", func(p *model.Post) bool { return p.RootId == held.Id })
	if !strings.Contains(last.Message, "Al verstuurd.") {
		t.Errorf("the answer after the response URL is used up = %q", last.Message)
	}
	if r := mustRequest(w.ctx, t, w.store, reqID); r.State != bot.StateOffered {
		t.Errorf("Redis: Annuleer after the request went out made it %s", r.State)
	}
	w.held = reqID
	w.heldOffer = offer
}

// closing: Anne takes the released request, "/hulp klaar" asks the kind
// of support on an ephemeral post; a tap brings the outcome question as a
// new ephemeral post, a tap there thanks her; both are counted once in
// Redis, and the old kinds pressed again count nothing.
func (w *world) closing(t *testing.T) {
	if w.heldOffer == nil {
		t.Skip("no offer from the held request")
	}
	w.press(t, "anne", w.heldOffer, "Ik kom eraan")
	if r := mustRequest(w.ctx, t, w.store, w.held); r.State != bot.StateAccepted {
		t.Fatalf("Redis: request is %s, want accepted", r.State)
	}
	if resp := w.command(t, "anne", "/hulp klaar"); !strings.Contains(resp.Text, "Wat voor hulp heb je gegeven?") {
		t.Fatalf("/hulp klaar = %q", resp.Text)
	}
	kinds := w.reply(t, "anne", "Wat voor hulp heb je gegeven?")
	w.press(t, "anne", kinds, "Kort gesprek")
	outcome := w.reply(t, "anne", "Kort gesprek. En hoe ging het verder?")
	w.press(t, "anne", outcome, "📌 Bespreken in kernteam")
	w.reply(t, "anne", "Staat op de agenda van het kernteam")
	items, err := w.store.AgendaItems(w.ctx, "de-vaart", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].RequestID != w.held {
		t.Errorf("Redis: the kernteam's agenda = %+v, want request %s", items, w.held)
	}
	w.press(t, "anne", outcome, "Kon in de groep blijven")
	w.reply(t, "anne", "Dank je, genoteerd: Kon in de groep blijven.")
	w.press(t, "anne", kinds, "Rustruimte")
	w.reply(t, "anne", "al genoteerd")

	y, err := w.store.YearFigures(w.ctx, "de-vaart", bot.SchoolYearOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var support, outcomes map[string]int
	for _, m := range y.Months {
		if m.Month == time.Now().Format("2006-01") {
			support, outcomes = m.Support, m.Outcome
		}
	}
	if len(support) != 1 || support["gesprek"] != 1 || len(outcomes) != 1 || outcomes["in_groep"] != 1 {
		t.Errorf("Redis: counted support %v, outcome %v; want gesprek 1, in_groep 1", support, outcomes)
	}
}

// heldCancelled: Annuleer on a held request: nobody hears of it.
func (w *world) heldCancelled(t *testing.T) {
	before := w.dmCount(t, "anne") + w.dmCount(t, "bram")
	w.command(t, "juf.marie", "/hulp groep 3 Daan slaat weer")
	held := w.reply(t, "juf.marie", "Je hulpvraag voor groep 3 is nog niet verstuurd")
	w.press(t, "juf.marie", held, "Annuleer")
	w.reply(t, "juf.marie", "Je hulpvraag voor groep 3 is geannuleerd")
	time.Sleep(300 * time.Millisecond) // what the outbox would send, it sends at once
	if n := w.dmCount(t, "anne") + w.dmCount(t, "bram"); n != before {
		t.Errorf("the helpers got %d messages after Annuleer", n-before)
	}
	for _, h := range []string{"anne", "bram"} {
		if e := w.engaged(t, h); e != "" {
			t.Errorf("Redis: %s holds %q", h, e)
		}
	}
}

// consult: "/hulp meedenken" goes to the CJG coach (Bram) as a DM with
// Vandaag / Deze week / Bel me even; "Deze week" rewrites his post, and
// tells the teacher in a DM with "Afgerond", which closes it.
func (w *world) consult(t *testing.T) {
	marie, bram := w.people["juf.marie"], w.people["bram"]
	if resp := w.command(t, "juf.marie", "/hulp meedenken groep 4 hoe houd ik de kring rustig?"); !strings.Contains(resp.Text, "naar Bram") {
		t.Fatalf("/hulp meedenken = %q", resp.Text)
	}
	q := bram.waitPost(w.ctx, t, w.botID, func(p *model.Post) bool {
		return hasActions(p) && strings.Contains(p.Message, "Wil je meedenken?") && strings.Contains(p.Message, "groep 4")
	})
	if got := strings.Join(mmtest.Labels(q), "|"); got != "Vandaag|Deze week|Bel me even" || !strings.Contains(q.Message, "hoe houd ik de kring rustig?") {
		t.Errorf("Bram's question = %q with %s", q.Message, got)
	}
	w.press(t, "bram", q, "Deze week")
	if p := getPost(w.ctx, t, bram.c, q.Id); hasActions(p) || !strings.Contains(p.Message, "Je antwoord: deze week") {
		t.Errorf("Bram's post after Deze week = %q (buttons %q)", p.Message, mmtest.Labels(p))
	}
	told := marie.waitPost(w.ctx, t, w.botID, func(p *model.Post) bool {
		return strings.Contains(p.Message, "Bram denkt deze week met je mee over groep 4")
	})
	if got := mmtest.Labels(told); len(got) != 1 || got[0] != "Afgerond" {
		t.Fatalf("Marie's message = %q with %q, want Afgerond", told.Message, got)
	}
	w.press(t, "juf.marie", told, "Afgerond")
	if p := getPost(w.ctx, t, marie.c, told.Id); hasActions(p) || !strings.Contains(p.Message, "Meedenkvraag afgerond") {
		t.Errorf("Marie's post after Afgerond = %q (buttons %q)", p.Message, mmtest.Labels(p))
	}
}

// heldConsult: a question with a child's name is held on an ephemeral
// post; Verstuur toch sends it to Bram as typed.
func (w *world) heldConsult(t *testing.T) {
	w.command(t, "juf.marie", "/hulp meedenken groep 5 Daan is zo stil")
	held := w.reply(t, "juf.marie", "meedenkvraag is nog niet verstuurd")
	w.press(t, "juf.marie", held, "Verstuur toch")
	w.reply(t, "juf.marie", "Je meedenkvraag over groep 5 is naar Bram")
	w.people["bram"].waitPost(w.ctx, t, w.botID, func(p *model.Post) bool {
		return hasActions(p) && strings.Contains(p.Message, "Daan is zo stil")
	})
}

// successStory: "/hulp succes" keeps it without a name; "Met mijn naam"
// on the ephemeral answer signs it, once.
func (w *world) successStory(t *testing.T) {
	w.command(t, "juf.marie", "/hulp succes de kring ging vandaag heel rustig")
	ok := w.reply(t, "juf.marie", "zonder je naam")
	w.press(t, "juf.marie", ok, "Met mijn naam")
	w.reply(t, "juf.marie", "met je naam (juf.marie)")
	w.press(t, "juf.marie", ok, "Met mijn naam")
	w.reply(t, "juf.marie", "Dit succes staat er al met je naam in.")
	week := bot.WeekOf(time.Now())
	signed, err := w.store.SignedStories(w.ctx, "de-vaart", week)
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := w.store.Stories(w.ctx, "de-vaart", week)
	if err != nil {
		t.Fatal(err)
	}
	if len(signed) != 1 || signed[0].Text != "de kring ging vandaag heel rustig" || signed[0].By == "" || len(unsigned) != 0 {
		t.Errorf("Redis: the week's signed stories = %+v, unsigned %q; want the one, signed", signed, unsigned)
	}
}

// heldStory: a success story with a child's name is held on an ephemeral
// post; Deel toch shares it (unsigned), once.
func (w *world) heldStory(t *testing.T) {
	w.command(t, "juf.marie", "/hulp succes Daan bleef de hele gym in de groep")
	held := w.reply(t, "juf.marie", "Je succesverhaal is nog niet gedeeld")
	if got := strings.Join(mmtest.Labels(held), "|"); got != "Deel toch|Annuleer" {
		t.Errorf("held story buttons = %s", got)
	}
	w.press(t, "juf.marie", held, "Deel toch")
	w.reply(t, "juf.marie", "Gedeeld: je verhaal komt in het overzicht van de week.")
	w.press(t, "juf.marie", held, "Annuleer")
	w.reply(t, "juf.marie", "Al gedeeld.")
	stories, err := w.store.Stories(w.ctx, "de-vaart", bot.WeekOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 1 || stories[0] != "Daan bleef de hele gym in de groep" {
		t.Errorf("Redis: the week's unsigned stories = %q", stories)
	}
}

// groupQuestion: "/hulp groep 5b" at a school without a 5b asks "Bedoel
// je groep 5?" with a button; pressing it asks for help.
func (w *world) groupQuestion(t *testing.T) {
	w.command(t, "juf.marie", "/hulp groep 5b")
	q := w.reply(t, "juf.marie", "Bedoel je groep 5?")
	w.press(t, "juf.marie", q, "Ja, groep 5")
	w.reply(t, "juf.marie", "Je hulpvraag voor groep 5 is doorgezet naar")
	if resp := w.command(t, "juf.marie", "/hulp annuleer"); !strings.Contains(resp.Text, "ingetrokken") {
		t.Errorf("/hulp annuleer = %q", resp.Text)
	}
}

// yearPage: the coordinator's "/hulp overzicht web" brings a DM with a
// personal link; hulpbot serves the page behind it.
func (w *world) yearPage(t *testing.T) {
	if resp := w.command(t, "ib.sanne", "/hulp overzicht web"); !strings.Contains(resp.Text, "persoonlijke link") {
		t.Fatalf("/hulp overzicht web = %q", resp.Text)
	}
	dm := w.people["ib.sanne"].waitPost(w.ctx, t, w.botID, func(p *model.Post) bool { return strings.Contains(p.Message, "jaaroverzicht van Kindcentrum De Vaart") })
	link := regexp.MustCompile(`https?://\S+`).FindString(dm.Message)
	if !strings.HasPrefix(link, w.base+"/") {
		t.Fatalf("the DM's link %q is not hulpbot's (%s)", link, w.base)
	}
	// As a browser: the link sets the session and refreshes to the page.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get(link)
	if m := regexp.MustCompile(`http-equiv="refresh" content="0; url=([^"]+)"`).FindStringSubmatch(body); code == http.StatusOK && m != nil {
		next, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(link)
		code, body = get(base.ResolveReference(next).String())
	}
	if code != http.StatusOK || !strings.Contains(body, "Kindcentrum De Vaart") || !strings.Contains(body, "Jaaroverzicht") {
		t.Errorf("the page behind the link: HTTP %d, %.300q", code, body)
	}
}

// person is a Mattermost user of the test, with a logged-in client.
type person struct {
	user   *model.User
	c      *model.Client4
	screen *mmtest.Screen // what the person's webapp is told over the WebSocket
}

func newPerson(ctx context.Context, t *testing.T, srv *mmtest.Server, teamID, name string) *person {
	t.Helper()
	u, _, err := srv.Admin.CreateUser(ctx, &model.User{Username: name, Email: name + "@hulpbot.test", Password: mmtest.Password})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	if _, _, err := srv.Admin.AddTeamMember(ctx, teamID, u.Id); err != nil {
		t.Fatalf("add %s to the team: %v", name, err)
	}
	c := model.NewAPIv4Client(srv.URL)
	if _, _, err := c.Login(ctx, name, mmtest.Password); err != nil {
		t.Fatalf("log in as %s: %v", name, err)
	}
	return &person{user: u, c: c, screen: mmtest.Watch(t, srv.URL, c)}
}

// waitPost waits up to 15 s for a post from the bot in the person's DM
// with the bot that matches ok, and returns the newest such post.
func (p *person) waitPost(ctx context.Context, t *testing.T, botID string, ok func(*model.Post) bool) *model.Post {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var seen []string
	for {
		ch, found := p.dm(ctx, t, botID)
		if !found {
			if time.Now().After(deadline) {
				t.Fatalf("%s has no DM with the bot after 15s", p.user.Username)
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		list, resp, err := p.c.GetPostsForChannel(ctx, ch, 0, 50, "", false, false)
		if err != nil && resp != nil && resp.StatusCode == http.StatusForbidden && time.Now().Before(deadline) {
			// The person's own race with the bot opening the DM (see dm):
			// their cache of memberships was refilled without it. Renewed
			// as the adapter renews the bot's: an empty notify props write.
			_, _ = p.c.UpdateChannelNotifyProps(ctx, ch, p.user.Id, map[string]string{})
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("%s's DM posts: %v", p.user.Username, err)
		}
		seen = seen[:0]
		for _, id := range list.Order { // newest first
			post := list.Posts[id]
			seen = append(seen, post.Message)
			if post.UserId == botID && ok(post) {
				return post
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s got no such DM from the bot within 15s; the DM holds %q", p.user.Username, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dm is the id of the person's DM channel with the bot, if there is one.
// It is looked up, not opened: a person opening the DM while the bot
// opens it can leave Mattermost's cache of either one's memberships
// without it, and their reads or posts there refused for minutes (see
// the Mattermost adapter's Sender.refresh).
func (p *person) dm(ctx context.Context, t *testing.T, botID string) (string, bool) {
	t.Helper()
	chans, _, err := p.c.GetChannelsForUserWithLastDeleteAt(ctx, p.user.Id, 0)
	if err != nil {
		t.Fatalf("%s's channels: %v", p.user.Username, err)
	}
	name := model.GetDMNameFromIds(p.user.Id, botID)
	for _, ch := range chans {
		if ch.Type == model.ChannelTypeDirect && ch.Name == name {
			return ch.Id, true
		}
	}
	return "", false
}

// waitChannelPost waits up to 15 s for a post from the bot in a channel
// that matches ok.
func (p *person) waitChannelPost(ctx context.Context, t *testing.T, channelID, botID string, ok func(*model.Post) bool) *model.Post {
	t.Helper()
	var found *model.Post
	waitUntil(t, p.user.Username+" sees the bot's post in the channel", func() bool {
		list, _, err := p.c.GetPostsForChannel(ctx, channelID, 0, 50, "", false, false)
		if err != nil {
			t.Fatalf("channel posts: %v", err)
		}
		for _, id := range list.Order {
			if post := list.Posts[id]; post.UserId == botID && ok(post) {
				found = post
				return true
			}
		}
		return false
	})
	return found
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 15s: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runSetup(ctx context.Context, t *testing.T, cfgPath string, getenv func(string) string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"hulpbot", "mattermost-setup", "-config", cfgPath}, getenv, nil, &out, &errs); err != nil {
		t.Fatalf("mattermost-setup: %v\n%s", err, errs.String())
	}
	return out.String()
}

func grab(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%s", re, s)
	}
	return m[1]
}

func hasActions(p *model.Post) bool {
	for _, a := range p.Attachments() {
		if len(a.Actions) > 0 {
			return true
		}
	}
	return false
}

func getPost(ctx context.Context, t *testing.T, c *model.Client4, id string) *model.Post {
	t.Helper()
	p, _, err := c.GetPost(ctx, id, "")
	if err != nil {
		t.Fatalf("get post %s: %v", id, err)
	}
	return p
}

func mustRequest(ctx context.Context, t *testing.T, store *redisstore.Store, id string) bot.Request {
	t.Helper()
	r, err := store.Request(ctx, "de-vaart", id)
	if err != nil {
		t.Fatalf("Redis: request %s: %v", id, err)
	}
	return r
}
