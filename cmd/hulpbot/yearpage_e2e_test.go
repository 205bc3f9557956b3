package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/slackbot"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

// The year overview in a real browser: hulpbot runs with two schools on a
// fake Slack and a real Redis; the school year is seeded through signed
// Slack commands and clicks; coordinators ask for their link with
// "/hulp overzicht web"; headless Chromium opens the link it got by DM,
// and the test reads the page Chromium rendered and its screenshot.

const yearConfig = `listen: %q
slack:
  bot_token: ${HULPBOT_SLACK_BOT_TOKEN}
  signing_secret: ${HULPBOT_SLACK_SIGNING_SECRET}
  api_url: %q
web:
  public_url: %q
  secret: 0123456789abcdef-e2e-web
schools:
  - id: de-vaart
    name: Kindcentrum De Vaart
    slack_team: T0DEVAART1
    groups: ["3", "4", "5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, slack: U0ANNE0001, schedule: ["altijd"], groups: ["3", "4", "5"]}
      - {name: Bram, role: cjg-coach, slack: U0BRAM0001, schedule: ["altijd"]}
    coordinators:
      - {name: Sanne, slack: U0SANNE001}
  - id: de-linde
    name: Basisschool De Linde
    slack_team: T0DELINDE1
    groups: ["6", "7"]
    fallback_channel: zorg
    helpers:
      - {name: Cas, role: jeugdhulpverlener, slack: U0CAS00001, schedule: ["altijd"]}
    coordinators:
      - {name: Karim, slack: U0KARIM001}
samenwerkingsverbanden:
  - id: swv-vaart-linde
    name: Samenwerkingsverband Vaart en Linde
    coordinators:
      - {name: Marieke, slack: U0MARIEKE1}
    schools: [de-vaart, de-linde]
`

type yearRun struct {
	t      *testing.T
	base   string
	fake   *slackfake.Server
	rdb    *redis.Client
	prefix string
	n      int

	lastAnswer string
}

func startYear(t *testing.T) *yearRun {
	t.Helper()
	return startYearWith(t, yearConfig, nil)
}

// startYearWith is startYear with another configuration (yearConfig's
// placeholders), and locales set on the fake Slack before hulpbot starts.
func startYearWith(t *testing.T, config string, locales map[string]string) *yearRun {
	t.Helper()
	redisURL := testRedisURL(t)
	addr := freeAddr(t)
	fake := slackfake.New(t)
	for id, l := range locales {
		fake.SetLocale(id, l)
	}
	cfg := filepath.Join(t.TempDir(), "hulpbot.yaml")
	writeFile(t, cfg, fmt.Sprintf(config, addr, fake.APIURL(), "http://"+addr))
	getenv := env(t, map[string]string{
		"REDIS_URL":                    redisURL,
		"HULPBOT_SLACK_BOT_TOKEN":      "xoxb-e2e",
		"HULPBOT_SLACK_SIGNING_SECRET": slackSecret,
	})
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hulpbot", "-config", cfg}, getenv, strings.NewReader(""), io.Discard, logs)
	}()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("hulpbot did not stop")
			}
			if t.Failed() {
				t.Logf("hulpbot log:\n%s", logs.String())
			}
		})
	})
	base := "http://" + addr
	waitFor(t, base+"/healthz")
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return &yearRun{t: t, base: base, fake: fake, rdb: rdb, prefix: getenv("HULPBOT_REDIS_PREFIX")}
}

func (y *yearRun) post(path string, form url.Values) {
	y.postFull(path, form)
}

