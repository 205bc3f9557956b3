package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
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
