package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/config"
)

// TestSlowClientFlood plays the attack on the platform port: hulpbot may
// open 1,024 files (ulimit -n 1024), and 2,000 connections send a request's
// headers with Content-Length: 60000, then trickle its body. Meanwhile
// /healthz answers within a second on both listeners, a signed /hulp groep
// 5 gets its answer within Slack's three seconds, the process never runs
// out of file descriptors, and its JSON log holds nothing but JSON lines.
func TestSlowClientFlood(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts the process's open files in /proc")
	}
	const flood, fileLimit = 2000, 1024
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < flood+500 || rl.Max < fileLimit {
		t.Skipf("the test opens %d connections itself: open-file limit %d (hard %d) too low", flood, rl.Cur, rl.Max)
	}
	redisURL := testRedisURL(t)
	fake := slackfake.New(t)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(`listen: %q
slack:
  bot_token: ${HULPBOT_SLACK_BOT_TOKEN}
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"]}
`, addr, fake.APIURL()))
	cmd := exec.Command("sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, fileLimit),
		binary(t), "-config", cfg, "-log-format", "json")
	cmd.Env = append(os.Environ(), "REDIS_URL="+redisURL, "HULPBOT_REDIS_PREFIX="+redistest.Prefix(t),
		"HULPBOT_METRICS_LISTEN="+metricsAddr, "HULPBOT_SLACK_BOT_TOKEN=xoxb-flood", "HULPBOT_SLACK_SIGNING_SECRET="+slackSecret)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			t.Error("hulpbot did not stop within 15s of SIGTERM")
			_ = cmd.Process.Kill()
			<-exited
		}
		checkJSONLog(t, logs.String())
		if t.Failed() {
			t.Logf("hulpbot log:\n%s", tail(logs.String(), 40))
		}
	})
	base, internal := "http://"+addr, "http://"+metricsAddr
	waitFor(t, base+"/healthz")

	slow := openSlowBodies(t, addr, flood)
	for _, u := range []string{base + "/healthz", internal + "/healthz", internal + "/readyz"} {
		status, _, took := timedGet(t, u)
		if status != http.StatusOK || took > time.Second {
			t.Errorf("GET %s during the flood = %d in %s, want 200 within 1s", u, status, took)
		}
	}
	if answer, took := signedHulp(t, base, fake, "groep 5 onrust na gym"); !strings.Contains(answer, "doorgezet naar Anne") || took > 3*time.Second {
		t.Errorf("/hulp groep 5 during the flood answered %q in %s, want it passed on to Anne within 3s", answer, took)
	}
	files, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	closed := slow.closedByServer()
	t.Logf("%d slow connections: hulpbot closed %d, holds %d open files of %d", flood, closed, len(files), fileLimit)
	if len(files) >= fileLimit-otherFiles/2 {
		t.Errorf("hulpbot holds %d open files of %d: the slow connections took what Redis and the platforms need", len(files), fileLimit)
	}
	if closed < flood-fileLimit {
		t.Errorf("hulpbot closed %d of %d slow connections, so it held more than its %d files allow", closed, flood, fileLimit)
	}
	if strings.Contains(logs.String(), "too many open files") {
		t.Error("hulpbot ran out of file descriptors")
	}
}

// slowBodies are connections that sent a request's headers and trickle its
// body, a byte per connection every half second, from one goroutine.
type slowBodies struct {
	mu    sync.Mutex
	conns []net.Conn
	dead  []bool
}

func openSlowBodies(t *testing.T, addr string, n int) *slowBodies {
	t.Helper()
	head := "POST /slack/command HTTP/1.1\r\nHost: " + addr +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nteam_id="
	s := &slowBodies{conns: make([]net.Conn, n), dead: make([]bool, n)}
	var wg sync.WaitGroup
	const workers = 16
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Errorf("slow connection %d: %v", i, err)
					return
				}
				s.conns[i] = c
				_, _ = io.WriteString(c, head)
			}
		})
	}
	wg.Wait()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			s.mu.Lock()
			for i, c := range s.conns {
				if c != nil && !s.dead[i] {
					_ = c.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
					_, err := c.Write([]byte("x"))
					s.dead[i] = err != nil
				}
			}
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
		for _, c := range s.conns {
			if c != nil {
				_ = c.Close()
			}
		}
	})
	return s
}

