package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
`, addr, srv.URL, addr))

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
	t.Logf("the whole test: %s", time.Since(began).Round(time.Millisecond))
}

// person is a Mattermost user of the test, with a logged-in client.
type person struct {
	user *model.User
	c    *model.Client4
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
	return &person{user: u, c: c}
}

// waitPost waits up to 15 s for a post from the bot in the person's DM
// with the bot that matches ok, and returns the newest such post.
func (p *person) waitPost(ctx context.Context, t *testing.T, botID string, ok func(*model.Post) bool) *model.Post {
	t.Helper()
	ch, _, err := p.c.CreateDirectChannel(ctx, p.user.Id, botID)
	if err != nil {
		t.Fatalf("%s's DM with the bot: %v", p.user.Username, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	var seen []string
	for {
		list, _, err := p.c.GetPostsForChannel(ctx, ch.Id, 0, 50, "", false, false)
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
