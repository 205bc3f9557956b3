package main

// Fault tests: the real hulpbot binary on Slack (the fake Web API of
// slackfake, which records every call) and a redis-server of the test's own
// (append-only file on), while Redis stalls, Redis restarts or hulpbot is
// killed with SIGKILL in the middle of a burst of requests for help. After
// things settle each test checks what the people involved were told against
// what Redis holds and what Slack received:
//
//   - a request exists in Redis if and only if its teacher was told it was
//     passed on: by the answer to /hulp, or later by a message that says it
//     was passed on after all ("toch doorgezet");
//   - every message a request owes is delivered exactly once: the offer DM to
//     each helper it was offered to, the post in the fallback channel when it
//     was escalated — counted by the request id (and offer number) in the
//     values of the buttons Slack received;
//   - nothing is delivered for a request that does not exist;
//   - no teacher hears that the kernteam has it unless the fallback post for
//     that request was delivered, or that a helper has it unless that
//     helper's offer DM was; the teacher's last message fits the request's
//     state.
//
// They need redis-server (CI installs it), as the other process tests do.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
)

const (
	faultFollowUpAfter = 30 * time.Second
	faultLease         = 5 * time.Second
	faultSchool        = "de-vaart"
	faultPrefix        = "hb"
	faultKernteam      = "C0KERNTEAM"
)

// faultConfig: the shortest offer timeout, follow-up and delivery lease
// validation allows, so a test sees a whole life cycle in well under a
// minute. Two helpers; the tests make one or both of them away.
const faultConfig = `listen: %q
offer_timeout: 10s
followup_after: 30s
delivery_lease: 5s
slack:
  bot_token: ${HULPBOT_SLACK_BOT_TOKEN}
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["1", "2", "3", "4", "5", "6", "7", "8"]
    fallback_channel: kernteam
    roles_priority: [jeugdhulpverlener, cjg-coach]
    helpers:
      - {id: anne, name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"]}
      - {id: bram, name: Bram, role: cjg-coach, slack: U0BRAM0001, schedule: ["altijd"]}
`

// faultHelpers: helper id → name, member id and DM channel (the fake
// answers a post to a member id with the DM's id, D…).
var faultHelpers = map[string]struct{ name, user, dm string }{
	"anne": {"Anne", "U0ANNE0001", "D0ANNE0001"},
	"bram": {"Bram", "U0BRAM0001", "D0BRAM0001"},
}

// faultRig is one hulpbot deployment under test: a redis-server, the fake
// Slack, and the hulpbot processes started on them one after the other
// (a restart is a new process with the same configuration).
type faultRig struct {
	t     *testing.T
	rs    *redisServer // nil on a cluster or Sentinel setup
	url   string       // hulpbot's REDIS_URL
	fake  *slackfake.Server
	rdb   redis.UniversalClient
	cfg   string
	base  string
	hc    *http.Client
	n     atomic.Int64
	mu    sync.Mutex
	procs []*faultProc
}

// faultProc is one hulpbot process; its log is kept.
type faultProc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

func startFaultRig(t *testing.T) *faultRig {
	t.Helper()
	rs := startRedisServer(t) // skips without redis-server
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", rs.port)})
	t.Cleanup(func() { _ = rdb.Close() })
	r := startFaultRigOn(t, rs.url(), rdb)
	r.rs = rs
	return r
}

// startFaultRigOn is startFaultRig on the Redis that url names (a cluster,
// say), which the test reads through rdb.
func startFaultRigOn(t *testing.T, url string, rdb redis.UniversalClient) *faultRig {
	t.Helper()
	fake := slackfake.New(t)
	addr := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(faultConfig, addr, fake.APIURL()))
	tr := &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100}
	t.Cleanup(tr.CloseIdleConnections)
	r := &faultRig{t: t, url: url, fake: fake, rdb: rdb, cfg: cfg, base: "http://" + addr,
		hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		r.mu.Lock()
		procs := slices.Clone(r.procs)
		r.mu.Unlock()
		for _, p := range procs {
			p.kill()
		}
		if t.Failed() {
			for i, p := range procs {
				t.Logf("--- hulpbot process %d, last lines of its log:\n%s", i, tail(p.logs.String(), 60))
			}
			t.Logf("--- chat.postMessage calls Slack received:\n%s", r.dumpPosts())
		}
	})
	r.start()
	return r
}

