package yearpage

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

var (
	sanne   = bot.Address{Platform: "slack", Handle: "USANNE"}
	karim   = bot.Address{Platform: "slack", Handle: "UKARIM"}
	marieke = bot.Address{Platform: "slack", Handle: "UMARIEKE"}
)

func school(id, name string, coord string, who bot.Address) *bot.School {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	return &bot.School{ID: id, Name: name, Language: "nl", Location: ams,
		Groups: []bot.Group{{ID: "5"}, {ID: "6"}}, DayParts: bot.DefaultDayParts(),
		Coordinators: []bot.Coordinator{{Name: coord, Accounts: bot.Accounts{who}}}}
}

type fakeSchools map[string]*bot.School

func (f fakeSchools) School(id string) (*bot.School, bool) { s, ok := f[id]; return s, ok }

// fakeFigures hands out what a test put in, else an empty year.
type fakeFigures map[string]bot.YearFigures // "school/2026"

func (f fakeFigures) YearFigures(_ context.Context, school string, y bot.SchoolYear) (bot.YearFigures, error) {
	if yf, ok := f[school+"/"+y.String()]; ok {
		return yf, nil
	}
	return Sum(school, y), nil
}

type staticKeys struct{ s *Signer }

func (k staticKeys) Signer(context.Context) (*Signer, error) { return k.s, nil }

type auditLog struct {
	mu    sync.Mutex
	views []View
}

func (a *auditLog) RecordView(_ context.Context, v View) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.views = append(a.views, v)
	return nil
}

// year 2026-2027 of De Vaart: 3 requests in September, 2 in October.
func vaartYear() bot.YearFigures {
	y := Sum("de-vaart", bot.SchoolYear{Start: 2026})
	y.Months[1] = bot.MonthFigures{Month: "2026-09", Requests: 3, Accepted: 3, AcceptedInTime: 2, Resolved: 3,
		ByGroup: map[string]int{"5": 2, "6": 1}, ByDayPart: map[string]int{"ochtend": 3},
		Waits:   []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute},
		Support: map[string]int{"gesprek": 2, "in-de-klas": 1}, Outcome: map[string]int{"rust": 3}, Stories: 2,
		Pulse: bot.Pulse{Up: 2, Self: 1}}
	y.Months[2] = bot.MonthFigures{Month: "2026-10", Requests: 2, Escalated: 1, NoCover: 1, Unpicked: 1}
	y.Surveys = []bot.SurveyFigures{
		{Survey: "pulse", Period: "2026-09", Question: "supported", Answers: [5]int{0, 1, 1, 2, 2}},
		{Survey: "pulse", Period: "2026-10", Question: "supported", Answers: [5]int{0, 0, 1, 1, 1}},
	}
	return y
}

type fixture struct {
	srv   *httptest.Server
	ys    *Server
	now   time.Time
	audit *auditLog
	vaart *bot.School
	linde *bot.School
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), audit: &auditLog{}}
	f.vaart = school("de-vaart", "Kindcentrum De Vaart", "Sanne", sanne)
	f.linde = school("de-linde", "De Linde", "Karim", karim)
	linde := Sum("de-linde", bot.SchoolYear{Start: 2026})
	linde.Months[1] = bot.MonthFigures{Month: "2026-09", Requests: 4, Accepted: 3, AcceptedInTime: 3, Escalated: 1, Unpicked: 1, ByGroup: map[string]int{"5": 4}}
	linde.Surveys = []bot.SurveyFigures{{Survey: "pulse", Period: "2026-09", Question: "supported", Answers: [5]int{0, 0, 0, 1, 0}}}
	prev := Sum("de-vaart", bot.SchoolYear{Start: 2025})
	prev.Months[1].Requests = 7
	figs := fakeFigures{"de-vaart/2026-2027": vaartYear(), "de-linde/2026-2027": linde, "de-vaart/2025-2026": prev}
	f.ys = New(fakeSchools{"de-vaart": f.vaart, "de-linde": f.linde}, figs, staticKeys{NewSigner([]byte("0123456789abcdef0123"))}, Options{
		PublicURL: "http://placeholder", LinkTTL: 15 * time.Minute, SessionTTL: 8 * time.Hour, Audit: f.audit,
		Now: func() time.Time { return f.now },
		Samenwerkingsverbanden: []bot.Samenwerkingsverband{{ID: "swv-1", Name: "SWV Vaart en Linde",
			Coordinators: []bot.Coordinator{{Name: "Marieke", Accounts: bot.Accounts{marieke}}}, Schools: []string{"de-vaart", "de-linde"}}},
	})
	mux := http.NewServeMux()
	f.ys.Register(mux)
	f.srv = httptest.NewServer(mux)
	f.ys.o.PublicURL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) link(t *testing.T, sc *bot.School, who bot.Address) string {
	t.Helper()
	ls, err := f.ys.Links(context.Background(), f.now, sc, who)
	if err != nil || len(ls) != 1 {
		t.Fatalf("Links = %v, %v; want one", ls, err)
	}
	return ls[0].URL
}

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func wantAll(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("page lacks %q", p)
		}
	}
}

