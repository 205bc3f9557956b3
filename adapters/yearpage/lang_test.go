package yearpage

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
)

func TestPageLanguage(t *testing.T) {
	both, nl, en := []string{"nl", "en"}, []string{"nl"}, []string{"en", "nl"}
	for _, tc := range []struct {
		name   string
		langs  []string
		chosen string
		accept string
		want   string
	}{
		{"one language, whatever the browser says", nl, "en", "en-GB", "nl"},
		{"chosen for the session", both, "en", "nl-NL", "en"},
		{"chosen, a language the scope no longer allows", nl, "en", "", "nl"},
		{"chosen, not a language of hulpbot", both, "de", "", "nl"},
		{"the browser's first", both, "", "en-GB,en;q=0.9,nl;q=0.8", "en"},
		{"the browser's best by weight", both, "", "de-DE,en;q=0.5,nl;q=0.7", "nl"},
		{"a language ruled out", both, "", "en;q=0,fr", "nl"},
		{"only other languages", both, "", "de-DE,fr;q=0.9", "nl"},
		{"any", both, "", "*", "nl"},
		{"malformed", both, "", ";;,q=en,en;q=x", "nl"},
		{"upper case", both, "", "EN-us", "en"},
		{"nothing said: the scope's own", en, "", "", "en"},
		{"no languages at all", nil, "", "en", "nl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageLanguage(tc.langs, tc.chosen, tc.accept); got != tc.want {
				t.Errorf("pageLanguage(%q, %q, %q) = %q; want %q", tc.langs, tc.chosen, tc.accept, got, tc.want)
			}
		})
	}
}

func TestScopeLanguages(t *testing.T) {
	mk := func(lang string, also ...string) *bot.School {
		sc := &bot.School{ID: "s-" + lang, Language: lang}
		for _, l := range also {
			sc.AllowLanguage(l, "")
		}
		return sc
	}
	for _, tc := range []struct {
		name    string
		schools []*bot.School
		want    []string
	}{
		{"a Dutch school", []*bot.School{mk("nl")}, []string{"nl"}},
		{"a school that allows both", []*bot.School{mk("nl", "en")}, []string{"nl", "en"}},
		{"an English school that allows Dutch", []*bot.School{mk("en", "nl")}, []string{"en", "nl"}},
		{"all schools allow both", []*bot.School{mk("nl", "en"), mk("en", "nl")}, []string{"nl", "en"}},
		{"one school of the samenwerkingsverband Dutch only", []*bot.School{mk("nl", "en"), mk("nl")}, []string{"nl"}},
		{"the first school's language first", []*bot.School{mk("nl"), mk("en")}, []string{"nl"}},
		{"no schools", nil, []string{"nl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scopeLanguages(tc.schools); !slices.Equal(got, tc.want) {
				t.Errorf("scopeLanguages = %q; want %q", got, tc.want)
			}
		})
	}
}

// knownLangs is a kept language per identity ("slack:usanne").
type knownLangs map[string]string

func (k knownLangs) Known(_ context.Context, who string) (string, bool) {
	l, ok := k[who]
	return l, ok
}