func (y *yearRun) postFull(path string, form url.Values) slackfake.Response {
	y.t.Helper()
	body := []byte(form.Encode())
	req, _ := http.NewRequest(http.MethodPost, y.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slackfake.Sign(req.Header, slackSecret, time.Now(), body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		y.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		y.t.Fatalf("%s = %d %s", path, resp.StatusCode, b)
	}
	var ans slackfake.Response
	if path == "/slack/command" {
		_ = json.Unmarshal(b, &ans)
		y.lastAnswer = ans.Text
	}
	return ans
}

// hulp types "/hulp text" in team as user and returns the answer.
func (y *yearRun) hulp(team, user, text string) string {
	y.t.Helper()
	y.n++
	y.post("/slack/command", slackfake.Command{TeamID: team, ChannelID: "C0GROEP001", UserID: user, UserName: strings.ToLower(user),
		Text: text, TriggerID: fmt.Sprintf("year-trigger-%d", y.n), ResponseURL: y.fake.ResponseURL(fmt.Sprintf("year-cmd-%d", y.n))}.Form())
	return y.lastAnswer
}

// press clicks button i of message m and returns the id of the click's
// response_url.
func (y *yearRun) press(team, user string, m slackfake.Call, i int) string {
	y.t.Helper()
	y.n++
	b := slackfake.Buttons(y.t, m)[i]
	id := fmt.Sprintf("year-click-%d", y.n)
	y.post("/slack/interactivity", slackfake.Click{TeamID: team, UserID: user, UserName: strings.ToLower(user), ChannelID: m.Channel,
		MessageTS: "1764150000.000001", ResponseURL: y.fake.ResponseURL(id),
		TriggerID: id, ActionTS: fmt.Sprintf("1764150061.%06d", y.n), Button: b}.Form())
	return id
}

// close types "/hulp klaar" as helper and taps the kind of support and the
// outcome (button numbers) under the reply, as a helper does.
func (y *yearRun) close(team, helper string, support, outcome int) {
	y.t.Helper()
	y.n++
	ans := y.postFull("/slack/command", slackfake.Command{TeamID: team, ChannelID: "D" + helper[1:], UserID: helper, UserName: strings.ToLower(helper),
		Text: "klaar", TriggerID: fmt.Sprintf("year-klaar-%d", y.n), ResponseURL: y.fake.ResponseURL(fmt.Sprintf("year-klaar-%d", y.n))}.Form())
	id := y.press(team, helper, asCall(y.t, ans), support)
	y.fake.Wait(y.t, "the outcome question", 5*time.Second, func([]slackfake.Call) bool { return len(y.fake.Responses(id)) > 0 })
	id = y.press(team, helper, asCall(y.t, y.fake.Responses(id)[0]), outcome)
	y.fake.Wait(y.t, "the thanks", 5*time.Second, func([]slackfake.Call) bool { return len(y.fake.Responses(id)) > 0 })
	if got := y.fake.Responses(id)[0].Text; !strings.Contains(got, "genoteerd") {
		y.t.Fatalf("after the outcome: %q", got)
	}
}

func (y *yearRun) posts(channel string, n int) []slackfake.Call {
	y.t.Helper()
	y.fake.Wait(y.t, fmt.Sprintf("%d messages in %s", n, channel), 5*time.Second, func([]slackfake.Call) bool {
		return len(y.fake.Posted(channel)) >= n
	})
	return y.fake.Posted(channel)
}

var linkRE = regexp.MustCompile(`http://\S+/overzicht/open\?t=\S+`)

// link asks for the year overview as user in team and returns the link the
// DM brought.
func (y *yearRun) link(team, user string) string {
	y.t.Helper()
	dm := "D" + user[1:]
	before := len(y.fake.Posted(dm))
	if got := y.hulp(team, user, "overzicht web"); !strings.Contains(got, "persoonlijke link") || strings.Contains(got, "http") {
		y.t.Fatalf("answer to overzicht web: %q", got)
	}
	msg := y.posts(dm, before+1)[before].Form.Get("text")
	l := linkRE.FindString(msg)
	if l == "" {
		y.t.Fatalf("no link in the DM %q", msg)
	}
	return l
}

// seed plays a school year's worth of work through the real commands.
func (y *yearRun) seed() {
	y.t.Helper()
	const vaart, linde = "T0DEVAART1", "T0DELINDE1"
	// De Vaart, 1: Anne comes, closes (Kort gesprek, kon in de groep
	// blijven); Marie answers "Hielp het?" with 👍.
	y.hulp(vaart, "U0MARIE001", "groep 5")
	offer := y.posts("D0ANNE0001", 1)[0]
	y.press(vaart, "U0ANNE0001", offer, 0)
	y.close(vaart, "U0ANNE0001", 0, 0)
	closed := y.posts("D0MARIE001", 2)[1]
	y.press(vaart, "U0MARIE001", closed, 0)
	// 2: Anne and Bram cannot: the kernteam channel gets it.
	y.hulp(vaart, "U0MARIE001", "groep 3")
	y.press(vaart, "U0ANNE0001", y.posts("D0ANNE0001", 2)[1], 1)
	y.press(vaart, "U0BRAM0001", y.posts("D0BRAM0001", 1)[0], 1)
	y.posts("C0KERNTEAM", 1)
	y.hulp(vaart, "U0MARIE001", "annuleer")
	// 3: Anne accepts in the chat and closes.
	y.hulp(vaart, "U0JOOST001", "groep 4")
	y.posts("D0ANNE0001", 3)
	y.hulp(vaart, "U0ANNE0001", "ok")
	y.close(vaart, "U0ANNE0001", 0, 0)
	// De Linde: two requests, Cas comes to both and gives tips (the fourth
	// kind); one could stay in the group, one went out for a while.
	for i, g := range []string{"groep 6", "groep 7"} {
		y.hulp(linde, "U0PIET0001", g)
		y.press(linde, "U0CAS00001", y.posts("D0CAS00001", i+1)[i], 0)
		y.close(linde, "U0CAS00001", 3, i)
	}
}

// survey answers the pulse survey about month as staff do: its question
// is rendered for Slack as hulpbot sends it by DM, and each person taps
// an answer through a signed Slack request. (hulpbot sends the pulse about
// a month in the month after, on the school's survey cron; a test today
// cannot wait for it.)
func (y *yearRun) survey(team string, sc *bot.School, month string, answer int, people ...string) {
	y.t.Helper()
	q := catalog.SurveyQuestion(sc, "nl", bot.SurveyPulse, month, "supported", time.Now().Add(time.Hour))
	p, err := slackbot.MessagePayload(q)
	if err != nil {
		y.t.Fatal(err)
	}
	b, err := json.Marshal(p.Blocks)
	if err != nil {
		y.t.Fatal(err)
	}
	m := slackfake.Call{Method: "chat.postMessage", Form: url.Values{"blocks": {string(b)}}}
	for _, who := range people {
		m.Channel = "D" + who[1:]
		id := y.press(team, who, m, answer-1)
		y.fake.Wait(y.t, "the thanks for the answer", 5*time.Second, func([]slackfake.Call) bool { return len(y.fake.Responses(id)) > 0 })
		if got := y.fake.Responses(id)[0].Text; !strings.Contains(got, "telt anoniem mee") {
			y.t.Fatalf("%s's answer: %q", who, got)
		}
	}
}

// counters sets what the commands of this test cannot make: a month of
// the previous school year, in the keys and fields the store reads.
func (y *yearRun) counters(now time.Time) {
	y.t.Helper()
	ctx := context.Background()
	k := func(school, rest string) string { return y.prefix + ":{" + school + "}:" + rest }
	lastYear := bot.MonthOf(now.AddDate(-1, 0, 0))
	must := func(err error) {
		if err != nil {
			y.t.Fatal(err)
		}
	}
	must(y.rdb.HSet(ctx, k("de-vaart", "month:"+lastYear), "requests", 7).Err())
	y.rdb.Expire(ctx, k("de-vaart", "month:"+lastYear), time.Hour)
}

// chromium is the browser the test drives, or a skip.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: install it (apt-get install -y chromium) to test the year overview in a real browser")
	return ""
}