// start starts a hulpbot process and waits until it serves.
func (r *faultRig) start() *faultProc {
	r.t.Helper()
	cmd := exec.Command(binary(r.t), "-config", r.cfg, "-log-level", "info")
	cmd.Env = append(os.Environ(),
		"REDIS_URL="+r.url, "HULPBOT_REDIS_PREFIX="+faultPrefix, "HULPBOT_METRICS_LISTEN=127.0.0.1:0",
		"HULPBOT_SLACK_BOT_TOKEN=xoxb-fault", "HULPBOT_SLACK_SIGNING_SECRET="+slackSecret)
	p := &faultProc{cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	r.mu.Lock()
	r.procs = append(r.procs, p)
	r.mu.Unlock()
	c := http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.done:
			r.t.Fatalf("hulpbot exited at start:\n%s", p.logs.String())
		default:
		}
		if resp, err := c.Get(r.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("hulpbot did not serve within 30s:\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// current is the process started last.
func (r *faultRig) current() *faultProc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.procs[len(r.procs)-1]
}

// kill ends the process with SIGKILL: no shutdown, nothing handed back.
func (p *faultProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// hulp sends "/hulp text" as user, signed as Slack signs it, and returns the
// text of the answer; the response_url of the command is named after user.
// An error is a request that got no answer (the process died, say).
func (r *faultRig) hulp(user, name, text string) (string, error) {
	return r.send(r.command(user, name, text))
}

// command is "/hulp text" from user as Slack would send it, signed.
func (r *faultRig) command(user, name, text string) *http.Request {
	r.t.Helper()
	n := r.n.Add(1)
	form := slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: user, UserName: name, Text: text,
		TriggerID: fmt.Sprintf("fault-trigger-%d-%s", n, user), ResponseURL: r.fake.ResponseURL(user)}.Form()
	body := []byte(form.Encode())
	req, err := http.NewRequest(http.MethodPost, r.base+"/slack/command", bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slackfake.Sign(req.Header, slackSecret, time.Now(), body)
	return req
}

// send sends a command and returns the text of the answer.
func (r *faultRig) send(req *http.Request) (string, error) {
	resp, err := r.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var ans slackfake.Response
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return "", fmt.Errorf("status %d, answer not JSON: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %q", resp.StatusCode, ans.Text)
	}
	return ans.Text, nil
}

// away makes a helper away for the rest of the day, as the helper would.
func (r *faultRig) away(helper string) {
	r.t.Helper()
	h := faultHelpers[helper]
	got, err := r.hulp(h.user, helper, "afwezig")
	if err != nil || !strings.Contains(got, "afwezig") {
		r.t.Fatalf("/hulp afwezig as %s: %q %v", helper, got, err)
	}
}

// warmUp plays one request that is offered to Anne and cancelled, as in a
// school that has been using hulpbot: Redis has the scripts loaded (a
// script call Redis gets after a stall runs only when it knows the script),
// and Anne is free again. It returns the teacher, for the checks.
func (r *faultRig) warmUp() *faultTeacher {
	r.t.Helper()
	f := &faultTeacher{user: "U0WARM0001", name: "juf.warm", group: "3"}
	f.ask(r)
	if f.err != nil || !strings.Contains(f.answer, "doorgezet naar Anne") {
		r.t.Fatalf("warm-up request: %q %v", f.answer, f.err)
	}
	// Anne sees the offer, then the teacher withdraws it. (An offer
	// withdrawn before its message went out is not sent at all.)
	r.fake.Wait(r.t, "the warm-up's offer to Anne", 10*time.Second, func([]slackfake.Call) bool {
		return len(r.fake.Posted(faultHelpers["anne"].dm)) >= 1
	})
	if got, err := r.hulp(f.user, f.name, "annuleer"); err != nil || !strings.Contains(got, "ingetrokken") {
		r.t.Fatalf("warm-up cancel: %q %v", got, err)
	}
	r.fake.Wait(r.t, "the warm-up's two DMs to Anne", 10*time.Second, func([]slackfake.Call) bool {
		return len(r.fake.Posted(faultHelpers["anne"].dm)) >= 2
	})
	return f
}

// openConns opens n keep-alive connections to hulpbot, so a burst of n
// requests does not wait for connections.
func (r *faultRig) openConns(n int) {
	r.t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if resp, err := r.hc.Get(r.base + "/healthz"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
}

// settle waits until at least until has passed, no offer deadline and no
// follow-up is pending in Redis, and Slack has received nothing for two
// seconds; at most a minute past until.
func (r *faultRig) settle(until time.Time) {
	r.t.Helper()
	time.Sleep(time.Until(until))
	ctx := context.Background()
	limit := time.Now().Add(time.Minute)
	for {
		calls := r.fake.Calls("")
		quiet := len(calls) == 0 || time.Since(calls[len(calls)-1].At) > 2*time.Second
		pending := int64(0)
		for _, k := range []string{"deadlines", "followups"} {
			n, err := r.rdb.ZCard(ctx, faultKey(k)).Result()
			if err != nil {
				n = 1
			}
			pending += n
		}
		if quiet && pending == 0 {
			return
		}
		if time.Now().After(limit) {
			r.t.Logf("not settled a minute after %s (%d offer deadlines or follow-ups pending); checking as it stands",
				until.Format("15:04:05.000"), pending)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func faultKey(k string) string { return faultPrefix + ":{" + faultSchool + "}:" + k }

// storedRequest is a request record as Redis holds it.
type storedRequest struct {
	id, state, handle, group string
	tried                    []string // helper ids, offer 1 first
}

// requests reads every request of the school from Redis: the hashes under
// <prefix>:{<school>}:req:<id>, by requester.
func (r *faultRig) requests() map[string][]storedRequest {
	r.t.Helper()
	ctx := context.Background()
	out := map[string][]storedRequest{}
	prefix := faultKey("req:")
	keys, err := redistest.Keys(ctx, r.rdb, prefix+"*")
	if err != nil {
		r.t.Fatalf("scan requests: %v", err)
	}
	for _, k := range keys {
		id := strings.TrimPrefix(k, prefix)
		if strings.Contains(id, ":") || r.rdb.Type(ctx, k).Val() != "hash" {
			continue // not a request record
		}
		h, err := r.rdb.HGetAll(ctx, k).Result()
		if err != nil {
			r.t.Fatalf("read %s: %v", k, err)
		}
		sr := storedRequest{id: id, state: h["state"], handle: h["rq_handle"], group: h["group"]}
		if h["tried"] != "" {
			sr.tried = strings.Split(h["tried"], ",")
		}
		out[sr.handle] = append(out[sr.handle], sr)
	}
	return out
}

// slackPost is a successful chat.postMessage as the fake received it.
type slackPost struct {
	at      time.Time
	channel string
	text    string // the sections of its blocks, else its text
	refs    []buttonRef
}

// buttonRef is what a button's value ("hb1:<action>:<request>:<offer>")
// names.
type buttonRef struct {
	action, request string
	offer           int
}

// posts are the chat.postMessage calls Slack accepted, in order.
func (r *faultRig) posts() []slackPost {
	var out []slackPost
	for _, c := range r.fake.Calls("chat.postMessage") {
		if !c.OK {
			continue
		}
		p := slackPost{at: c.At, channel: c.Channel}
		var blocks []struct {
			Type string `json:"type"`
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
			Elements []slackfake.Button `json:"elements"`
		}
		_ = json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks) // a message without blocks has none
		seen := map[buttonRef]bool{}
		var sections []string
		for _, b := range blocks {
			switch b.Type {
			case "section":
				sections = append(sections, b.Text.Text)
			case "actions":
				for _, e := range b.Elements {
					parts := strings.Split(e.Value, ":")
					if len(parts) != 4 || parts[0] != "hb1" {
						continue
					}
					ref := buttonRef{action: parts[1], request: parts[2]}
					ref.offer, _ = strconv.Atoi(parts[3])
					if ref.action == "decline" {
						ref.action = "accept" // the two buttons of one offer
					}
					if !seen[ref] {
						seen[ref] = true
						p.refs = append(p.refs, ref)
					}
				}
			}
		}
		p.text = strings.Join(sections, "\n")
		if p.text == "" {
			p.text = c.Form.Get("text")
		}
		out = append(out, p)
	}
	return out
}

func (r *faultRig) dumpPosts() string {
	var b strings.Builder
	for _, p := range r.posts() {
		txt := strings.ReplaceAll(p.text, "\n", " ⏎ ")
		if len([]rune(txt)) > 110 {
			txt = string([]rune(txt)[:110]) + "…"
		}
		fmt.Fprintf(&b, "  %s %s %v %q\n", p.at.Format("15:04:05.000"), p.channel, p.refs, txt)
	}
	return b.String()
}

// faultTeacher is a teacher who asked for help once.
type faultTeacher struct {
	user, name, group string
	answer            string // the answer to /hulp; "" when none came
	err               error  // why no answer came
	took              time.Duration
}

func (f *faultTeacher) dm() string { return "D" + f.user[1:] }

// ask sends the teacher's /hulp groep N.
func (f *faultTeacher) ask(r *faultRig) { f.send(r, r.command(f.user, f.name, "groep "+f.group)) }

func (f *faultTeacher) send(r *faultRig, req *http.Request) {
	start := time.Now()
	f.answer, f.err = r.send(req)
	f.took = time.Since(start)
}

// teacherMessage is something a teacher was told.
type teacherMessage struct {
	at   time.Time
	via  string // "answer", "dm" or "response_url"
	text string
}

// What the messages say, in the school's language (nl).
const (
	saysFailed     = "niet doorzetten" // err.unavailable.request
	saysAfterAll   = "toch doorgezet"  // the message that a create went through after all
	saysKernteam   = "kernteam"        // the fallback channel: request.escalated, notice.nobody, notice.follow_up.escalated
	saysPassedTo   = "doorgezet naar"  // request.offered, notice.moved_on
	saysLiesWith   = "ligt nu bij"     // notice.follow_up.offered
	saysNobodyHere = "ingeseind"       // the fallback channel was told
)

func passedOn(answer string) bool {
	return !strings.Contains(answer, saysFailed) &&
		(strings.Contains(answer, saysPassedTo) || strings.Contains(answer, saysNobodyHere))
}

// checkFault checks the invariants of the package comment for teachers,
// each of whom asked once, against Redis and what Slack received. It
// returns a one-line summary.
func (r *faultRig) checkFault(teachers []*faultTeacher) string {
	t := r.t
	t.Helper()
	stored := r.requests()
	posts := r.posts()
	responses := r.fake.Calls("response")

	// Deliveries by request: offer DMs by (request, offer), fallback posts.
	offerDMs := map[buttonRef][]string{} // → channels
	fallback := map[string]int{}
	known := map[string]storedRequest{}
	for _, rs := range stored {
		for _, sr := range rs {
			known[sr.id] = sr
		}
	}
	for _, p := range posts {
		for _, ref := range p.refs {
			if _, ok := known[ref.request]; !ok {
				t.Errorf("Slack got a %s message in %s for request %s, which does not exist in Redis: %q",
					ref.action, p.channel, ref.request, p.text)
				continue
			}
			switch ref.action {
			case "accept":
				offerDMs[ref] = append(offerDMs[ref], p.channel)
			case "pickup":
				if p.channel != faultKernteam {
					t.Errorf("a pickup button for request %s was posted in %s, not in the fallback channel", ref.request, p.channel)
				}
				fallback[ref.request]++
			}
		}
	}

	// Every request owes its messages once.
	states := map[string]int{}
	byTeacher := map[string]*faultTeacher{}
	for _, f := range teachers {
		byTeacher[f.user] = f
	}
	for handle, rs := range stored {
		if byTeacher[handle] == nil {
			t.Errorf("Redis holds requests %v of %s, who never asked", rs, handle)
		}
		if len(rs) > 1 {
			t.Errorf("Redis holds %d requests of %s, who asked once", len(rs), handle)
		}
	}
	for _, sr := range known {
		states[sr.state]++
		for k, h := range sr.tried {
			ref := buttonRef{action: "accept", request: sr.id, offer: k + 1}
			got := offerDMs[ref]
			if len(got) != 1 || got[0] != faultHelpers[h].dm {
				t.Errorf("request %s (groep %s, %s in Redis) was offered to %s (offer %d), and Slack got that offer in %v; want exactly once, in %s",
					sr.id, sr.group, sr.state, h, k+1, got, faultHelpers[h].dm)
			}
			delete(offerDMs, ref)
		}
		switch n := fallback[sr.id]; {
		case sr.state == "escalated" && n != 1:
			t.Errorf("request %s (groep %s) is escalated in Redis, and the fallback channel got %d posts for it; want exactly 1", sr.id, sr.group, n)
		case sr.state == "offered" && n != 0:
			t.Errorf("request %s (groep %s) is offered to %v in Redis, yet the fallback channel got %d posts for it", sr.id, sr.group, sr.tried, n)
		}
	}
	for ref, chans := range offerDMs {
		t.Errorf("Slack got offer %d of request %s in %v, an offer Redis does not know of", ref.offer, ref.request, chans)
	}

	// What each teacher was told.
	told := 0
	for _, f := range teachers {
		var msgs []teacherMessage
		if f.answer != "" {
			msgs = append(msgs, teacherMessage{via: "answer", text: f.answer})
		}
		for _, p := range posts {
			if p.channel == f.dm() {
				msgs = append(msgs, teacherMessage{at: p.at, via: "dm", text: p.text})
			}
		}
		for _, c := range responses {
			if c.OK && c.Path == "/response/"+f.user {
				var resp slackfake.Response
				_ = json.Unmarshal(c.Body, &resp)
				msgs = append(msgs, teacherMessage{at: c.At, via: "response_url", text: resp.Text})
			}
		}
		sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].at.Before(msgs[j].at) })
		var sr *storedRequest
		if rs := stored[f.user]; len(rs) > 0 {
			sr = &rs[0]
		}
		who := fmt.Sprintf("%s (groep %s)", f.name, f.group)
		afterAll := slices.ContainsFunc(msgs, func(m teacherMessage) bool { return strings.Contains(m.text, saysAfterAll) })
		reported := true
		switch {
		case sr == nil && passedOn(f.answer):
			t.Errorf("%s was answered %q, but no request of theirs is in Redis", who, f.answer)
		case sr == nil && len(msgs) > 1:
			t.Errorf("%s has no request in Redis, yet was told afterwards: %s", who, quoteMsgs(msgs[1:]))
		case sr == nil && f.answer == "" && len(msgs) > 0:
			t.Errorf("%s got no answer and has no request in Redis, yet was told: %s", who, quoteMsgs(msgs))
		case sr != nil && f.answer != "" && !passedOn(f.answer) && !afterAll:
			t.Errorf("request %s of %s is in Redis (%s), but the teacher was answered %q and never told it was passed on after all (%q); all they were told: %s",
				sr.id, who, sr.state, f.answer, saysAfterAll, quoteMsgs(msgs))
		default:
			reported = false
		}
		if sr != nil && (passedOn(f.answer) || afterAll) {
			told++
		}
		seen := map[string]bool{}
		for _, m := range msgs {
			if m.via != "answer" && seen[m.text] {
				t.Errorf("%s was told the same twice (%s): %q", who, m.via, m.text)
			}
			seen[m.text] = true
		}
		for _, m := range msgs {
			if strings.Contains(m.text, saysKernteam) && (sr == nil || fallback[sr.id] == 0) {
				t.Errorf("%s was told the kernteam has it (%s %q), but the fallback channel got no post for their request", who, m.via, m.text)
			}
			for id, h := range faultHelpers {
				for _, claim := range []string{saysPassedTo + " " + h.name, "doorgezet, naar " + h.name, saysLiesWith + " " + h.name} {
					if !strings.Contains(m.text, claim) {
						continue
					}
					got := false
					if sr != nil {
						for k, tried := range sr.tried {
							got = got || (tried == id && len(offerDMsFor(posts, sr.id, k+1, h.dm)) > 0)
						}
					}
					if !got {
						t.Errorf("%s was told %q (%s), but %s never got the offer of their request", who, m.text, m.via, h.name)
					}
				}
			}
		}
		if sr != nil && len(msgs) > 0 && !reported {
			last := msgs[len(msgs)-1]
			switch sr.state {
			case "escalated":
				if !strings.Contains(last.text, saysKernteam) && !strings.Contains(last.text, saysAfterAll) {
					t.Errorf("request %s of %s is escalated in Redis, but the last thing the teacher heard (%s) was %q", sr.id, who, last.via, last.text)
				}
			case "offered":
				if strings.Contains(last.text, saysKernteam) || strings.Contains(last.text, saysFailed) {
					t.Errorf("request %s of %s is offered to %s in Redis, but the last thing the teacher heard (%s) was %q", sr.id, who, sr.tried[len(sr.tried)-1], last.via, last.text)
				}
			}
		}
	}
	var st []string
	for s, n := range states {
		st = append(st, fmt.Sprintf("%d %s", n, s))
	}
	sort.Strings(st)
	n := 0
	for range fallback {
		n++
	}
	return fmt.Sprintf("%d teachers, %d requests in Redis (%s), %d told passed on; fallback posts for %d requests; %d chat.postMessage calls",
		len(teachers), len(known), strings.Join(st, ", "), told, n, len(posts))
}

// offerDMsFor are the channels offer k of request id was posted in, when
// one of them is dm.
func offerDMsFor(posts []slackPost, id string, k int, dm string) []string {
	var out []string
	for _, p := range posts {
		if p.channel == dm && slices.Contains(p.refs, buttonRef{action: "accept", request: id, offer: k}) {
			out = append(out, p.channel)
		}
	}
	return out
}

func quoteMsgs(ms []teacherMessage) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s %q", m.via, m.text))
	}
	return strings.Join(parts, "; ")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("(%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// signal sends sig to the redis-server.
func (r *faultRig) signalRedis(sig syscall.Signal) {
	r.t.Helper()
	if err := r.rs.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("redis-server %v: %v", sig, err)
	}
}

// runCases runs the cases of a table side by side, each as a subtest of
// its own. A case spends nearly all its time waiting (for the follow-up,
// for the delivery lease), so they share the one parallel slot of their
// test instead of waiting for go test's (-parallel, the number of CPUs).
func runCases(t *testing.T, names []string, run func(t *testing.T, i int)) {
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { t.Run(name, func(t *testing.T) { run(t, i) }) })
	}
	wg.Wait()
}