// getIn is get with the browser's Accept-Language.
func getIn(t *testing.T, c *http.Client, u, acceptLanguage string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// langFixture is the fixture with De Vaart allowing English (both) and
// kept as the language of Sanne, the coordinator ("" for none kept).
func langFixture(t *testing.T, both bool, kept string) *fixture {
	t.Helper()
	f := newFixture(t)
	if both {
		f.vaart.AllowLanguage("en", "")
	}
	if kept != "" {
		f.ys.o.Languages = knownLangs{sanne.Identity(): kept}
	}
	return f
}

// pageLang is the language a page says it is in.
func pageLang(body string) string {
	_, rest, ok := strings.Cut(body, `<html lang="`)
	if !ok {
		return ""
	}
	l, _, _ := strings.Cut(rest, `"`)
	return l
}

// TestLanguageChoice: over HTTP, the page of a school that allows English
// opens in the language kept for the person the link was made for, else
// in the browser's; its switch (a plain link) changes the session's
// language, the CSV's headers too. A school with one language has no
// switch and ignores it.
func TestLanguageChoice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		both      bool   // De Vaart allows English
		kept      string // the language kept for Sanne
		accept    string // the browser's Accept-Language
		want      string // the page's language when opened
		switchTo  string // then the switch to this language
		wantAfter string
	}{
		{"kept for the person", true, "en", "nl-NL,nl", "en", "nl", "nl"},
		{"kept Dutch, an English browser", true, "nl", "en-US,en", "nl", "en", "en"},
		{"none kept: the browser's", true, "", "en-GB,en;q=0.9", "en", "nl", "nl"},
		{"none kept, a Dutch browser", true, "", "nl-BE", "nl", "en", "en"},
		{"nothing known: the school's", true, "", "", "nl", "en", "en"},
		{"a school with one language", false, "en", "en-GB", "nl", "en", "nl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := langFixture(t, tc.both, tc.kept)
			c := browser(t)
			if code, body := getIn(t, c, f.link(t, f.vaart, sanne), tc.accept); code != 200 || pageLang(body) != tc.want {
				t.Fatalf("open = %d in %q; want 200 in %q", code, pageLang(body), tc.want)
			}
			page := f.srv.URL + "/overzicht/school/de-vaart/"
			code, body := getIn(t, c, page, tc.accept)
			if code != 200 || pageLang(body) != tc.want {
				t.Fatalf("page = %d in %q; want 200 in %q", code, pageLang(body), tc.want)
			}
			if got := strings.Contains(body, `id="taal"`); got != tc.both {
				t.Errorf("language switch shown: %v; want %v", got, tc.both)
			}
			if tc.both {
				other := map[string]string{"nl": `<a href="?taal=en&amp;jaar=2026" hreflang="en" lang="en">English</a>`,
					"en": `<a href="?taal=nl&amp;jaar=2026" hreflang="nl" lang="nl">Nederlands</a>`}[tc.want]
				wantAll(t, body, other)
			}
			// The switch, as a browser follows it: back on the page, in
			// the language chosen, also on the next visit and in the CSV.
			code, body = getIn(t, c, page+"?taal="+tc.switchTo+"&jaar=2026", tc.accept)
			if code != 200 || pageLang(body) != tc.wantAfter {
				t.Fatalf("after the switch = %d in %q; want 200 in %q", code, pageLang(body), tc.wantAfter)
			}
			if _, body = getIn(t, c, page, tc.accept); pageLang(body) != tc.wantAfter {
				t.Errorf("next visit in %q; want %q", pageLang(body), tc.wantAfter)
			}
			_, csv := getIn(t, c, page+"overzicht.csv", tc.accept)
			header := map[string]string{"nl": "\ufeffmaand;hulpvragen;", "en": "\ufeffmonth,requests,"}[tc.wantAfter]
			if !strings.HasPrefix(csv, header) {
				t.Errorf("csv header %q; want it to start %q", strings.SplitN(csv, "\n", 2)[0], header)
			}
		})
	}
}

