package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/mmbot"
	"github.com/hulpbot/hulpbot/config"
)

// TestMattermostWiring starts hulpbot with a Mattermost section (the
// Mattermost server itself is down) and checks the endpoints are served:
// a wrong token is refused, and so is the team's token with another team;
// a good one gets the teacher an answer at once — the team found by the
// name Mattermost sends while its API cannot be asked, and, as who is
// asking cannot be checked then, the school's advice for when hulpbot
// cannot help.
func TestMattermostWiring(t *testing.T) {
	redisURL := testRedisURL(t)
	addr := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(`listen: %q
mattermost:
  url: http://%s
  bot_token: bot-token
  command_token: tok-b
  public_url: http://%s
schools:
  - id: de-vaart
    name: De Vaart
    mattermost_team: de-vaart
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, mattermost: anne, schedule: [altijd]}
`, addr, freeAddr(t), addr))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hulpbot", "-config", cfg}, env(t, map[string]string{"REDIS_URL": redisURL}), strings.NewReader(""), io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	waitFor(t, "http://"+addr+"/healthz")

	form := url.Values{"team_id": {"teamid00000000000000000000"}, "user_id": {"userjufmarie00000000000000"}, "user_name": {"juf.marie"},
		"channel_id": {"c1"}, "text": {"groep 5"}, "trigger_id": {"t1"}}
	for _, tc := range []struct {
		token, team string
		want        int
		body        string
	}{
		{"wrong", "de-vaart", http.StatusUnauthorized, ""},
		{"tok-b", "de-brug", http.StatusUnauthorized, ""},
		{"tok-b", "de-vaart", http.StatusOK, "kan dit nu niet verwerken"},
	} {
		form.Set("token", tc.token)
		form.Set("team_domain", tc.team)
		start := time.Now()
		resp, err := http.Post("http://"+addr+"/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.body) {
			t.Errorf("token %q, team %s: HTTP %d %s, want %d with %q", tc.token, tc.team, resp.StatusCode, b, tc.want, tc.body)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("token %q: answered after %s with Mattermost down", tc.token, d)
		}
	}
	resp, err := http.Post("http://"+addr+"/mattermost/action", "application/json", strings.NewReader(`{"user_id":"useranne000000000000000000","user_name":"anne","context":{"groep":"5","request_id":"req-42"}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Deze knop ken ik niet") {
		t.Errorf("unsigned click: HTTP %d %s, want an ephemeral note", resp.StatusCode, b)
	}
}

func TestMattermostSetupArguments(t *testing.T) {
	dir := t.TempDir()
	noMM := filepath.Join(dir, "no-mm.yaml")
	writeFile(t, noMM, "redis_url: redis://x\nschools:\n  - {id: a, name: A, groups: [\"5\"], fallback_channel: k, helpers: [{name: Anne, role: x, shell: anne, schedule: [altijd]}]}\n")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no admin token", []string{"-config", noMM}, nil, "HULPBOT_MATTERMOST_ADMIN_TOKEN"},
		{"no mattermost section", []string{"-config", noMM}, map[string]string{EnvMattermostAdminToken: "x"}, "no mattermost section"},
		{"nothing to go on", nil, map[string]string{EnvMattermostAdminToken: "x"}, "-url and -public-url"},
		{"stray argument", []string{"extra"}, map[string]string{EnvMattermostAdminToken: "x"}, "unexpected argument"},
		{"no team", []string{"-url", "http://127.0.0.1:1", "-public-url", "http://h"}, map[string]string{EnvMattermostAdminToken: "x"}, "no team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs bytes.Buffer
			err := run(context.Background(), append([]string{"hulpbot", "mattermost-setup"}, tc.args...), func(k string) string { return tc.env[k] }, nil, io.Discard, &errs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("mattermost-setup %v = %v, want an error about %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestMattermostNeedsPublicURL(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, `redis_url: redis://127.0.0.1:1/0
listen: 127.0.0.1:0
mattermost: {url: "http://127.0.0.1:1", bot_token: b, command_token: c}
schools:
  - {id: a, name: A, mattermost_team: a, groups: ["5"], fallback_channel: k, helpers: [{name: Anne, role: x, mattermost: anne, schedule: [altijd]}]}
`)
	err := run(context.Background(), []string{"hulpbot", "-config", cfg}, env(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "public_url") {
		t.Errorf("run without public_url = %v, want an error naming mattermost.public_url", err)
	}
}

// TestPrintSetup: mattermost-setup prints one command token for one team,
// and for several teams each team's token under its own variable, bound to
// its team under command_tokens — lines that, put in the environment and
// the file, make a configuration with each token bound to its team.
func TestPrintSetup(t *testing.T) {
	const schools = `
schools:
  - {id: de-vaart, name: De Vaart, mattermost_team: de-vaart, groups: ["5"], fallback_channel: k, helpers: [{name: Anne, role: x, mattermost: anne, schedule: [altijd]}]}
  - {id: de-brug, name: De Brug, mattermost_team: De-Brug, groups: ["5"], fallback_channel: k, helpers: [{name: Carla, role: x, mattermost: carla, schedule: [altijd]}]}
`
	opts := mmbot.SetupOptions{URL: "http://mm:8065", PublicURL: "http://hulpbot:8080"}
	res := &mmbot.SetupResult{BotUsername: "hulpbot", BotToken: "bot", Teams: []mmbot.SetupTeamResult{
		{Name: "de-vaart", CommandToken: "tok-vaart", Command: "created"},
		{Name: "De-Brug", CommandToken: "tok-brug", Command: "created"},
	}}
	for _, tc := range []struct {
		name    string
		res     *mmbot.SetupResult
		perTeam bool
		schools string
		want    map[string]string // the tokens by team, as the configuration binds them
		lines   []string
	}{
		{"one team", &mmbot.SetupResult{BotUsername: "hulpbot", Teams: res.Teams[:1]}, false, schools[:strings.Index(schools, "  - {id: de-brug")],
			map[string]string{"de-vaart": "tok-vaart"},
			[]string{"HULPBOT_MATTERMOST_COMMAND_TOKEN=tok-vaart\n", "#   command_token: ${HULPBOT_MATTERMOST_COMMAND_TOKEN}\n"}},
		{"two teams", res, true, schools,
			map[string]string{"de-vaart": "tok-vaart", "de-brug": "tok-brug"},
			[]string{"HULPBOT_MATTERMOST_COMMAND_TOKEN_DE_VAART=tok-vaart\n", "HULPBOT_MATTERMOST_COMMAND_TOKEN_DE_BRUG=tok-brug\n",
				"#     de-vaart: ${HULPBOT_MATTERMOST_COMMAND_TOKEN_DE_VAART}\n", "#     de-brug: ${HULPBOT_MATTERMOST_COMMAND_TOKEN_DE_BRUG}\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printSetup(&out, opts, tc.res, tc.perTeam)
			for _, l := range tc.lines {
				if !strings.Contains(out.String(), l) {
					t.Errorf("output lacks %q:\n%s", l, out.String())
				}
			}
			if tc.perTeam && strings.Contains(out.String(), "HULPBOT_MATTERMOST_COMMAND_TOKEN=") {
				t.Errorf("output for several teams has one token for all:\n%s", out.String())
			}
			// The printed lines, as an operator puts them in place.
			env := map[string]string{"HULPBOT_MATTERMOST_BOT_TOKEN": "bot"}
			var file strings.Builder
			file.WriteString("redis_url: redis://r\n")
			inYAML := false
			for _, l := range strings.Split(out.String(), "\n") {
				switch {
				case strings.HasPrefix(l, "HULPBOT_"):
					k, v, _ := strings.Cut(l, "=")
					env[k] = v
				case l == "# mattermost:":
					inYAML = true
					file.WriteString("mattermost:\n")
				case inYAML && strings.HasPrefix(l, "#   "):
					file.WriteString(strings.TrimPrefix(l, "# ") + "\n")
				}
			}
			file.WriteString(tc.schools)
			cfg, err := config.Parse([]byte(file.String()), func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("the printed configuration:\n%s\n%v", file.String(), err)
			}
			if got := cfg.MattermostCommandTokens(); !maps.Equal(got, tc.want) {
				t.Errorf("tokens by team = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestMattermostSetupReadsConfigWithoutTokens: mattermost-setup reads a
// configuration whose bot and command tokens it has yet to make — one for
// one team, one per team under command_tokens, or none written yet — and
// goes on to Mattermost.
func TestMattermostSetupReadsConfigWithoutTokens(t *testing.T) {
	dir := t.TempDir()
	for name, mm := range map[string]string{
		"one team": "  command_token: ${HULPBOT_MATTERMOST_COMMAND_TOKEN}\n",
		"per team": "  command_tokens:\n    a: ${HULPBOT_MATTERMOST_COMMAND_TOKEN_A}\n    b: ${HULPBOT_MATTERMOST_COMMAND_TOKEN_B}\n",
		"none yet": "",
	} {
		t.Run(name, func(t *testing.T) {
			schools := "  - {id: a, name: A, mattermost_team: a, groups: [\"5\"], fallback_channel: k, helpers: [{name: Anne, role: x, mattermost: anne, schedule: [altijd]}]}\n"
			if name != "one team" { // two teams
				schools += "  - {id: b, name: B, mattermost_team: b, groups: [\"5\"], fallback_channel: k, helpers: [{name: Bram, role: x, mattermost: bram, schedule: [altijd]}]}\n"
			}
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			writeFile(t, path, "redis_url: redis://x\nmattermost:\n  url: http://127.0.0.1:1\n  bot_token: ${HULPBOT_MATTERMOST_BOT_TOKEN}\n"+mm+"  public_url: http://h\nschools:\n"+schools)
			err := run(context.Background(), []string{"hulpbot", "mattermost-setup", "-config", path}, func(k string) string {
				return map[string]string{EnvMattermostAdminToken: "x"}[k]
			}, nil, io.Discard, io.Discard)
			// It read the file and went on to Mattermost (which is down).
			const want = "admin token does not work"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("mattermost-setup = %v, want an error about %q", err, want)
			}
		})
	}
}