// TestFaultRedisStall: Redis stops answering (SIGSTOP) for 3 s while a
// teacher asks for help, then carries on with what was queued for it. The
// teacher's answer must be the truth: the request exists if and only if the
// teacher was told it was passed on, what it owes is delivered once, and no
// later message claims what did not happen.
func TestFaultRedisStall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		away []string
	}{
		{"a helper free", []string{"bram"}},
		{"nobody free", []string{"anne", "bram"}},
	}
	var names []string
	for _, tc := range cases {
		names = append(names, tc.name)
	}
	runCases(t, names, func(t *testing.T, i int) {
		tc := cases[i]
		rig := startFaultRig(t)
		warm := rig.warmUp()
		for _, h := range tc.away {
			rig.away(h)
		}
		marie := &faultTeacher{user: "U0MARIE001", name: "juf.marie", group: "5"}

		rig.signalRedis(syscall.SIGSTOP)
		t.Cleanup(func() { _ = rig.rs.cmd.Process.Signal(syscall.SIGCONT) })
		sent := time.Now()
		answered := make(chan struct{})
		go func() { defer close(answered); marie.ask(rig) }()
		time.Sleep(3 * time.Second)
		rig.signalRedis(syscall.SIGCONT)
		<-answered
		if marie.err != nil {
			t.Fatalf("/hulp groep 5 while Redis stalled got no answer: %v", marie.err)
		}
		t.Logf("answered after %s, Redis stalled for 3s: %q", marie.took.Round(time.Millisecond), marie.answer)
		if marie.took > 2800*time.Millisecond {
			t.Errorf("the answer took %s; Slack waits 3s", marie.took)
		}

		rig.settle(sent.Add(faultFollowUpAfter + 4*time.Second))
		t.Logf("settled %s after the request: %s", time.Since(sent).Round(100*time.Millisecond), rig.checkFault([]*faultTeacher{warm, marie}))
	})
}