func TestSchoolLinkOpensOwnPage(t *testing.T) {
	f := newFixture(t)
	c := browser(t)
	code, body, h := get(t, c, f.link(t, f.vaart, sanne))
	if code != 200 || !strings.Contains(body, `url=/overzicht/school/de-vaart/`) {
		t.Fatalf("open: %d\n%s", code, body)
	}
	if got := h.Get("Set-Cookie"); !strings.Contains(got, "HttpOnly") || !strings.Contains(got, "SameSite=Strict") || !strings.Contains(got, "Path=/overzicht/school/de-vaart/") {
		t.Errorf("cookie = %s", got)
	}
	code, body, h = get(t, c, f.srv.URL+"/overzicht/school/de-vaart/")
	if code != 200 {
		t.Fatalf("page: %d\n%s", code, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	wantAll(t, body, "Jaaroverzicht Kindcentrum De Vaart", "Schooljaar 2026-2027",
		`<td class="num">5</td>`, // requests in the year
		"40%",                    // 2 of 5 within the offer time
		"2,0 min",                // median wait
		"gesprek", "in-de-klas", "rust", "<svg", "overzicht.csv?jaar=2026",
		"Vergelijking met vorig schooljaar", `<td class="num prev">7</td>`,
		"te weinig antwoorden", // October: 3 answers
		"3,8",                  // September: 23/6
		`<th scope="row">Door niemand opgepakt</th><td class="num">1</td>`,
		`<th scope="col">Door niemand opgepakt</th>`,
		// October's row: 1 escalated, 1 of them picked up by nobody, 0 closed.
		`<td class="num">1</td><td class="num">1</td><td class="num">0</td></tr>`,
	)
	if strings.Contains(body, "De Linde") {
		t.Error("a school's page shows another school")
	}
	wantAll(t, body, `<a href="?jaar=2025">2025-2026</a>`) // the year before has figures
	if len(f.audit.views) != 1 || f.audit.views[0].What != "page" || f.audit.views[0].Who != sanne || !slices.Equal(f.audit.views[0].Schools, []string{"de-vaart"}) {
		t.Errorf("audit = %+v", f.audit.views)
	}

	// The same browser cannot open the other school.
	code, body, _ = get(t, c, f.srv.URL+"/overzicht/school/de-linde/")
	if code != http.StatusForbidden || !strings.Contains(body, "persoonlijke link") {
		t.Errorf("other school: %d\n%s", code, body)
	}
}

func TestSessionOfOneSchoolRefusedAtAnother(t *testing.T) {
	f := newFixture(t)
	sess := f.ys.keysSigner(t).Sign(Pass{Kind: passSession, Scope: Scope{ScopeSchool, "de-vaart"}, Who: sanne, Expires: f.now.Add(time.Hour).Unix()})
	req, _ := http.NewRequest("GET", f.srv.URL+"/overzicht/school/de-linde/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: sess})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "geen toegang") {
		t.Errorf("%d\n%s", resp.StatusCode, b)
	}
	// A pass for De Linde made for Sanne (who is no coordinator there).
	sess = f.ys.keysSigner(t).Sign(Pass{Kind: passSession, Scope: Scope{ScopeSchool, "de-linde"}, Who: sanne, Expires: f.now.Add(time.Hour).Unix()})
	req.Header.Del("Cookie")
	req.AddCookie(&http.Cookie{Name: cookieName, Value: sess})
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("not a coordinator: %d", resp.StatusCode)
	}
}

func (s *Server) keysSigner(t *testing.T) *Signer {
	sg, err := s.keys.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

func TestBadLinks(t *testing.T) {
	f := newFixture(t)
	link := f.link(t, f.vaart, sanne)
	u, _ := url.Parse(link)
	tok := u.Query().Get("t")
	altered := tok[:len(tok)-2] + "AA"
	if altered == tok {
		altered = tok[:len(tok)-2] + "BB"
	}
	for _, tc := range []struct {
		name, url, want string
		later           time.Duration
	}{
		{"expired", link, "verlopen", 16 * time.Minute},
		{"altered", f.srv.URL + "/overzicht/open?t=" + url.QueryEscape(altered), "klopt niet", 0},
		{"cut short", f.srv.URL + "/overzicht/open?t=" + url.QueryEscape(tok[:20]), "klopt niet", 0},
		{"none", f.srv.URL + "/overzicht/open", "klopt niet", 0},
		{"no session", f.srv.URL + "/overzicht/school/de-vaart/", "persoonlijke link", 0},
		{"no session csv", f.srv.URL + "/overzicht/school/de-vaart/overzicht.csv", "persoonlijke link", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC).Add(tc.later)
			c := browser(t)
			code, body, h := get(t, c, tc.url)
			if code != http.StatusForbidden || !strings.Contains(body, tc.want) || !strings.Contains(body, `lang="nl"`) {
				t.Errorf("%d\n%s", code, body)
			}
			if h.Get("Set-Cookie") != "" {
				t.Error("a refused link set a cookie")
			}
		})
	}
	if len(f.audit.views) != 0 {
		t.Errorf("refused requests audited: %+v", f.audit.views)
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t)
	c := browser(t)
	get(t, c, f.link(t, f.vaart, sanne))
	f.now = f.now.Add(8*time.Hour + time.Second)
	if code, _, _ := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/"); code != http.StatusForbidden {
		t.Errorf("after the session: %d", code)
	}
}

