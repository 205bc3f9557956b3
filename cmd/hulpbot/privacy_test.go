package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
)

// privacyPeople are de-vaart's helpers and coordinator with names as
// schools give them: their ids are slugs of those names.
const privacyPeople = `    helpers:
      - {name: Anne de Vries, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"], groups: ["3", "4", "5"]}
      - {name: Bram Jansen, role: cjg-coach, slack: U0BRAM0001, schedule: ["altijd"]}
    coordinators:
      - {name: Sanne Bakker, slack: U0SANNE001}
`

// TestSlackLogsNameNobody plays a school's day on Slack with JSON logs —
// requests with notes, an accept, a closing note, declines down to the
// kernteam channel and a pick-up there, a withdrawal, a status, a signed
// success story, "Hielp het?", "wie", the digest on demand with its chart,
// a request with a bad signature and one from a workspace of no school —
// and then looks for every name, username, member id, direct-message
// channel and note in the whole log: none may be there. People the log
// must refer to are there by pseudonym, the same one each time. No Redis
// key name holds any of them either.
func TestSlackLogsNameNobody(t *testing.T) {
	s := startSlackWith(t, privacyPeople, "json")
	const (
		marie, joost, sanne = "U0MARIE001", "U0JOOST001", "U0SANNE001"
		anne, bram          = "U0ANNE0001", "U0BRAM0001"
	)
	notes := []string{"😀👍🏽 *boos* na gym _echt_", "ruzie op het plein", "huilt heel erg", "rustig gepraat met de klas", "Anne hielp super goed"}

	// A request with a note; Anne comes, closes it with a note; Marie says
	// it helped.
	s.hulp(marie, "juf.marie", "groep 5 "+notes[0])
	offer := s.posts("D0ANNE0001", 1)[0]
	if txt := slackfake.BlockText(t, offer); !strings.Contains(txt, "😀👍🏽 *boos* na gym _echt_") {
		t.Errorf("Anne's offer reads %q; want the note as typed", txt)
	}
	s.press(anne, "anne", offer, 0, "anne-accept")
	s.response("anne-accept")
	s.hulp(anne, "anne", "klaar "+notes[3])
	resolved := s.posts("D0MARIE001", 2)[1]
	s.press(marie, "juf.marie", resolved, 0, "marie-pulse")
	s.response("marie-pulse")

	// Anne and Bram cannot; the kernteam channel has it, Joost picks it up.
	s.hulp(marie, "juf.marie", "groep 3 "+notes[1])
	s.press(anne, "anne", s.posts("D0ANNE0001", 2)[1], 1, "anne-decline")
	s.response("anne-decline")
	s.press(bram, "bram", s.posts("D0BRAM0001", 1)[0], 1, "bram-decline")
	s.response("bram-decline")
	s.press(joost, "meester.joost", s.posts("C0KERNTEAM", 1)[0], 0, "joost-pickup")
	s.response("joost-pickup")

	// A request withdrawn; Bram away; a signed story; who; the digest.
	s.hulp(marie, "juf.marie", "groep 4 "+notes[2])
	s.posts("D0ANNE0001", 3)
	s.hulp(marie, "juf.marie", "annuleer")
	s.hulp(bram, "bram", "afwezig")
	s.hulp(marie, "juf.marie", "succes "+notes[4]+" #Marie")
	s.hulp(joost, "meester.joost", "wie")
	if got := s.hulp(sanne, "ib.sanne", "overzicht"); !strings.Contains(got, "Overzicht") {
		t.Errorf("Sanne's summary: %q", got)
	}
	s.posts("D0SANNE001", 1) // the chart
	// One request stays open: Marie's index of active requests is there.
	s.hulp(marie, "juf.marie", "groep 5 "+notes[1])
	s.posts("D0ANNE0001", 4)

	// Refused: a bad signature; a workspace linked to no school.
	body := []byte(slackfake.Command{TeamID: "T0DEVAART1", UserID: "U0MALLORY1", UserName: "mallory", Text: "groep 5 " + notes[1], TriggerID: "x"}.Form().Encode())
	req, _ := http.NewRequest(http.MethodPost, s.base+"/slack/command", bytes.NewReader(body))
	slackfake.Sign(req.Header, "wrong-secret", time.Now(), body)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad signature: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if status, b, _ := s.post("/slack/command", slackfake.Command{TeamID: "T0ELSEWHERE", UserID: "U0OLGA0001", UserName: "juf.olga",
		Text: "groep 5", TriggerID: "elsewhere-1", ResponseURL: s.fake.ResponseURL("olga")}.Form()); status != http.StatusOK {
		t.Fatalf("unlinked workspace: %d %s", status, b)
	}
	s.settled()

	log := s.logs.String()
	forbidden := append([]string{
		"Anne de Vries", "Bram Jansen", "Sanne Bakker", "anne-de-vries", "bram-jansen", "sanne-bakker",
		"juf.marie", "meester.joost", "ib.sanne", "mallory", "juf.olga",
		marie, joost, sanne, anne, bram, "U0MALLORY1", "U0OLGA0001",
		"D0MARIE001", "D0JOOST001", "D0SANNE001", "D0ANNE0001", "D0BRAM0001",
		"😀", "boos", "#Marie",
	}, notes...)
	for _, w := range forbidden {
		if strings.Contains(strings.ToLower(log), strings.ToLower(w)) {
			t.Errorf("the log holds %q", w)
		}
	}
	if m := regexp.MustCompile(`(?i)\b(anne|bram|marie|joost|sanne|mallory|olga)\b`).FindString(log); m != "" {
		t.Errorf("the log holds the name %q", m)
	}

	// Every line is JSON; the helper of a request is named by one
	// pseudonym throughout.
	pseudonym := regexp.MustCompile(`^[0-9a-f]{16}$`)
	helpers := map[string]map[string]bool{} // request → pseudonyms it was logged with
	lines := 0
	for line := range strings.SplitSeq(strings.TrimSpace(log), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		lines++
		h, ok := rec["helper"].(string)
		if !ok || h == "" {
			continue
		}
		if !pseudonym.MatchString(h) {
			t.Errorf("%s: helper %q, want a pseudonym", rec["msg"], h)
		}
		if r, ok := rec["request"].(string); ok {
			if helpers[r] == nil {
				helpers[r] = map[string]bool{}
			}
			helpers[r][h] = true
		}
	}
	if lines < 20 || len(helpers) == 0 {
		t.Errorf("%d log lines, %d requests with a helper: the story did not run", lines, len(helpers))
	}
	anneIs := ""
	for r, hs := range helpers {
		if len(hs) > 2 {
			t.Errorf("request %s was logged with %d helper pseudonyms, want at most 2 (Anne, then Bram)", r, len(hs))
		}
		if len(hs) == 1 {
			for h := range hs {
				if anneIs != "" && anneIs != h {
					t.Errorf("requests only Anne handled are logged under %s and %s", anneIs, h)
				}
				anneIs = h
			}
		}
	}

	// No key name holds a person; Marie's index is named by pseudonym.
	keys, err := s.rdb.Keys(context.Background(), s.prefix+":*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v, %v", keys, err)
	}
	mine := regexp.MustCompile(`:\{de-vaart\}:mine:[0-9a-f]{16}$`)
	if !slices.ContainsFunc(keys, mine.MatchString) {
		t.Errorf("no index of active requests named by pseudonym among\n%s", strings.Join(keys, "\n"))
	}
	for _, k := range keys {
		for _, w := range forbidden {
			if strings.Contains(strings.ToLower(k), strings.ToLower(w)) {
				t.Errorf("key %s holds %q", k, w)
			}
		}
	}
}