// TestFaultKilledInBurst: 40 teachers ask for help at once; while most of
// their requests are in flight (some 50 ms in), hulpbot is killed with
// SIGKILL and started again — or Redis is, and is back with its append-only
// file half a second later. After the delivery lease and the follow-ups, what
// Redis holds, what Slack received and what the teachers were told must
// agree: every request's messages delivered exactly once, and nobody told
// something that did not happen.
func TestFaultKilledInBurst(t *testing.T) {
	t.Parallel()
	const teachers = 40
	cases := []struct {
		name      string
		away      []string
		killRedis bool
	}{
		{"nobody available", []string{"anne", "bram"}, false},
		{"a helper free", []string{"bram"}, false},
		{"redis restarted", []string{"anne", "bram"}, true},
	}
	var names []string
	for _, tc := range cases {
		names = append(names, tc.name)
	}
	runCases(t, names, func(t *testing.T, i int) {
		tc := cases[i]
		rig := startFaultRig(t)
		for _, h := range tc.away {
			rig.away(h)
		}
		ts := make([]*faultTeacher, teachers)
		for i := range ts {
			ts[i] = &faultTeacher{user: fmt.Sprintf("U0TEACH%03d", i), name: fmt.Sprintf("juf.%03d", i), group: strconv.Itoa(i%8 + 1)}
		}
		// The requests are made and signed, and connections opened,
		// before the burst, so they reach hulpbot together.
		reqs := make([]*http.Request, len(ts))
		for i, f := range ts {
			reqs[i] = rig.command(f.user, f.name, "groep "+f.group)
		}
		rig.openConns(len(ts))
		go0 := make(chan struct{})
		quarter := make(chan struct{})
		var answers atomic.Int32
		var wg sync.WaitGroup
		for i, f := range ts {
			wg.Go(func() {
				<-go0
				f.send(rig, reqs[i])
				if answers.Add(1) == teachers/4 {
					close(quarter)
				}
			})
		}
		burst := time.Now()
		close(go0)
		// The crash comes while most requests are in flight: once a
		// quarter of them is answered (some 50 ms in on a quiet
		// machine), at most 2 s in.
		select {
		case <-quarter:
		case <-time.After(2 * time.Second):
		}
		crashed := time.Now()
		inFlight := teachers - int(answers.Load())
		if tc.killRedis {
			// Down for half a second, as a restart that loads its
			// append-only file is.
			rig.rs.stop()
			time.Sleep(500 * time.Millisecond)
			rig.rs.start()
		} else {
			rig.current().kill()
		}
		wg.Wait()
		if !tc.killRedis {
			rig.start()
		}
		t.Logf("crash %s after the burst began, %d of %d requests in flight", crashed.Sub(burst).Round(time.Millisecond), inFlight, teachers)
		answered, failed := 0, 0
		var errs []string
		for _, f := range ts {
			switch {
			case f.err != nil:
				errs = append(errs, f.err.Error())
			case strings.Contains(f.answer, saysFailed):
				failed++
			default:
				answered++
			}
		}
		if len(errs) > 0 {
			t.Logf("first request without an answer: %s", errs[0])
		}
		t.Logf("%d answered passed on, %d answered 'kan niet doorzetten', %d got no answer", answered, failed, len(errs))

		until := burst.Add(faultFollowUpAfter)
		if l := crashed.Add(faultLease); l.After(until) {
			until = l
		}
		rig.settle(until.Add(4 * time.Second))
		t.Logf("settled %s after the burst: %s", time.Since(burst).Round(100*time.Millisecond), rig.checkFault(ts))
	})
}
