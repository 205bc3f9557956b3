package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
)

// privacyCLI runs "hulpbot privacy …" against the configuration and Redis
// of a running hulpbot, as an operator would.
func (s *slackRun) privacyCLI(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(context.Background(), append([]string{"hulpbot", "privacy"}, args...), s.getenv, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// counters are the school's weekly and monthly counters: what an erasure
// must leave as they are.
func (s *slackRun) counters() map[string]map[string]string {
	s.t.Helper()
	ctx := context.Background()
	out := map[string]map[string]string{}
	for _, pat := range []string{":{de-vaart}:week:*", ":{de-vaart}:month:*"} {
		keys, err := s.rdb.Keys(ctx, s.prefix+pat).Result()
		if err != nil {
			s.t.Fatal(err)
		}
		for _, k := range keys {
			m, err := s.rdb.HGetAll(ctx, k).Result()
			if err != nil {
				s.t.Fatal(err)
			}
			out[k] = m
		}
	}
	if len(out) == 0 {
		s.t.Fatal("no counters at all")
	}
	return out
}

type exported struct {
	Platform string `json:"platform"`
	Handle   string `json:"handle"`
	Schools  []struct {
		School       string              `json:"school"`
		ConfiguredAs []string            `json:"configured_as"`
		HelperID     string              `json:"helper_id"`
		Asked        []map[string]string `json:"asked"`
		Helped       []map[string]string `json:"helped"`
		HelperState  map[string]string   `json:"helper_state"`
		ActiveIndex  []string            `json:"active_index"`
		Audit        []map[string]string `json:"audit"`
	} `json:"schools"`
}

func (s *slackRun) export(flag, who string) exported {
	s.t.Helper()
	out, errs, err := s.privacyCLI("export", "-config", s.cfg, flag, who)
	if err != nil {
		s.t.Fatalf("privacy export %s %s: %v\n%s", flag, who, err, errs)
	}
	var e exported
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		s.t.Fatalf("privacy export printed no JSON: %v\n%s", err, out)
	}
	return e
}

// TestPrivacyCommands plays a school's day on Slack, then exports what
// hulpbot holds about a teacher and a helper, refuses to erase the
// teacher while her request is open, erases both once it is closed (their
// exports are empty after, the counters unchanged), and reads the audit
// trail of the coordinator's overviews: all from the command line, against
// the real Redis the running hulpbot wrote.
func TestPrivacyCommands(t *testing.T) {
	s := startSlackWith(t, privacyPeople, "text")
	const (
		marie, sanne, anne = "U0MARIE001", "U0SANNE001", "U0ANNE0001"
	)
	s.hulp(marie, "juf.marie", "groep 5 onrust na gym")
	offer := s.posts("D0ANNE0001", 1)[0]
	s.press(anne, "anne", offer, 0, "anne-accept")
	s.response("anne-accept")
	s.hulp(anne, "anne", "klaar rustig gepraat")
	s.hulp(sanne, "ib.sanne", "overzicht")
	s.hulp(sanne, "ib.sanne", "overzicht csv")
	s.hulp(marie, "juf.marie", "groep 3 ruzie op het plein") // open: offered to Anne
	s.posts("D0ANNE0001", 2)

	e := s.export("-slack", marie)
	if len(e.Schools) != 1 || e.Schools[0].School != "de-vaart" || len(e.Schools[0].Asked) != 2 || len(e.Schools[0].ActiveIndex) != 1 {
		t.Fatalf("marie's export: %+v; want two requests asked at de-vaart, one open", e)
	}
	for _, r := range e.Schools[0].Asked {
		if r["rq_handle"] != marie || r["group"] == "" {
			t.Errorf("marie's request %v", r)
		}
	}
	a := s.export("--slack", anne)
	if len(a.Schools) != 1 || a.Schools[0].HelperID == "" || len(a.Schools[0].Helped) != 2 || len(a.Schools[0].HelperState) == 0 ||
		len(a.Schools[0].ConfiguredAs) != 1 || !strings.HasPrefix(a.Schools[0].ConfiguredAs[0], "helper Anne de Vries") {
		t.Fatalf("anne's export: %+v; want her as helper of two requests, her state and her configuration", a)
	}

	// Open: refused, nothing changed.
	before := s.export("-slack", marie)
	if _, errs, err := s.privacyCLI("erase", "-config", s.cfg, "-slack", marie); err == nil || !strings.Contains(err.Error(), "close or withdraw it first") {
		t.Fatalf("erase with an open request: %v %s; want a refusal", err, errs)
	}
	if after := s.export("-slack", marie); len(after.Schools[0].Asked) != len(before.Schools[0].Asked) {
		t.Errorf("a refused erasure changed marie's data")
	}
	s.hulp(marie, "juf.marie", "annuleer")
	s.settled()
	counters := s.counters()

	out, errs, err := s.privacyCLI("erase", "-config", s.cfg, "-slack", marie)
	if err != nil {
		t.Fatalf("erase: %v\n%s", err, errs)
	}
	if !strings.Contains(out, `"asked": 2`) {
		t.Errorf("erase printed %s; want two requests made anonymous", out)
	}
	if e := s.export("-slack", marie); len(e.Schools) != 0 {
		t.Errorf("after erasure marie's export: %+v; want nothing", e)
	}
	out, errs, err = s.privacyCLI("erase", "-config", s.cfg, "-slack", anne)
	if err != nil {
		t.Fatalf("erase anne: %v\n%s", err, errs)
	}
	if !strings.Contains(out, `"helped": 2`) || !strings.Contains(errs, "still names them as helper Anne de Vries") {
		t.Errorf("erase anne printed %s / %s; want two requests and a word about the configuration", out, errs)
	}
	if a := s.export("-slack", anne); len(a.Schools) != 1 || len(a.Schools[0].Helped) != 0 || len(a.Schools[0].HelperState) != 0 {
		t.Errorf("after erasure anne's export: %+v; want only her configuration", a)
	}
	if got := s.counters(); !maps.EqualFunc(got, counters, maps.Equal) {
		t.Errorf("counters changed by erasure:\n%v\n→\n%v", counters, got)
	}

	out, errs, err = s.privacyCLI("audit", "-config", s.cfg, "-school", "de-vaart")
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, errs)
	}
	var lines []map[string]string
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		t.Fatalf("audit printed no JSON: %v\n%s", err, out)
	}
	if len(lines) != 2 || lines[0]["handle"] != sanne || lines[0]["action"] != "overview" || lines[1]["action"] != "overview_csv" || lines[0]["school"] != "de-vaart" {
		t.Errorf("audit: %v; want Sanne's overview and CSV", lines)
	}
}