// TestLanguageSwitchRedirects: the switch answers 303 to the page without
// the parameter, keeping the school year; the session cookie it sets lasts
// no longer than the session did.
func TestLanguageSwitchRedirects(t *testing.T) {
	f := newFixture(t)
	f.vaart.AllowLanguage("en", "")
	c := browser(t)
	get(t, c, f.link(t, f.vaart, sanne))
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	f.now = f.now.Add(7 * time.Hour) // an hour of the session left
	resp, err := c.Get(f.srv.URL + "/overzicht/school/de-vaart/?taal=en&jaar=2025")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/overzicht/school/de-vaart/?jaar=2025" {
		t.Errorf("switch = %d to %q; want 303 to the page of 2025", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Cookies()
	if len(ck) != 1 || ck[0].MaxAge != 3600 || ck[0].Path != "/overzicht/school/de-vaart/" || !ck[0].HttpOnly {
		t.Errorf("cookies = %+v; want the session, an hour, on the school's path", ck)
	}
	// A language the school does not allow: back to the page, unchanged.
	resp, err = c.Get(f.srv.URL + "/overzicht/school/de-vaart/?taal=de")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 0 {
		t.Errorf("switch to de = %d, cookies %v; want 303 and no cookie", resp.StatusCode, resp.Cookies())
	}
	// Without a session the switch opens nothing.
	if code, _, _ := get(t, browser(t), f.srv.URL+"/overzicht/school/de-vaart/?taal=en"); code != http.StatusForbidden {
		t.Errorf("switch without a session = %d; want 403", code)
	}
}

// TestSWVLanguage: a samenwerkingsverband's page has the switch only when
// every one of its schools allows the other language.
func TestSWVLanguage(t *testing.T) {
	f := newFixture(t)
	f.vaart.AllowLanguage("en", "")
	c := browser(t)
	getIn(t, c, f.link(t, f.linde, marieke), "en")
	if _, body := getIn(t, c, f.srv.URL+"/overzicht/swv/swv-1/", "en"); pageLang(body) != "nl" || strings.Contains(body, `id="taal"`) {
		t.Errorf("De Linde Dutch only: page in %q, switch %v; want Dutch without", pageLang(body), strings.Contains(body, `id="taal"`))
	}
	f.linde.AllowLanguage("en", "")
	_, body := getIn(t, c, f.srv.URL+"/overzicht/swv/swv-1/", "en")
	if pageLang(body) != "en" || !strings.Contains(body, `id="taal"`) {
		t.Errorf("both allow English: page in %q; want English with the switch", pageLang(body))
	}
	wantAll(t, body, "Year overview SWV Vaart en Linde", "Total")
	// Within the samenwerkingsverband, a school's page keeps the session's
	// language.
	getIn(t, c, f.srv.URL+"/overzicht/swv/swv-1/?taal=nl", "en")
	if _, body := getIn(t, c, f.srv.URL+"/overzicht/swv/swv-1/school/de-linde/", "en"); pageLang(body) != "nl" {
		t.Errorf("De Linde within the samenwerkingsverband in %q; want the chosen Dutch", pageLang(body))
	}
}

// TestEnglishPageGolden keeps the English page of a school that allows
// both languages as a file, with its switch.
func TestEnglishPageGolden(t *testing.T) {
	f := langFixture(t, true, "en")
	c := browser(t)
	get(t, c, f.link(t, f.vaart, sanne))
	_, body, _ := get(t, c, f.srv.URL+"/overzicht/school/de-vaart/")
	golden.Check(t, "de-vaart.en.html", strings.ReplaceAll(body, f.srv.URL, "http://placeholder"))
}

// TestRefusedInTheReadersLanguage: a refusal before any session is in the
// page's languages too: an expired link in the one it was made with, no
// session in the browser's; a link that does not verify says nothing of
// its school, so Dutch.
func TestRefusedInTheReadersLanguage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		both   bool
		kept   string
		path   string // "" for Sanne's link, an hour later
		accept string
		want   string
		text   string
	}{
		{"expired link made in English", true, "en", "", "nl", "en", "expired"},
		{"expired link, none kept: the browser's", true, "", "", "en-GB", "en", "expired"},
		{"expired link, one language", false, "en", "", "en-GB", "nl", "verlopen"},
		{"no session, an English browser", true, "", "/overzicht/school/de-vaart/", "en", "en", "personal link"},
		{"no session at a Dutch school", false, "", "/overzicht/school/de-vaart/overzicht.csv", "en", "nl", "persoonlijke link"},
		{"altered link", true, "en", "/overzicht/open?t=x.y", "en", "nl", "klopt niet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := langFixture(t, tc.both, tc.kept)
			u := f.srv.URL + tc.path
			if tc.path == "" {
				u = f.link(t, f.vaart, sanne)
				f.now = f.now.Add(time.Hour)
			}
			code, body := getIn(t, browser(t), u, tc.accept)
			if code != http.StatusForbidden || pageLang(body) != tc.want || !strings.Contains(body, tc.text) {
				t.Errorf("%d in %q; want 403 in %q with %q\n%s", code, pageLang(body), tc.want, tc.text, body)
			}
		})
	}
}
