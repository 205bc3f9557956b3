package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMattermostWiring starts hulpbot with a Mattermost section (the
// Mattermost server itself is down) and checks the endpoints are served:
// a wrong token is refused, a good one gets the teacher an answer at once —
// the team found by the name Mattermost sends while its API cannot be asked.
func TestMattermostWiring(t *testing.T) {
	redisURL := testRedisURL(t)
	addr := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(`listen: %q
mattermost:
  url: http://%s
  bot_token: bot-token
  command_token: "tok-a,tok-b"
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

	form := url.Values{"team_id": {"teamid00000000000000000000"}, "team_domain": {"de-vaart"}, "user_id": {"u1"}, "user_name": {"juf.marie"},
		"channel_id": {"c1"}, "text": {"groep 5"}, "trigger_id": {"t1"}}
	for _, tc := range []struct {
		token string
		want  int
		body  string
	}{
		{"wrong", http.StatusUnauthorized, ""},
		{"tok-b", http.StatusOK, "doorgezet naar Anne"},
	} {
		form.Set("token", tc.token)
		start := time.Now()
		resp, err := http.Post("http://"+addr+"/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.body) {
			t.Errorf("token %q: HTTP %d %s, want %d with %q", tc.token, resp.StatusCode, b, tc.want, tc.body)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("token %q: answered after %s with Mattermost down", tc.token, d)
		}
	}
	resp, err := http.Post("http://"+addr+"/mattermost/action", "application/json", strings.NewReader(`{"user_name":"anne","context":{"groep":"5","request_id":"req-42"}}`))
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