func TestPrivacyCommandsBadInput(t *testing.T) {
	cfg := t.TempDir() + "/none.yaml"
	tests := []struct {
		args []string
		want string
	}{
		{nil, "say export, erase or audit"},
		{[]string{"forget"}, `unknown command "forget"`},
		{[]string{"export"}, "-config is required"},
		{[]string{"export", "-config", cfg}, "exactly one of -mattermost USER or -slack MEMBER"},
		{[]string{"erase", "-config", cfg, "-slack", "U1", "-mattermost", "x"}, "exactly one of"},
		{[]string{"audit", "-config", cfg, "-slack", "U1"}, "flag provided but not defined"},
		{[]string{"export", "-config", cfg, "-slack", "U1"}, "none.yaml"},
		{[]string{"audit", "-config", cfg, "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"hulpbot", "privacy"}, tt.args...), func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("privacy %q: %v; want an error with %q", tt.args, err, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("privacy %q printed %q", tt.args, out.String())
		}
	}
}

// hulpAnswer types "/hulp text" as user and returns the ephemeral answer
// as a message whose buttons can be pressed.
func (s *slackRun) hulpAnswer(user, name, text string) (string, slackfake.Call) {
	s.t.Helper()
	s.n++
	status, body, _ := s.post("/slack/command", slackfake.Command{TeamID: "T0DEVAART1", ChannelID: "C0GROEP5A1", UserID: user, UserName: name,
		Text: text, TriggerID: fmt.Sprintf("e2e-trigger-%d", s.n), ResponseURL: s.fake.ResponseURL(fmt.Sprintf("cmd-%d", s.n))}.Form())
	var ans slackfake.Response
	if err := json.Unmarshal(body, &ans); status != http.StatusOK || err != nil {
		s.t.Fatalf("/hulp %s = %d %s (%v)", text, status, body, err)
	}
	blocks, _ := json.Marshal(ans.Blocks)
	return ans.Text, slackfake.Call{Method: "response", Form: url.Values{"blocks": {string(blocks)}}, Channel: "C0GROEP5A1"}
}

// storyLists are de-vaart's success stories as the week's post reads them:
// the unsigned texts, and the signed ones as "text — name".
func (s *slackRun) storyLists() (plain, signed []string) {
	s.t.Helper()
	ctx := context.Background()
	for _, k := range s.rdb.Keys(ctx, s.prefix+":{de-vaart}:stories:*").Val() {
		plain = append(plain, s.rdb.LRange(ctx, k, 0, -1).Val()...)
	}
	for _, k := range s.rdb.Keys(ctx, s.prefix+":{de-vaart}:signed:*").Val() {
		for _, e := range s.rdb.LRange(ctx, k, 0, -1).Val() {
			var st struct{ Text, By string }
			if err := json.Unmarshal([]byte(e), &st); err != nil {
				s.t.Fatalf("signed story %q: %v", e, err)
			}
			signed = append(signed, st.Text+" — "+st.By)
		}
	}
	slices.Sort(plain)
	slices.Sort(signed)
	return plain, signed
}

// TestPrivacySignedStories signs success stories on Slack each way a
// story is signed — #naam, the button "Met mijn naam", a held story shared
// after all — and holds one its author has not decided on; a signature
// from before signatures kept their author is put in Redis as it was then.
// From the command line, a person's export shows their signed and held
// stories (an old signature by the configuration's name, or by a -name
// given), nobody else's; their erasure takes their name off and leaves the
// stories, unsigned, for the week's post, drops their held story unshared,
// and leaves the others' signatures alone.
func TestPrivacySignedStories(t *testing.T) {
	s := startSlackWith(t, privacyPeople, "text")
	const marie, anne, bram = "U0MARIE001", "U0ANNE0001", "U0BRAM0001"
	ctx := context.Background()

	if got := s.hulp(anne, "anne", "succes de kring ging heel rustig #naam"); !strings.Contains(got, "Anne de Vries") {
		t.Fatalf("Anne's signed story: %q", got)
	}
	s.hulp(bram, "bram", "succes samen de gymles gered #naam")
	_, ans := s.hulpAnswer(marie, "juf.marie", "succes de overgang naar buiten ging soepel")
	s.press(marie, "juf.marie", ans, 0, "marie-sign")
	s.response("marie-sign")
	if _, ans = s.hulpAnswer(marie, "juf.marie", "succes Daan bleef de hele dag in de klas #naam"); len(slackfake.Buttons(t, ans)) != 2 {
		t.Fatalf("a story naming a child was not held")
	}
	s.press(marie, "juf.marie", ans, 0, "marie-share")
	if got := s.response("marie-share"); !strings.Contains(got.Text, "Gedeeld") {
		t.Fatalf("Deel toch: %+v", got)
	}
	s.hulpAnswer(marie, "juf.marie", "succes Daan lachte weer #naam") // held, undecided
	// Signed before signatures kept their author: only the name.
	keys := s.rdb.Keys(ctx, s.prefix+":{de-vaart}:signed:*").Val()
	if len(keys) != 1 {
		t.Fatalf("signed story lists %v; want this week's", keys)
	}
	s.rdb.RPush(ctx, keys[0], `{"text":"oude kring","by":"juf.marie"}`, `{"text":"oud plein","by":"Anne de Vries"}`, `{"text":"van een ander","by":"meester Joost"}`)

	stories := func(flag, who string, extra ...string) []map[string]string {
		t.Helper()
		out, errs, err := s.privacyCLI(append([]string{"export", "-config", s.cfg, flag, who}, extra...)...)
		if err != nil {
			t.Fatalf("export %s: %v\n%s", who, err, errs)
		}
		var e struct {
			Schools []struct {
				Stories []map[string]string `json:"stories"`
			} `json:"schools"`
		}
		if err := json.Unmarshal([]byte(out), &e); err != nil {
			t.Fatalf("export printed no JSON: %v\n%s", err, out)
		}
		var all []map[string]string
		for _, sc := range e.Schools {
			all = append(all, sc.Stories...)
		}
		return all
	}
	show := func(v []map[string]string) []string {
		var out []string
		for _, m := range v {
			out = append(out, m["text"]+"|"+m["signed_as"]+"|"+m["held"])
		}
		slices.Sort(out)
		return out
	}

	for _, tt := range []struct {
		name, who string
		extra     []string
		want      []string
	}{
		{"marie", marie, nil, []string{
			"Daan bleef de hele dag in de klas|juf.marie|",
			"Daan lachte weer|juf.marie|held",
			"de overgang naar buiten ging soepel|juf.marie|",
			"||shared", // the mark of her decision, kept a while, without the story
		}},
		{"marie with the name she signed with before", marie, []string{"-name", "Juf.Marie"}, []string{
			"Daan bleef de hele dag in de klas|juf.marie|",
			"Daan lachte weer|juf.marie|held",
			"de overgang naar buiten ging soepel|juf.marie|",
			"oude kring|juf.marie|",
			"||shared",
		}},
		{"anne by her configured name", anne, nil, []string{
			"de kring ging heel rustig|Anne de Vries|",
			"oud plein|Anne de Vries|",
		}},
	} {
		if got := show(stories("-slack", tt.who, tt.extra...)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: export's stories\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}

	out, errs, err := s.privacyCLI("erase", "-config", s.cfg, "-slack", marie, "-name", "juf.marie")
	if err != nil {
		t.Fatalf("erase marie: %v\n%s", err, errs)
	}
	if !strings.Contains(out, `"stories": 3`) || !strings.Contains(out, `"held_stories": 2`) {
		t.Errorf("erase marie printed %s; want 3 signatures off, her held story and her decision's mark gone", out)
	}
	if got := stories("-slack", marie, "-name", "juf.marie"); len(got) != 0 {
		t.Errorf("after erasure marie's stories: %v; want none", got)
	}
	plain, signed := s.storyLists()
	wantPlain := []string{"Daan bleef de hele dag in de klas", "de overgang naar buiten ging soepel", "oude kring"}
	wantSigned := []string{"de kring ging heel rustig — Anne de Vries", "oud plein — Anne de Vries", "samen de gymles gered — Bram Jansen", "van een ander — meester Joost"}
	if !slices.Equal(plain, wantPlain) || !slices.Equal(signed, wantSigned) {
		t.Errorf("after marie's erasure the week's stories are\n%q\n%q\nwant\n%q\n%q", plain, signed, wantPlain, wantSigned)
	}
	for _, k := range s.rdb.Keys(ctx, s.prefix+":{de-vaart}:stories:*").Val() {
		if ttl := s.rdb.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Errorf("%s kept without expiry (%v)", k, ttl)
		}
	}

	if out, errs, err = s.privacyCLI("erase", "-config", s.cfg, "-slack", anne); err != nil || !strings.Contains(out, `"stories": 2`) {
		t.Fatalf("erase anne: %v %s\n%s", err, out, errs)
	}
	if _, signed = s.storyLists(); !slices.Equal(signed, wantSigned[2:]) {
		t.Errorf("after anne's erasure the signed stories are %q; want %q", signed, wantSigned[2:])
	}
}