func TestSWVCoordinatorSeesBothSchoolsAndSum(t *testing.T) {
	f := newFixture(t)
	// Marieke asks from De Linde: she gets the samenwerkingsverband's link.
	c := browser(t)
	code, body, _ := get(t, c, f.link(t, f.linde, marieke))
	if code != 200 || !strings.Contains(body, "/overzicht/swv/swv-1/") {
		t.Fatalf("open: %d %s", code, body)
	}
	code, body, _ = get(t, c, f.srv.URL+"/overzicht/swv/swv-1/")
	if code != 200 {
		t.Fatalf("%d\n%s", code, body)
	}
	if v := f.audit.views; len(v) != 1 || v[0].Who != marieke || !slices.Equal(v[0].Schools, []string{"de-vaart", "de-linde"}) {
		t.Errorf("audit = %+v; want Marieke's look at both schools", v)
	}
	wantAll(t, body, "SWV Vaart en Linde", "Kindcentrum De Vaart", "De Linde", "Totaal",
		`<td class="num">5</td><td class="num">4</td><td class="num">9</td>`, // requests per school and the sum
		"3,9", // September's survey: 6 + 1 answers together, 27/7
		`<th scope="row">Door niemand opgepakt</th><td class="num">1</td><td class="num">1</td><td class="num">2</td>`)
	// A school coordinator's link does not open the samenwerkingsverband.
	c2 := browser(t)
	get(t, c2, f.link(t, f.vaart, sanne))
	if code, _, _ := get(t, c2, f.srv.URL+"/overzicht/swv/swv-1/"); code != http.StatusForbidden {
		t.Errorf("school coordinator at swv: %d", code)
	}
}

func TestNoLinksForOthers(t *testing.T) {
	f := newFixture(t)
	ls, err := f.ys.Links(context.Background(), f.now, f.vaart, karim)
	if err != nil || len(ls) != 0 {
		t.Errorf("Links for another school's coordinator = %v, %v", ls, err)
	}
}

