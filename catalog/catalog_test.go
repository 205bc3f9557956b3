package catalog

import (
	"go/ast"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/catalogkeys"
)

func TestCatalogComplete(t *testing.T) {
	nl, en := texts[LangNL], texts[LangEN]
	for key, text := range nl {
		t.Run(key, func(t *testing.T) {
			other, ok := en[key]
			if !ok {
				t.Fatalf("key %q has Dutch %q but no English", key, text)
			}
			if strings.TrimSpace(text) == "" || strings.TrimSpace(other) == "" {
				t.Errorf("key %q is empty in a language: nl %q, en %q", key, text, other)
			}
			got, want := sorted(placeholders(other)), sorted(placeholders(text))
			if !slices.Equal(got, want) {
				t.Errorf("key %q: English placeholders %v; want the Dutch ones %v", key, got, want)
			}
		})
	}
	for key := range en {
		if _, ok := nl[key]; !ok {
			t.Errorf("key %q has English but no Dutch", key)
		}
	}
}

// TestCatalogKeysUsed checks that every key the package's code passes to
// Text as a literal is in the catalogue, so no message shows a bare key.
// (handlers checks the keys of the replies it words itself.)
func TestCatalogKeysUsed(t *testing.T) {
	keys, err := catalogkeys.InDir(".", func(c *ast.CallExpr) ast.Expr {
		if fn, ok := c.Fun.(*ast.Ident); ok && fn.Name == "Text" && len(c.Args) > 1 {
			return c.Args[1] // Text(l, "who.title", …)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for l, m := range texts {
			if _, ok := m[k.Key]; !ok {
				t.Errorf("%s: key %q is not in the %s catalogue", k.Pos, k.Key, l)
			}
		}
	}
	if len(keys) < 50 {
		t.Errorf("found %d literal keys in the code; the scan looks broken", len(keys))
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, lang, key string
		vars            []string
		want            string
	}{
		{"dutch", "nl", "who.title", []string{"school", "De Vaart"}, "Hulpverleners van De Vaart:"},
		{"english", "en", "who.title", []string{"school", "De Vaart"}, "Helpers at De Vaart:"},
		{"unknown language is Dutch", "de", "who.available", nil, "beschikbaar"},
		{"unknown key shows", "nl", "no.such.key", nil, "no.such.key"},
		{"values are not scanned", "nl", "notice.note", []string{"note", "{note} {group}"}, "Toelichting: {note} {group}"},
		{"odd vars ignore the last", "nl", "group.numbered", []string{"id", "5", "extra"}, "groep 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.lang, tt.key, tt.vars...); got != tt.want {
				t.Errorf("Text(%q, %q, %q) = %q; want %q", tt.lang, tt.key, tt.vars, got, tt.want)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestStatusTextDays: a status until a later day names the day; until
// the end of today (also "tot morgen") says so.
func TestStatusTextDays(t *testing.T) {
	sc := testSchool(t, LangNL)
	now := time.Date(2026, 11, 26, 10, 41, 0, 0, sc.Location) // a Thursday
	day := func(d int) time.Time { return time.Date(2026, 11, 26+d, 0, 0, 0, 0, sc.Location) }
	tests := []struct {
		a    bot.Availability
		want string
	}{
		{bot.Availability{Status: bot.Busy, Until: day(1)}, "Je staat tot het eind van de dag op bezet."},
		{bot.Availability{Status: bot.Away, Until: day(2)}, "Je staat tot zaterdag op afwezig."},
		{bot.Availability{Status: bot.Away, Until: day(4)}, "Je staat tot maandag op afwezig."},
		{bot.Availability{Status: bot.Away, Until: now.Add(time.Hour)}, "Je staat op afwezig tot 11:41."},
	}
	for _, tt := range tests {
		if got := strings.Split(StatusText(sc, now, tt.a), "\n")[0]; got != tt.want {
			t.Errorf("StatusText(%+v) = %q; want %q", tt.a, got, tt.want)
		}
	}
}
