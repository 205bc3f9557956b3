package yearpage

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
)

// langParam is the query parameter of the page's language switch
// (?taal=en): a plain link, so it works without JavaScript.
const langParam = "taal"

// pageLanguage is the language a page is read in, of langs (those the
// scope allows, its own first): the one chosen for the session (with the
// switch, or the language kept for the person the link was made for),
// else the browser's preference (Accept-Language), else the scope's own.
func pageLanguage(langs []string, chosen, acceptLanguage string) string {
	if len(langs) == 0 {
		return catalog.LangNL
	}
	if len(langs) == 1 {
		return langs[0]
	}
	if slices.Contains(langs, chosen) {
		return chosen
	}
	if l := preferred(acceptLanguage, langs); l != "" {
		return l
	}
	return langs[0]
}

// preferred is the language of langs the Accept-Language header ranks
// highest ("en-GB,en;q=0.9,nl;q=0.8"), by its primary tag; "" for none.
// Ties go to the header's order; q=0 rules a language out.
func preferred(header string, langs []string) string {
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > bestQ && slices.Contains(langs, primary) {
			best, bestQ = primary, q
		}
	}
	return best
}

// scopeLanguages are the languages a scope's page may be read in, its own
// first: a school's (bot.School.Languages); a samenwerkingsverband's first
// school's language, and those every one of its schools allows.
func scopeLanguages(schools []*bot.School) []string {
	if len(schools) == 0 {
		return []string{catalog.LangNL}
	}
	out := []string{catalog.Lang(schools[0].Language)}
	for _, l := range schools[0].Languages()[1:] {
		all := true
		for _, sc := range schools[1:] {
			all = all && slices.Contains(sc.Languages(), l)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

// langNav is one entry of the language switch.
type langNav struct {
	Code, Label, URL string
	Current          bool
}

// languageSwitch is the switch between langs on a page read in l, each
// language by its own name; none with one language. The links keep the
// school year shown.
func languageSwitch(langs []string, l string, year int) []langNav {
	if len(langs) < 2 {
		return nil
	}
	out := make([]langNav, 0, len(langs))
	for _, code := range langs {
		out = append(out, langNav{Code: code, Label: catalog.Text(code, "year.language."+code),
			URL: "?" + langParam + "=" + code + "&jaar=" + strconv.Itoa(year), Current: code == l})
	}
	return out
}