func TestCSV(t *testing.T) {
	f := newFixture(t)
	c := browser(t)
	get(t, c, f.link(t, f.vaart, sanne))
	code, body, h := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/overzicht.csv?jaar=2026")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s", code, h.Get("Content-Type"))
	}
	lines := strings.Split(body, "\n")
	if !strings.HasPrefix(lines[0], "\ufeffmaand;hulpvragen;meedenkvragen;geaccepteerd;binnen aanbodtijd;binnen aanbodtijd (%);mediaan wachttijd (min)") {
		t.Errorf("header = %q", lines[0])
	}
	wantAll(t, body, "groep 5;groep 6", "dagdeel ochtend", "begeleiding: Kort gesprek", "uitkomst: rust",
		"\n2026-09;3;0;3;2;67;2,0;0;0;3;0;2;2;0;1;2;1;3;2;1;3;0\n",
		// Requests nobody picked up in the channel: the last column, added
		// after the others were in use, explained in the legend.
		"\n2026-10;2;0;0;0;0;;1;0;0;1;0;0;0;0;0;0;0;0;0;0;1\n",
		"\nniet opgepakt;hulpvragen in het kanaal die niemand oppakte",
		"\ntotaal 2026-2027;5;", "te weinig antwoorden", "toelichting", "mediaan van de tijd")
	if len(f.audit.views) != 1 || f.audit.views[0].What != "csv" {
		t.Errorf("audit = %+v", f.audit.views)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/overzicht.csv?jaar=2019"); code != http.StatusNotFound {
		t.Errorf("a year not kept: %d", code)
	}
}

func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef"))
	now := time.Unix(1_800_000_000, 0)
	good := s.Sign(Pass{Kind: passLink, Scope: Scope{ScopeSchool, "de-vaart"}, Who: sanne, Expires: now.Unix() + 60})
	f.Add(good)
	f.Add("")
	f.Add(".")
	f.Add(good[:len(good)-1])
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := s.Verify(tok, passLink, now)
		if err == nil && s.Sign(p) != tok && tok != good {
			// Another encoding of a good pass can only come from the key.
			t.Errorf("accepted %q", tok)
		}
	})
}

func TestEnglishSchoolGetsEnglishPage(t *testing.T) {
	f := newFixture(t)
	f.vaart.Language = "en"
	c := browser(t)
	get(t, c, f.link(t, f.vaart, sanne))
	code, body, _ := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	wantAll(t, body, `lang="en"`, "Year overview Kindcentrum De Vaart", "School year 2026-2027", "too few answers", "3.8", "Download as CSV")
	_, csv, _ := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/overzicht.csv")
	if !strings.HasPrefix(csv, "\ufeffmonth,requests,consultations,") {
		t.Errorf("csv header %q", strings.SplitN(csv, "\n", 2)[0])
	}
}

func TestSWVCoordinatorOpensEachSchool(t *testing.T) {
	f := newFixture(t)
	c := browser(t)
	get(t, c, f.link(t, f.vaart, marieke))
	_, body, _ := get(t, c, f.srv.URL+"/overzicht/swv/swv-1/")
	wantAll(t, body, `<a href="school/de-linde/?jaar=2026">De Linde</a>`)
	code, body, _ := get(t, c, f.srv.URL+"/overzicht/swv/swv-1/school/de-linde/?jaar=2026")
	if code != 200 {
		t.Fatalf("%d\n%s", code, body)
	}
	if strings.Contains(body, "2025-2026") {
		t.Error("De Linde's page offers a year without figures")
	}
	wantAll(t, body, "Jaaroverzicht De Linde", `<th scope="row">Hulpvragen</th><td class="num">4</td>`,
		`<a id="terug" href="../../?jaar=2026">← Terug naar SWV Vaart en Linde</a>`)
	if strings.Contains(body, "Kindcentrum De Vaart") {
		t.Error("De Linde's page shows De Vaart")
	}
	if v := f.audit.views[len(f.audit.views)-1]; v.Scope != (Scope{ScopeSWV, "swv-1"}) || !slices.Equal(v.Schools, []string{"de-linde"}) {
		t.Errorf("audit = %+v", v)
	}
	code, csv, _ := get(t, c, f.srv.URL+"/overzicht/swv/swv-1/school/de-linde/overzicht.csv")
	if code != 200 || !strings.Contains(csv, "\n2026-09;4;") {
		t.Errorf("csv %d %q", code, csv)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/overzicht/swv/swv-1/school/elders/"); code != http.StatusForbidden {
		t.Errorf("a school outside the samenwerkingsverband: %d", code)
	}
	// A school's session opens no school below it.
	c2 := browser(t)
	get(t, c2, f.link(t, f.vaart, sanne))
	if code, _, _ := get(t, c2, f.srv.URL+"/overzicht/school/de-vaart/school/de-linde/"); code != http.StatusForbidden {
		t.Errorf("school below a school: %d", code)
	}
}