// browse loads u in headless Chromium with a fresh profile, and returns
// the DOM it rendered; with shot, it also saves a screenshot there. The
// virtual time budget lets the opening page's refresh to the overview run
// before the DOM is read.
func browse(t *testing.T, bin, u, shot string) string {
	t.Helper()
	switch {
	case shot == "":
		return chrome(t, bin, u, "--dump-dom")
	case strings.HasSuffix(shot, ".pdf"):
		// Afdrukken → PDF: the print stylesheet, A4.
		return chrome(t, bin, u, "--print-to-pdf="+shot, "--no-pdf-header-footer")
	}
	return chrome(t, bin, u, "--screenshot="+shot, "--window-size=1000,1400")
}

// phone takes a screenshot of u as a phone shows it.
func phone(t *testing.T, bin, u, shot string) {
	t.Helper()
	chrome(t, bin, u, "--screenshot="+shot, "--window-size=390,844", "--force-device-scale-factor=2")
}

func chrome(t *testing.T, bin, u string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=5000"}, extra...)
	var out, errs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(args, u)...)
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", u, err, errs.String())
	}
	return out.String()
}

func wantIn(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

func TestYearOverviewInBrowser(t *testing.T) {
	bin := chromium(t)
	y := startYear(t)
	y.seed()
	y.counters(time.Now().In(mustLoc(t)))
	month := time.Now().In(mustLoc(t)).Format("2006-01")
	// The pulse survey: 3 answers at De Vaart (too few), 4 at De Linde;
	// together 7, enough for an average: (4·3 + 5·4) / 7 = 4,6.
	y.survey("T0DEVAART1", mustSchool(t, "de-vaart", "Kindcentrum De Vaart"), month, 4, "U0MARIE001", "U0JOOST001", "U0EVA00001")
	y.survey("T0DELINDE1", mustSchool(t, "de-linde", "Basisschool De Linde"), month, 5, "U0PIET0001", "U0LIES0001", "U0TOM00001", "U0SARA0001")

	// Sanne, De Vaart's IB'er, opens her link in Chromium.
	sanne := y.link("T0DEVAART1", "U0SANNE001")
	dom := browse(t, bin, sanne, "")
	_ = os.WriteFile(artifact(t, "de-vaart.html"), []byte(dom), 0o644)
	wantIn(t, "De Vaart's page", dom,
		"Jaaroverzicht Kindcentrum De Vaart", "Schooljaar "+bot.SchoolYearOf(time.Now().In(mustLoc(t))).String(),
		`<th scope="row">Hulpvragen</th><td class="num">3</td>`,
		`<th scope="row">Doorgezet naar het kanaal</th><td class="num">1</td>`,
		`<th scope="row">Afgesloten</th><td class="num">2</td>`,
		// Kinds of support and outcomes as tapped, in the catalogue's words.
		`<text class="lbl" x="222" y="20" text-anchor="end">Kort gesprek</text><rect class="bar s1" x="230" y="4" width="400" height="20"></rect><text class="val" x="636" y="20">2</text>`,
		`<text class="lbl" x="222" y="20" text-anchor="end">Kon in de groep blijven</text><rect class="bar s1" x="230" y="4" width="400" height="20"></rect><text class="val" x="636" y="20">2</text>`,
		"Ik voel me gesteund bij lastige situaties in mijn groep.", "te weinig antwoorden", // 3 answers
		"Vergelijking met vorig schooljaar", `<td class="num prev">7</td>`,
		"<svg", "overzicht.csv")
	if strings.Contains(dom, "De Linde") {
		t.Error("De Vaart's page shows De Linde")
	}

	// Karim of De Linde: his link opens De Linde, not De Vaart.
	karim := y.link("T0DELINDE1", "U0KARIM001")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if code, body := fetch(t, c, karim); code != 200 {
		t.Fatalf("Karim's link: %d %s", code, body)
	}
	if code, body := fetch(t, c, y.base+"/overzicht/school/de-linde/"); code != 200 || !strings.Contains(body, "Basisschool De Linde") {
		t.Errorf("Karim's page: %d", code)
	}
	if code, body := fetch(t, c, y.base+"/overzicht/school/de-vaart/"); code != http.StatusForbidden || !strings.Contains(body, "persoonlijke link") {
		t.Errorf("Karim at De Vaart: %d %s", code, body)
	}
	if got := y.hulp("T0DEVAART1", "U0KARIM001", "overzicht web"); !strings.Contains(got, "alleen voor") {
		t.Errorf("Karim asking at De Vaart: %q", got)
	}

	// The CSV of De Linde, in Karim's session.
	code, csv := fetch(t, c, y.base+"/overzicht/school/de-linde/overzicht.csv")
	if code != 200 || !strings.HasPrefix(csv, "\ufeffmaand;hulpvragen;meedenkvragen;geaccepteerd;") {
		t.Fatalf("csv: %d %q", code, csv[:min(len(csv), 200)])
	}
	wantIn(t, "De Linde's CSV", csv, "\n"+month+";2;0;2;", "begeleiding: Tips voor de leerkracht", "uitkomst: Even uit de groep", "toelichting")

	// Marieke of the samenwerkingsverband: both schools and the sum.
	marieke := y.link("T0DELINDE1", "U0MARIEKE1")
	shot := artifact(t, "swv.png")
	dom = browse(t, bin, marieke, "")
	wantIn(t, "the samenwerkingsverband's page", dom,
		"Jaaroverzicht Samenwerkingsverband Vaart en Linde", "Kindcentrum De Vaart", "Basisschool De Linde",
		`<th scope="row">Hulpvragen</th><td class="num">3</td><td class="num">2</td><td class="num">5</td>`,
		"4,6") // the pulse survey's 7 answers together
	// From there, each of its schools on its own page.
	mc := &http.Client{Jar: yearMust(cookiejar.New(nil))}
	fetch(t, mc, marieke)
	if code, body := fetch(t, mc, y.base+"/overzicht/swv/swv-vaart-linde/school/de-vaart/"); code != 200 ||
		!strings.Contains(body, "Jaaroverzicht Kindcentrum De Vaart") || !strings.Contains(body, `<th scope="row">Hulpvragen</th><td class="num">3</td>`) {
		t.Errorf("De Vaart within the samenwerkingsverband: %d", code)
	}
	browse(t, bin, marieke, shot)
	checkScreenshot(t, shot)
	small := artifact(t, "swv-phone.png")
	phone(t, bin, marieke, small)
	checkScreenshot(t, small)
	pdf := artifact(t, "swv.pdf")
	browse(t, bin, marieke, pdf)
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) < 10_000 {
		t.Errorf("printed to PDF: %d bytes, %v", len(b), err)
	}

	// Each look is in the audit trail of the schools it showed.
	store := redisstore.New(y.rdb, y.prefix, nil)
	trail := func(school string) map[string]int {
		es, err := store.Audit(context.Background(), school, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, e := range es {
			out[e.Who.Handle+" "+string(e.Action)]++
		}
		return out
	}
	if got := trail("de-vaart"); got["U0SANNE001 year_page"] != 1 || got["U0MARIEKE1 year_page"] < 1 || got["U0KARIM001 year_page"] != 0 {
		t.Errorf("De Vaart's audit trail: %v", got)
	}
	if got := trail("de-linde"); got["U0KARIM001 year_page"] != 1 || got["U0KARIM001 year_csv"] != 1 || got["U0MARIEKE1 year_page"] < 1 || got["U0SANNE001 year_page"] != 0 {
		t.Errorf("De Linde's audit trail: %v", got)
	}

	// An altered link: a Dutch page and 403, in the browser and over HTTP.
	altered := strings.Replace(sanne, "t=", "t=x", 1)
	if code, body := fetch(t, &http.Client{}, altered); code != http.StatusForbidden || !strings.Contains(body, "klopt niet") {
		t.Errorf("altered link: %d %s", code, body)
	}
	wantIn(t, "the altered link's page", browse(t, bin, altered, ""), "Geen toegang", "Deze link klopt niet")
}

func yearMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// artifact is where the test saves a screenshot or PDF: in
// $HULPBOT_ARTIFACTS when set, to look at afterwards, else in a directory
// removed after the test.
func artifact(t *testing.T, name string) string {
	if d := os.Getenv("HULPBOT_ARTIFACTS"); d != "" {
		return filepath.Join(d, name)
	}
	return filepath.Join(t.TempDir(), name)
}

// mustSchool is enough of a school to render its survey question.
func mustSchool(t *testing.T, id, name string) *bot.School {
	return &bot.School{ID: id, Name: name, Language: "nl", Location: mustLoc(t)}
}

func mustLoc(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func fetch(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkScreenshot decodes the PNG and wants a page, not a blank: many
// colours (text, bars, lines) over a good part of it.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	colors := map[uint32]bool{}
	inked := 0
	b := img.Bounds()
	for yy := b.Min.Y; yy < b.Max.Y; yy += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, yy).RGBA()
			colors[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				inked++
			}
		}
	}
	if len(colors) < 20 || inked < 2000 {
		t.Errorf("screenshot %s looks blank: %d colours, %d inked samples of %v", path, len(colors), inked, b.Size())
	}
}

