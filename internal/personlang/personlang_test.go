package personlang

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

const timeSlack = 5 * time.Second

func TestFromLocale(t *testing.T) {
	for locale, want := range map[string]string{
		"nl": "nl", "nl-NL": "nl", "nl_BE": "nl", "NL-nl": "nl",
		"en": "en", "en-US": "en", "en_GB": "en", " en ": "en",
		"de": "", "fr-FR": "", "": "", "n": "", "e": "",
	} {
		if got := FromLocale(locale); got != want {
			t.Errorf("FromLocale(%q) = %q, want %q", locale, got, want)
		}
	}
}

func FuzzFromLocale(f *testing.F) {
	for _, s := range []string{"nl", "en-US", "nl_NL", "de-DE", "", "EN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := FromLocale(s)
		if got != "" && got != "nl" && got != "en" {
			t.Fatalf("FromLocale(%q) = %q", s, got)
		}
		if got != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), got) {
			t.Fatalf("FromLocale(%q) = %q, not the locale's language", s, got)
		}
	})
}

func TestCacheKeepsOnlyTheLanguageUnderAPseudonym(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	names := pseudonym.WithKey([]byte("0123456789abcdef0123456789abcdef"))
	c := New(rdb, prefix, names, nil)
	sc := &bot.School{ID: "de-vaart", Language: "nl"}
	sc.AllowLanguage("en", "")
	ctx := context.Background()
	calls := 0
	fetch := func(locale string, err error) Fetch {
		return func(context.Context) (string, error) { calls++; return locale, err }
	}

	if got := c.School(ctx, sc, "slack:u0teacher1", fetch("", errors.New("down"))); got != sc {
		t.Errorf("on an API error: %q, want the school's own", got.Language)
	}
	if _, ok := c.Known(ctx, "slack:u0teacher1"); ok {
		t.Error("an API error was kept")
	}
	if got := c.School(ctx, sc, "slack:u0teacher1", fetch("de-DE", nil)); got != sc {
		t.Errorf("German locale: %q, want the school's own", got.Language)
	}
	if got := c.School(ctx, sc, "slack:u0anne", fetch("en-US", nil)); got.Language != "en" {
		t.Errorf("en-US: %q, want en", got.Language)
	}
	if got := c.School(ctx, sc, "slack:u0anne", fetch("nl-NL", nil)); got.Language != "en" || calls != 3 {
		t.Errorf("kept: %q after %d calls, want en without a fourth", got.Language, calls)
	}
	p, _ := names.Of(ctx, "slack:u0anne")
	key := prefix + ":lang:" + p
	if v := rdb.Get(ctx, key).Val(); v != "en" {
		t.Errorf("%s = %q, want en", key, v)
	}
	if ttl := rdb.TTL(ctx, key).Val(); ttl <= Keep-timeSlack || ttl > Keep {
		t.Errorf("TTL %v, want %v", ttl, Keep)
	}
	if l, ok := c.Known(ctx, "slack:u0anne"); !ok || l != "en" {
		t.Errorf("Known = %q %v, want en", l, ok)
	}

	one := &bot.School{ID: "de-linde", Language: "nl"}
	if got := c.School(ctx, one, "slack:u0anne", fetch("en", nil)); got != one || calls != 3 {
		t.Errorf("one-language school: %q after %d calls, want nl and no call", got.Language, calls)
	}
}

// A language kept more than a day ago is asked again at the next command
// (a changed locale), and still serves when the platform does not answer;
// messages sent later (Known) read it for as long as it is kept.
func TestCacheAsksAgainAfterADay(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	names := pseudonym.WithKey([]byte("0123456789abcdef0123456789abcdef"))
	c := New(rdb, prefix, names, nil)
	sc := &bot.School{ID: "de-vaart", Language: "nl"}
	sc.AllowLanguage("en", "")
	ctx := context.Background()
	p, _ := names.Of(ctx, "slack:u0anne")
	key := prefix + ":lang:" + p
	calls := 0
	fetch := func(locale string, err error) Fetch {
		return func(context.Context) (string, error) { calls++; return locale, err }
	}
	for _, tc := range []struct {
		name    string
		kept    string
		ttl     time.Duration // left of the kept language's Keep; 0: nothing kept
		locale  string
		err     error
		want    string
		asked   bool
		keptNow string // the kept language after
	}{
		{"kept an hour ago", "en", Keep - time.Hour, "nl-NL", nil, "en", false, "en"},
		{"kept two days ago, locale changed", "en", Keep - 48*time.Hour, "nl-NL", nil, "nl", true, "nl"},
		{"kept two days ago, platform down", "en", Keep - 48*time.Hour, "", errors.New("down"), "en", true, "en"},
		{"kept before this version, a day long", "en", 2 * time.Hour, "en-US", nil, "en", true, "en"},
		{"nothing kept, platform down", "", 0, "", errors.New("down"), "nl", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rdb.Del(ctx, key)
			if tc.kept != "" {
				rdb.Set(ctx, key, tc.kept, tc.ttl)
			}
			before := calls
			if got := c.School(ctx, sc, "slack:u0anne", fetch(tc.locale, tc.err)).Language; got != tc.want {
				t.Errorf("School = %q; want %q", got, tc.want)
			}
			if asked := calls > before; asked != tc.asked {
				t.Errorf("asked the platform: %v; want %v", asked, tc.asked)
			}
			if l, _ := c.Known(ctx, "slack:u0anne"); l != tc.keptNow {
				t.Errorf("Known = %q; want %q", l, tc.keptNow)
			}
		})
	}
}
