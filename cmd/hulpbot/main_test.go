package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
)

// env is a getenv for run: the test's Redis (REDIS_URL when set, else the
// embedded one) under a key prefix of its own, and metrics on a free port.
func env(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	m := map[string]string{
		"REDIS_URL":              os.Getenv("REDIS_URL"),
		"HULPBOT_REDIS_PREFIX":   redistest.Prefix(t),
		"HULPBOT_METRICS_LISTEN": "127.0.0.1:0",
	}
	for k, v := range extra {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// play runs hulpbot's terminal chat on a piped script and returns what it
// printed.
func play(t *testing.T, getenv func(string) string, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"hulpbot"}, getenv, strings.NewReader(script), &out, &errs); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, errs.String())
	}
	return out.String()
}

// inOrder checks that each want appears in the transcript after the previous one.
func inOrder(t *testing.T, transcript string, wants ...string) {
	t.Helper()
	rest := transcript
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("transcript lacks %q after the earlier lines; transcript:\n%s", w, transcript)
		}
		rest = rest[i+len(w):]
	}
}

// TestStory plays the story of one request (docs/architecture.md) in the terminal chat: request, offer, decline
// to the next helper, accept, teacher told, a second click refused, who,
// resolve; then a request nobody takes goes to the fallback channel, is
// withdrawn, and a success story is shared.
func TestStory(t *testing.T) {
	script := `
# 1-6: juf Marie asks; Anne is offered the request
/hulp groep 5 onrust na gym
/als anne
# 8: Anne cannot come now: Bram is asked
/knop 2
/als bram
# 7: Bram comes; Marie hears it
/knop 3
/knop 3
/hulp wie
# 9: done
/hulp klaar gesprek gehad
/als juf.marie
/hulp gr3
/als anne
/hulp kan niet
/als bram
/hulp bezet
/als juf.marie
/hulp annuleer
/hulp succes Vandaag ging het goed in de klas
/hulp groep 9
/stop
/hulp groep 5
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp groep 5 onrust na gym",
		"[→ juf.marie] Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener).",
		"[→ anne] Kun je even helpen? Hulpvraag voor groep 5",
		"Toelichting: onrust na gym",
		"[1] Ik kom eraan   [2] Kan nu niet",
		"anne> /knop 2",
		"[bericht aan anne bijgewerkt]",
		"[→ bram] Kun je even helpen? Hulpvraag voor groep 5",
		"[3] Ik kom eraan   [4] Kan nu niet",
		"[→ juf.marie] Je hulpvraag voor groep 5 is nu doorgezet naar Bram",
		"bram> /knop 3",
		"[bericht aan bram bijgewerkt] ✅ Bram komt eraan (groep 5)",
		"[→ juf.marie] ✅ Bram komt eraan voor groep 5.",
		"bram> /knop 3",
		"Knop 3 is al gebruikt",
		"bram> /hulp wie",
		"Anne (jeugdhulpverlener): beschikbaar",
		"Bram (CJG-coach): met een hulpvraag bezig",
		"bram> /hulp klaar gesprek gehad",
		"[→ juf.marie] Bram heeft je hulpvraag voor groep 5 afgesloten.",
		"juf.marie> /hulp gr3",
		"doorgezet naar Anne",
		"anne> /hulp kan niet",
		"[→ bram] Kun je even helpen? Hulpvraag voor groep 3",
		"bram> /hulp bezet",
		"[#kernteam] 📣 Hulpvraag voor groep 3",
		"[→ juf.marie] Er is nu niemand beschikbaar voor je hulpvraag voor groep 3. Ik heb het kernteam-kanaal ingeseind.",
		"juf.marie> /hulp annuleer",
		"[bericht in #kernteam bijgewerkt] Hulpvraag voor groep 3, ",
		": ingetrokken. Niemand hoeft meer te komen.",
		"juf.marie> /hulp succes",
		"juf.marie> /hulp groep 9",
		"Die groep ken ik niet. Groepen: 1-2 (kleuters), 3, 4, 5, 6, 7, 8.",
	)
	if strings.Contains(out, "juf.marie> /hulp groep 5\n") {
		t.Errorf("input after /stop was read:\n%s", out)
	}
}

// TestRedisDown: with Redis unreachable a teacher hears at once what to do
// instead.
func TestRedisDown(t *testing.T) {
	addr := freeAddr(t) // nothing listens there
	start := time.Now()
	out := play(t, env(t, map[string]string{"REDIS_URL": "redis://" + addr + "/0"}), "/hulp groep 5\n/als anne\n/hulp beschikbaar\n")
	inOrder(t, out,
		"[→ juf.marie] hulpbot kan je vraag nu niet doorzetten — loop even binnen bij de IB'er of de directie.",
		"anne> /hulp beschikbaar",
		"[→ anne]",
	)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the session took %s with Redis down; answers must come at once", d)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	example, err := os.ReadFile("../../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, good, string(example))
	writeFile(t, bad, strings.Replace(string(example), `"di middag"`, `"zo avond"`, 1))
	secrets := map[string]string{
		"HULPBOT_MATTERMOST_BOT_TOKEN": "mm-bot-token", "HULPBOT_MATTERMOST_COMMAND_TOKEN": "mm-command-token",
		"HULPBOT_ACTION_SECRET": "0123456789abcdef0123", "HULPBOT_SLACK_BOT_TOKEN": "xoxb-1",
		"HULPBOT_SLACK_SIGNING_SECRET": "secret",
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hulpbot", "-check-config", good}, env(t, secrets), nil, &out, io.Discard); err != nil {
		t.Fatalf("example.yaml: %v", err)
	}
	if !strings.Contains(out.String(), "ok (") {
		t.Errorf("check of a good file printed %q", out.String())
	}
	err = run(context.Background(), []string{"hulpbot", "-check-config", bad}, env(t, secrets), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"zo avond" is not a day part`) || !strings.Contains(err.Error(), "schools[0].helpers[") {
		t.Fatalf("check of a bad file: error = %v, want the field and the problem", err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServe starts hulpbot with a configuration and checks the operator's
// endpoints — /metrics only on metrics_listen, not on the platform
// listener; health on both; Go's profiles (-pprof) only on their own
// listener — then that it stops cleanly when its context ends.
func TestServe(t *testing.T) {
	redisURL := testRedisURL(t)
	addr, metricsAddr, pprofAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(`listen: %q
metrics_listen: %q
schools:
  - id: de-vaart
    name: De Vaart
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, shell: anne, schedule: ["altijd"]}
`, addr, metricsAddr))
	ctx, cancel := context.WithCancel(context.Background())
	stdin, feed := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hulpbot", "-config", cfg, "-pprof", pprofAddr},
			env(t, map[string]string{"REDIS_URL": redisURL, "HULPBOT_METRICS_LISTEN": ""}), stdin, io.Discard, io.Discard)
	}()
	base, internal := "http://"+addr, "http://"+metricsAddr
	waitFor(t, base+"/healthz")
	for _, tc := range []struct {
		url, want string
		status    int
	}{
		{base + "/healthz", "ok", http.StatusOK},
		{base + "/readyz", "ok", http.StatusOK},
		{base + "/metrics", "404", http.StatusNotFound},
		{internal + "/metrics", "hulpbot_requests_total", http.StatusOK},
		{internal + "/healthz", "ok", http.StatusOK},
		{internal + "/readyz", "ok", http.StatusOK},
		{internal + "/slack/command", "404", http.StatusNotFound},
		{base + "/debug/pprof/", "404", http.StatusNotFound},
		{internal + "/debug/pprof/", "404", http.StatusNotFound},
		{"http://" + pprofAddr + "/debug/pprof/", "goroutine", http.StatusOK},
		{"http://" + pprofAddr + "/debug/pprof/heap?debug=1", "heap profile", http.StatusOK},
	} {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d %.200q, want %d containing %q", tc.url, resp.StatusCode, body, tc.status, tc.want)
		}
	}
	cancel()
	feed.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("hulpbot did not stop within 15s of its context ending")
	}
}

// waitFor waits for a hulpbot starting in another goroutine or process to
// answer at url, asking every 20 ms for up to 10 s.
func waitFor(t *testing.T, url string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	ask := time.NewTicker(20 * time.Millisecond)
	defer ask.Stop()
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-deadline.C:
			t.Fatalf("%s did not answer within 10s", url)
		case <-ask.C:
		}
	}
}