// TestYearOverviewInBrowserInEnglish: at schools that allow English, the
// page opens in the language of the coordinator's Slack account, also in
// a browser that prefers another; the switch on the page is a plain link
// that the session keeps, for the CSV too.
func TestYearOverviewInBrowserInEnglish(t *testing.T) {
	bin := chromium(t)
	y := startYearWith(t, strings.Replace(yearConfig, "schools:\n", "languages: [nl, en]\nschools:\n", 1),
		map[string]string{"U0SANNE001": "en-GB", "U0KARIM001": "nl-NL"})
	link := func(team, user, answer string) string {
		t.Helper()
		dm := "D" + user[1:]
		before := len(y.fake.Posted(dm))
		if got := y.hulp(team, user, "overzicht web"); !strings.Contains(got, answer) {
			t.Fatalf("answer to overzicht web: %q; want %q in it", got, answer)
		}
		l := linkRE.FindString(y.posts(dm, before+1)[before].Form.Get("text"))
		if l == "" {
			t.Fatal("no link in the DM")
		}
		return l
	}

	// Sanne reads English; her browser prefers Dutch: her link decides.
	sanne := link("T0DEVAART1", "U0SANNE001", "personal link")
	dom := chrome(t, bin, sanne, "--dump-dom", "--accept-lang=nl-NL,nl")
	_ = os.WriteFile(artifact(t, "de-vaart.en.html"), []byte(dom), 0o644)
	wantIn(t, "Sanne's page", dom, `<html lang="en">`, "Year overview Kindcentrum De Vaart", "Key figures",
		`<a href="?taal=nl&amp;jaar=`, `hreflang="nl" lang="nl">Nederlands</a>`, `<strong lang="en">English</strong>`)
	// Karim reads Dutch; his browser prefers English.
	karim := link("T0DELINDE1", "U0KARIM001", "persoonlijke link")
	wantIn(t, "Karim's page", chrome(t, bin, karim, "--dump-dom", "--accept-lang=en-US,en"),
		`<html lang="nl">`, "Jaaroverzicht Basisschool De Linde", `hreflang="en" lang="en">English</a>`)

	// Sanne switches to Dutch: the page, the next visit and the CSV.
	c := &http.Client{Jar: yearMust(cookiejar.New(nil))}
	fetch(t, c, sanne)
	page := y.base + "/overzicht/school/de-vaart/"
	if code, body := fetch(t, c, page); code != 200 || !strings.Contains(body, "Year overview") {
		t.Fatalf("Sanne's page over HTTP: %d", code)
	}
	if code, body := fetch(t, c, page+"?taal=nl"); code != 200 || !strings.Contains(body, "Jaaroverzicht Kindcentrum De Vaart") {
		t.Errorf("after the switch: %d", code)
	}
	if _, csv := fetch(t, c, page+"overzicht.csv"); !strings.HasPrefix(csv, "\ufeffmaand;hulpvragen;") {
		t.Errorf("csv after the switch: %q", csv[:min(len(csv), 60)])
	}
}
