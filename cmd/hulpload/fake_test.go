package main

import (
	"context"
	"encoding/json"
	"gopkg.in/yaml.v3"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func pidSelf() int { return os.Getpid() }

func startTestFake(t *testing.T) *Fake {
	t.Helper()
	f, err := StartFake("127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// TestFakeRecordsWhatSlackGoSends drives the fake with slack-go, the
// client hulpbot uses, the way its sender does.
func TestFakeRecordsWhatSlackGoSends(t *testing.T) {
	f := startTestFake(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(f.APIURL()))
	ctx := context.Background()
	helper := HelperUser(4, 2)
	wait := f.Expect(99, 1)

	ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{helper}, ReturnIM: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch.ID != dmChannel(helper) {
		t.Errorf("DM channel %q, want %q", ch.ID, dmChannel(helper))
	}
	before := time.Now()
	accept := slack.NewButtonBlockElement("hulpbot.accept.0", "hb1:accept:req42:1", slack.NewTextBlockObject(slack.PlainTextType, "Ik kom eraan", true, false))
	decline := slack.NewButtonBlockElement("hulpbot.decline.1", "hb1:decline:req42:1", slack.NewTextBlockObject(slack.PlainTextType, "Kan nu niet", true, false))
	_, ts, err := api.PostMessageContext(ctx, ch.ID,
		slack.MsgOptionText("Kun je even helpen? Toelichting: "+Token(99), false),
		slack.MsgOptionBlocks(slack.NewActionBlock("hulpbot_actions", accept, decline)))
	if err != nil {
		t.Fatal(err)
	}
	if ts == "" {
		t.Error("no ts")
	}
	// A channel by name is found through conversations.list.
	chans, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{})
	if err != nil || len(chans) == 0 {
		t.Fatalf("conversations.list: %v %v", chans, err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C0KERNTEAM", slack.MsgOptionText("escalated "+Token(100), false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C0NOWHERE", slack.MsgOptionText("x", false)); err == nil {
		t.Error("posting to an unknown channel succeeded")
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch.ID, ts, slack.MsgOptionText("bijgewerkt", false)); err != nil {
		t.Fatal(err)
	}
	// A response_url post.
	resp, err := http.Post(f.ResponseURL("r1"), "application/json", strings.NewReader(`{"text":"ok `+Token(101)+`","replace_original":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	select {
	case d := <-wait:
		if d.User != helper || d.RequestID != "req42" || d.OfferNo != 1 || d.Seq != 99 || d.At.Before(before) {
			t.Errorf("offer delivery %+v", d)
		}
		b, ok := d.button("decline")
		if !ok || b.ActionID != "hulpbot.decline.1" {
			t.Errorf("decline button %+v %v", b, ok)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("waiter not told of the offer")
	}
	ds := f.Deliveries()
	var methods []string
	for _, d := range ds {
		methods = append(methods, d.Method+"/"+d.Channel)
	}
	want := []string{"chat.postMessage/" + ch.ID, "chat.postMessage/C0KERNTEAM", "chat.update/" + ch.ID, "response/r1"}
	if strings.Join(methods, " ") != strings.Join(want, " ") {
		t.Errorf("deliveries %v, want %v", methods, want)
	}
	if ds[1].User != "" || ds[1].Seq != 100 || ds[3].Seq != 101 {
		t.Errorf("channel post %+v, response %+v", ds[1], ds[3])
	}
	calls := f.Calls()
	if calls["chat.postMessage"] != 3 || calls["conversations.open"] != 1 || calls["response"] != 1 {
		t.Errorf("calls %v", calls)
	}
	idx := offers(ds)
	if _, ok := idx[offerKey{99, 1}]; !ok || len(idx) != 1 {
		t.Errorf("offers index %v", idx)
	}
}

func TestFakeRefusesNonLoopback(t *testing.T) {
	if _, err := StartFake("0.0.0.0:0", 0); err == nil {
		t.Error("fake listens beyond loopback")
	}
}

func TestFakeUploads(t *testing.T) {
	f := startTestFake(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(f.APIURL()))
	_, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader: strings.NewReader("png"), FileSize: 3, Filename: "chart.png", Title: "chart", Channel: "C0COORDIN",
	})
	if err != nil {
		t.Fatalf("files upload: %v", err)
	}
	if f.Calls()["upload"] != 1 {
		t.Errorf("calls %v", f.Calls())
	}
}

func TestDMLatencyMatching(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	reqs := []*sentRequest{
		{Seq: 1, At: t0, Outcome: Offered},
		{Seq: 2, At: t0.Add(time.Second), Outcome: Offered},
		{Seq: 3, At: t0, Outcome: Escalated},
		{Seq: 4, At: t0, Outcome: Offered}, // its DM never came
	}
	ds := []Delivery{
		{Method: "chat.postMessage", User: "U1", Seq: 1, OfferNo: 1, At: t0.Add(3 * time.Millisecond)},
		{Method: "chat.postMessage", User: "U1", Seq: 1, OfferNo: 1, At: t0.Add(time.Second)}, // a repeat: the first counts
		{Method: "chat.postMessage", User: "U2", Seq: 2, OfferNo: 1, At: t0.Add(time.Second + 7*time.Millisecond)},
		{Method: "chat.postMessage", User: "U3", Seq: 2, OfferNo: 2, At: t0.Add(time.Minute)},
		{Method: "chat.postMessage", Seq: 3, At: t0.Add(time.Millisecond)}, // the fallback channel
	}
	s, missing := dmLatency(reqs, ds)
	if s.N != 2 || s.Min != 3 || s.Max != 7 || missing != 1 {
		t.Errorf("summary %+v missing %d", s, missing)
	}
}

func TestConfigLoadsInHulpbot(t *testing.T) {
	l := Layout{
		Schools: 3, Helpers: 4, Listen: "127.0.0.1:18080", MetricsListen: "127.0.0.1:18081", RedisURL: "redis://127.0.0.1:6379/0",
		RedisPrefix: "hltest", OfferTimeout: 30 * time.Second, FollowUp: time.Hour,
		Secret: "s3cr3t-for-test", APIURL: "http://127.0.0.1:18099/api/",
	}
	b, err := l.Config()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hulpbot.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	checkHulpbotConfig(t, path, l)

	back, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if back != l {
		t.Errorf("read back %+v, want %+v", back, l)
	}
	if _, err := (Layout{Schools: 0, Helpers: 1}).Config(); err == nil {
		t.Error("no error for 0 schools")
	}
}

func TestGoMetrics(t *testing.T) {
	text := `# HELP go_goroutines Number of goroutines.
# TYPE go_goroutines gauge
go_goroutines 27
go_memstats_heap_inuse_bytes 6.5011712e+06
go_memstats_sys_bytes 1.8123e+07
go_memstats_heap_objects 27656
go_gc_duration_seconds{quantile="0"} 1e-05
`
	m := parseGoMetrics(strings.NewReader(text))
	if m.Goroutines != 27 || m.HeapInuseMB != 6.2 || m.SysMB != 17.3 || m.HeapObjects != 27656 {
		t.Errorf("%+v", m)
	}
}

func TestWrkFile(t *testing.T) {
	f := startTestFake(t)
	e := &Env{Layout: Layout{Schools: 3, Helpers: 2, Secret: "wrk-secret"}, Fake: f}
	path := filepath.Join(t.TempDir(), "wrk.txt")
	if err := writeWrkFile(path, e, 7); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines", len(lines))
	}
	triggers := map[string]bool{}
	for i, line := range lines {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("line %d: %q", i, line)
		}
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", parts[0])
		h.Set("X-Slack-Signature", parts[1])
		sv, err := slack.NewSecretsVerifier(h, "wrk-secret")
		if err != nil {
			t.Fatal(err)
		}
		sv.Write([]byte(parts[2]))
		if err := sv.Ensure(); err != nil {
			t.Errorf("line %d: %v", i, err)
		}
		v, _ := url.ParseQuery(parts[2])
		if v.Get("team_id") != TeamID(i%3) {
			t.Errorf("line %d team %s", i, v.Get("team_id"))
		}
		triggers[v.Get("trigger_id")] = true
	}
	if len(triggers) != 7 {
		t.Errorf("trigger ids repeat: %v", triggers)
	}
}

// TestEndToEndAgainstStandIn runs the notify cycle against a stand-in for
// hulpbot that checks signatures and answers like it: what is measured
// here is hulpload's own bookkeeping.
func TestEndToEndAgainstStandIn(t *testing.T) {
	f := startTestFake(t)
	secret := "standin-secret"
	api := slack.New("xoxb", slack.OptionAPIURL(f.APIURL()))
	mux := http.NewServeMux()
	verify := func(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
		body, _ := io.ReadAll(r.Body)
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return nil, false
		}
		return body, true
	}
	var n atomic.Int64
	mux.HandleFunc("POST /slack/command", func(w http.ResponseWriter, r *http.Request) {
		body, ok := verify(w, r)
		if !ok {
			return
		}
		v, _ := url.ParseQuery(string(body))
		text := v.Get("text")
		if strings.HasPrefix(text, "groep") {
			id := "req" + strconv.FormatInt(n.Add(1), 10)
			school := strings.TrimPrefix(v.Get("team_id"), "TL")
			helper := "UH" + school + "0000"
			accept := slack.NewButtonBlockElement("hulpbot.accept.0", "hb1:accept:"+id+":1", slack.NewTextBlockObject(slack.PlainTextType, "Ik kom eraan", true, false))
			go api.PostMessage(dmChannel(helper), slack.MsgOptionText("Hulpvraag "+text, false), slack.MsgOptionBlocks(slack.NewActionBlock("a", accept)))
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": "Je hulpvraag voor groep 5 is doorgezet naar Anne (jeugdhulpverlener)."})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"text": "klaar"})
	})
	mux.HandleFunc("POST /slack/interactivity", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := verify(w, r); ok {
			w.WriteHeader(http.StatusOK)
		}
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
	srv := &http.Server{Handler: mux}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	e := &Env{Layout: Layout{Schools: 2, Helpers: 2, Secret: secret}, Target: "http://" + ln.Addr().String(), Fake: f,
		hc: &http.Client{Timeout: 5 * time.Second}, log: discardLog()}
	r := &runner{o: Options{DMTimeout: 5 * time.Second}, log: discardLog(), res: &Result{}}
	r.seq.Store(0)
	led := newLedger()
	var intake, acc, res Recorder
	got, _ := drive(context.Background(), 20, 10*time.Second, 4, 0, func(ctx context.Context, i int) {
		r.cycle(ctx, e, led, &intake, &acc, &res, i)
	})
	if got != 20 || r.errs.total() != 0 {
		t.Fatalf("ran %d, errors %s", got, r.errs.String())
	}
	dm, missing := dmLatency(led.all(), f.Deliveries())
	if dm.N != 20 || missing != 0 || intake.Len() != 20 || acc.Len() != 20 || res.Len() != 20 {
		t.Errorf("dm %+v missing %d intake %d accept %d resolve %d", dm, missing, intake.Len(), acc.Len(), res.Len())
	}
	if r.outcomes(led)[Offered] != 20 {
		t.Errorf("outcomes %v", r.outcomes(led))
	}
	// A wrong secret is refused by the stand-in, and counted as an error.
	e.Layout.Secret = "wrong"
	r.cycle(context.Background(), e, led, &intake, &acc, &res, 0)
	if r.errs.total() != 1 {
		t.Errorf("errors after a bad signature: %s", r.errs.String())
	}
}

// TestConfigPools: with -pool 5, schools 0–4 have the same helpers (Slack
// ids and names), school 5 others; the configuration loads in hulpbot.
func TestConfigPools(t *testing.T) {
	l := Layout{
		Schools: 7, Helpers: 2, Pool: 5, Listen: "127.0.0.1:18080", RedisURL: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001",
		RedisPrefix: "hltest", OfferTimeout: 30 * time.Second, FollowUp: time.Hour,
		Secret: "s3cr3t-for-test", APIURL: "http://127.0.0.1:18099/api/",
	}
	b, err := l.Config()
	if err != nil {
		t.Fatal(err)
	}
	var c yamlConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for s, sc := range c.Schools {
		owner := 0
		if s >= 5 {
			owner = 5
		}
		for h, hp := range sc.Helpers {
			if hp.Slack != HelperUser(owner, h) || hp.Name != helperDisplay(owner, h) {
				t.Errorf("school %d helper %d = %s %q, want %s's", s, h, hp.Slack, hp.Name, SchoolID(owner))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "hulpbot.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	checkHulpbotConfig(t, path, l)
}