// closedByServer counts the connections hulpbot closed: a read finds their
// end (or the server's answer) at once; an open one times out.
func (s *slowBodies) closedByServer() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.conns {
		if c == nil {
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); err == nil || !isTimeout(err) {
			n++
		}
	}
	return n
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func timedGet(t *testing.T, url string) (int, string, time.Duration) {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error(), time.Since(start)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), time.Since(start)
}

// signedHulp sends "/hulp text" signed as Slack signs it and returns the
// text of the answer and how long it took.
func signedHulp(t *testing.T, base string, fake *slackfake.Server, text string) (string, time.Duration) {
	t.Helper()
	form := slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: "U0MARIE001", UserName: "juf.marie",
		Text: text, TriggerID: "flood-trigger-1", ResponseURL: fake.ResponseURL("flood-1")}.Form()
	body := []byte(form.Encode())
	req, err := http.NewRequest(http.MethodPost, base+"/slack/command", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slackfake.Sign(req.Header, slackSecret, time.Now(), body)
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return err.Error(), time.Since(start)
	}
	defer resp.Body.Close()
	var ans slackfake.Response
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return fmt.Sprintf("status %d, not JSON: %v", resp.StatusCode, err), time.Since(start)
	}
	return ans.Text, time.Since(start)
}

// checkJSONLog fails the test for a line of a JSON log that is not a JSON
// object with a time, level and msg.
func checkJSONLog(t *testing.T, log string) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimRight(log, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["time"] == nil || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("log line %d is not a JSON record: %.300q", i+1, line)
		}
	}
}

// TestHTTPErrorsInTheJSONLog: what net/http says itself (here a handler's
// panic, whose value quotes a client's 100 kB) is a record of the JSON log,
// capped, not a plain line beside it.
func TestHTTPErrorsInTheJSONLog(t *testing.T) {
	var out lockedBuffer
	log, err := newLogger(&out, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{log: log, cfg: config.Defaults()}
	srv, err := m.listen("test", "127.0.0.1:0", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		panic("bad input: " + string(b))
	}), m.limits(4))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(context.Background()) }()
	t.Cleanup(func() { _ = srv.Close() })
	if resp, err := http.Post("http://"+srv.Addr().String()+"/", "text/plain", strings.NewReader(strings.Repeat("x", 100<<10))); err == nil {
		resp.Body.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), "panic serving") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	checkJSONLog(t, out.String())
	var rec map[string]any
	_ = json.Unmarshal([]byte(strings.TrimSpace(out.String())), &rec)
	if msg, _ := rec["err"].(string); rec["msg"] != "net/http" || rec["level"] != slog.LevelWarn.String() || !strings.HasPrefix(msg, "http: panic serving") {
		t.Errorf("log = %.300q, want a warning with net/http's message", out.String())
	}
	if n := len(out.String()); n > maxHTTPMessage+500 {
		t.Errorf("the record is %d bytes: the client's input went in uncapped", n)
	}
}

// TestMetricsListenTaken: an internal address in use stops hulpbot at
// start with the setting named, rather than serving without metrics.
func TestMetricsListenTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(`listen: 127.0.0.1:0
metrics_listen: %q
schools:
  - {id: de-vaart, name: De Vaart, groups: ["5"], fallback_channel: kernteam, helpers: [{name: Anne, role: r, shell: anne, schedule: [altijd]}]}
`, taken.Addr().String()))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = run(ctx, []string{"hulpbot", "-config", cfg}, env(t, map[string]string{"REDIS_URL": testRedisURL(t), "HULPBOT_METRICS_LISTEN": ""}),
		strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "metrics_listen: ") {
		t.Errorf("run = %v, want an error naming metrics_listen", err)
	}
}
