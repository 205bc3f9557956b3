package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // as the program does: zones without a system database

	"gopkg.in/yaml.v3"
)

// env is a getenv backed by a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// problemsOf returns the problems of a *ValidationError, nil for nil, and
// fails the test for any other error.
func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	return ve.Problems
}

func lines(ps []Problem) string {
	if len(ps) == 0 {
		return "(none)"
	}
	return (&ValidationError{Problems: ps}).Error()
}

// minimal is the smallest file that validates.
const minimal = `
schools:
  - id: demo
    name: Demo
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, shell: anne, schedule: [altijd]}
`

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"language", c.Language, "nl"},
		{"timezone", c.Timezone, "Europe/Amsterdam"},
		{"listen", c.Listen, ":8080"},
		{"redis_url", c.RedisURL, "redis://127.0.0.1:6379/0"},
		{"offer_timeout", c.OfferTimeout.Duration, 2 * time.Minute},
		{"retention", c.Retention.Duration, 720 * time.Hour},
		{"log_format", c.LogFormat, "text"},
		{"mattermost", c.Mattermost, (*Mattermost)(nil)},
		{"slack", c.Slack, (*Slack)(nil)},
		{"school offer_timeout inherits", c.Schools[0].OfferTimeout.Duration, time.Duration(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
}

func TestParseEmptyAndNull(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"empty", ""},
		{"comment only", "# nothing here\n"},
		{"null", "~\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), nil)
			got := problemsOf(t, err)
			want := []Problem{{Field: "schools", Message: "empty"}}
			if !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(want))
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	const withPlatforms = minimal + `
redis_url: redis://file:6379/0
listen: ":9000"
mattermost: {url: "http://mm", bot_token: file-bot, command_token: file-cmd, public_url: "http://hulpbot:8080", action_secret: file-secret-0123456789}
slack: {bot_token: xoxb-file, signing_secret: file-sign}
`
	vars := map[string]string{
		"REDIS_URL":                        "redis://env:6379/1",
		"HULPBOT_LISTEN":                   ":7000",
		"HULPBOT_MATTERMOST_BOT_TOKEN":     "env-bot",
		"HULPBOT_MATTERMOST_COMMAND_TOKEN": "env-cmd",
		"HULPBOT_ACTION_SECRET":            "env-secret-0123456789",
		"HULPBOT_SLACK_BOT_TOKEN":          "xoxb-env",
		"HULPBOT_SLACK_SIGNING_SECRET":     "env-sign",
		"HULPBOT_SLACK_APP_TOKEN":          "xapp-env",
	}
	c, err := Parse([]byte(withPlatforms), env(vars))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, tc := range []struct{ name, got, want string }{
		{"REDIS_URL", c.RedisURL, "redis://env:6379/1"},
		{"HULPBOT_LISTEN", c.Listen, ":7000"},
		{"HULPBOT_MATTERMOST_BOT_TOKEN", c.Mattermost.BotToken, "env-bot"},
		{"HULPBOT_MATTERMOST_COMMAND_TOKEN", c.Mattermost.CommandToken, "env-cmd"},
		{"HULPBOT_ACTION_SECRET", c.Mattermost.ActionSecret, "env-secret-0123456789"},
		{"HULPBOT_SLACK_BOT_TOKEN", c.Slack.BotToken, "xoxb-env"},
		{"HULPBOT_SLACK_SIGNING_SECRET", c.Slack.SigningSecret, "env-sign"},
		{"HULPBOT_SLACK_APP_TOKEN", c.Slack.AppToken, "xapp-env"},
		{"unset keeps the file's", mustParse(t, withPlatforms, nil).Mattermost.BotToken, "file-bot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}

	t.Run("a secret does not enable a platform", func(t *testing.T) {
		c := mustParse(t, minimal, env(vars))
		if c.Mattermost != nil || c.Slack != nil {
			t.Errorf("got mattermost %v, slack %v; want both nil", c.Mattermost, c.Slack)
		}
	})
	t.Run("an override satisfies a required field", func(t *testing.T) {
		const unset = minimal + `
mattermost: {url: "http://mm", bot_token: "${NOT_SET}", command_token: cmd, public_url: "http://hulpbot:8080"}
`
		c := mustParse(t, unset, env(map[string]string{"HULPBOT_MATTERMOST_BOT_TOKEN": "env-bot"}))
		if got, want := c.Mattermost.BotToken, "env-bot"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("ApplyEnv on Demo", func(t *testing.T) {
		c := Demo()
		c.ApplyEnv(env(map[string]string{"REDIS_URL": "redis://x:1/0"}))
		if got, want := c.RedisURL, "redis://x:1/0"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func mustParse(t *testing.T, y string, getenv func(string) string) *Config {
	t.Helper()
	c, err := Parse([]byte(y), getenv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestExpand(t *testing.T) {
	const y = `
language: ${LANG_CODE}
listen: "${HOST}:${PORT}"
offer_timeout: ${OFFER}
retention: ${KEEP}
mattermost:
  url: ${MM_URL}
  bot_token: "${MM_BOT}"
  command_token: "literal$dollar${MM_CMD}$"
  public_url: http://hulpbot:8080
  action_secret: ${UNSET_OPTIONAL}
schools:
  - id: ${SCHOOL}
    name: School ${SCHOOL}
    groups: ["${GROUP}", {id: "7", aliases: ["${ALIAS}"]}]
    fallback_channel: kernteam
    day_parts: {ochtend: "${MORNING}"}
    helpers:
      - {name: Anne, role: jeugdhulpverlener, shell: anne, schedule: ["${DAYS} ochtend"]}
`
	vars := map[string]string{
		"LANG_CODE": "en", "HOST": "127.0.0.1", "PORT": "9090", "OFFER": "90s", "KEEP": "14d",
		"MM_URL": "https://chat.example.nl", "MM_BOT": "bot", "MM_CMD": "cmd",
		"SCHOOL": "de-vaart", "GROUP": "5", "ALIAS": "zeven", "MORNING": "08:30-12:00", "DAYS": "ma-vr",
	}
	c := mustParse(t, y, env(vars))
	s := c.Schools[0]
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"language", c.Language, "en"},
		{"two variables", c.Listen, "127.0.0.1:9090"},
		{"duration", c.OfferTimeout.Duration, 90 * time.Second},
		{"duration in days", c.Retention.Duration, 14 * 24 * time.Hour},
		{"url", c.Mattermost.URL, "https://chat.example.nl"},
		{"quoted", c.Mattermost.BotToken, "bot"},
		{"other dollars stay", c.Mattermost.CommandToken, "literal$dollarcmd$"},
		{"unset optional is empty", c.Mattermost.ActionSecret, ""},
		{"school id", s.ID, "de-vaart"},
		{"inside text", s.Name, "School de-vaart"},
		{"plain group", s.Groups[0].ID, "5"},
		{"alias", s.Groups[1].Aliases[0], "zeven"},
		{"day part span", s.DayParts["ochtend"], "08:30-12:00"},
		{"schedule", s.Helpers[0].Schedule[0], "ma-vr ochtend"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		env  map[string]string
		want []Problem
	}{
		{
			name: "unknown top-level field",
			yaml: minimal + "langauge: en\n",
			want: []Problem{{"langauge", "unknown field (line 9); did you mean language?"}},
		},
		{
			name: "unknown helper field",
			yaml: `
schools:
  - id: demo
    name: Demo
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - name: Anne
        role: jeugdhulpverlener
        shell: anne
        schedule: [altijd]
        grops: ["5"]
`,
			want: []Problem{{"schools[0].helpers[0].grops", "unknown field (line 12); did you mean groups?"}},
		},
		{
			name: "unknown field in a flow mapping",
			yaml: minimal + "mattermost: {url: http://mm, bot_token: b, command_token: c, public_url: http://h, secret: x}\n",
			want: []Problem{{"mattermost.secret", "unknown field (line 9)"}},
		},
		{
			name: "unknown field in a group mapping",
			yaml: strings.Replace(minimal, `groups: ["5"]`, `groups: ["5", {id: "1-2", alias: [kleuters]}]`, 1),
			want: []Problem{{"schools[0].groups[1].alias", "unknown field (line 5); did you mean aliases?"}},
		},
		{
			name: "field set twice",
			yaml: minimal + "listen: \":1\"\nlisten: \":2\"\n",
			want: []Problem{{"listen", "set twice (lines 9 and 10)"}},
		},
		{
			name: "a list where text belongs",
			yaml: minimal + "timezone: [Europe/Amsterdam]\n",
			want: []Problem{{"timezone", "got a list, want text (line 9)"}},
		},
		{
			name: "text where a list belongs",
			yaml: strings.Replace(minimal, `groups: ["5"]`, `groups: "5"`, 1),
			want: []Problem{{"schools[0].groups", `got text "5", want a list (line 5)`}},
		},
		{
			name: "bad duration",
			yaml: minimal + "offer_timeout: 2 minutes\n",
			want: []Problem{{"offer_timeout", `"2 minutes" is not a duration like 2m, 720h or 30d`}},
		},
		{
			name: "bad duration from a variable",
			yaml: minimal + "retention: ${KEEP}\n",
			env:  map[string]string{"KEEP": "a month"},
			want: []Problem{{"retention", `"a month" is not a duration like 2m, 720h or 30d`}},
		},
		{
			name: "retention as a mapping with a bad statistics value",
			yaml: minimal + "retention:\n  requests: 30d\n  statistics: ${STATS}\n",
			env:  map[string]string{"STATS": "two years"},
			want: []Problem{{"retention.statistics", `"two years" is not a duration like 2m, 720h or 30d`}},
		},
		{
			name: "retention as a mapping with an unknown key",
			yaml: minimal + "retention:\n  request: 30d\n",
			want: []Problem{{"retention.request", "unknown field (line 10); did you mean requests?"}},
		},
		{
			name: "required duration from an unset variable",
			yaml: minimal + "offer_timeout: ${OFFER}\n",
			want: []Problem{{"offer_timeout", "${OFFER} is not set"}},
		},
		{
			name: "required fields from unset variables",
			yaml: minimal + `
mattermost:
  url: ${MM_URL}
  bot_token: ${HULPBOT_MATTERMOST_BOT_TOKEN}
  command_token: ${A}${B}
  public_url: http://hulpbot:8080
  action_secret: ${HULPBOT_ACTION_SECRET}
`,
			want: []Problem{
				{"mattermost.url", "${MM_URL} is not set"},
				{"mattermost.bot_token", "${HULPBOT_MATTERMOST_BOT_TOKEN} is not set"},
				{"mattermost.command_token", "${A}, ${B} are not set"},
			},
		},
		{
			name: "a partly unset value says so",
			yaml: minimal + "redis_url: ${REDIS_SCHEME}://127.0.0.1:6379/0\n",
			want: []Problem{{"redis_url", "is not a URL (${REDIS_SCHEME} is not set)"}},
		},
		{
			name: "an override's problem is not blamed on the file's variable",
			yaml: minimal + "redis_url: ${R}\n",
			env:  map[string]string{"REDIS_URL": "localhost:6379"},
			want: []Problem{{"redis_url", "is not a redis://, rediss://, unix://, redis+cluster:// or redis+sentinel:// URL"}},
		},
		{
			name: "a file names its Redis",
			yaml: minimal + "redis_url: ${MY_REDIS}\n",
			want: []Problem{{"redis_url", "${MY_REDIS} is not set"}},
		},
		{
			name: "a group from an unset variable",
			yaml: strings.Replace(minimal, `groups: ["5"]`, `groups: ["${G}"]`, 1),
			want: []Problem{{"schools[0].groups[0]", "${G} is not set"}},
		},
		{
			name: "more than one document",
			yaml: minimal + "---\nlanguage: en\n",
			want: []Problem{{"", "the file holds more than one YAML document (---); hulpbot reads one"}},
		},
		{
			name: "not a mapping",
			yaml: "- a\n- b\n",
			want: []Problem{{"", "got a list, want a mapping (line 1)"}, {"schools", "empty"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), env(tc.env))
			got := problemsOf(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", lines(got), lines(tc.want))
			}
		})
	}
}

func TestParseSyntaxError(t *testing.T) {
	_, err := Parse([]byte("schools: [\n"), nil)
	if err == nil {
		t.Fatal("got no error, want a YAML syntax error")
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Errorf("got a *ValidationError %v, want a plain error", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(minimal+"language: fr\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("good", func(t *testing.T) {
		if _, err := Load(good, nil); err != nil {
			t.Errorf("got %v, want no error", err)
		}
	})
	t.Run("invalid is a ValidationError naming the file", func(t *testing.T) {
		_, err := Load(bad, nil)
		got := problemsOf(t, err)
		want := []Problem{{"language", `"fr" is not nl or en`}}
		if !slices.Equal(got, want) {
			t.Errorf("got\n%s\nwant\n%s", lines(got), lines(want))
		}
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("got %q, want it to name %s", err, bad)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "missing.yaml"), nil)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want os.ErrNotExist", err)
		}
	})
}

func TestValidationErrorLists(t *testing.T) {
	err := &ValidationError{Problems: []Problem{{"language", `"fr" is not nl or en`}, {"", "the file is odd"}, {"schools", "empty"}}}
	got := err.Error()
	want := "language: \"fr\" is not nl or en\nthe file is odd\nschools: empty"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// exampleEnv provides the secrets example.yaml names.
var exampleEnv = map[string]string{
	"HULPBOT_MATTERMOST_BOT_TOKEN":     "mm-bot-token",
	"HULPBOT_MATTERMOST_COMMAND_TOKEN": "mm-command-token",
	"HULPBOT_ACTION_SECRET":            "0123456789abcdef0123456789abcdef",
	"HULPBOT_SLACK_BOT_TOKEN":          "xoxb-example",
	"HULPBOT_SLACK_SIGNING_SECRET":     "slack-signing-secret",
}

func TestExampleLoads(t *testing.T) {
	c, err := Load("example.yaml", env(exampleEnv))
	if err != nil {
		t.Fatalf("Load example.yaml: %v", err)
	}
	s := c.Schools[0]
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"language", c.Language, "nl"},
		{"redis_url", c.RedisURL, "redis://127.0.0.1:6379/0"},
		{"offer_timeout", c.OfferTimeout.Duration, 2 * time.Minute},
		{"retention", c.Retention.Duration, 720 * time.Hour},
		{"mattermost url", c.Mattermost.URL, "http://127.0.0.1:8065"},
		{"mattermost bot token from env", c.Mattermost.BotToken, "mm-bot-token"},
		{"action secret from env", c.Mattermost.ActionSecret, exampleEnv["HULPBOT_ACTION_SECRET"]},
		{"slack signing secret from env", c.Slack.SigningSecret, "slack-signing-secret"},
		{"slack app token", c.Slack.AppToken, ""},
		{"school id", s.ID, "de-vaart"},
		{"school offer_timeout", s.OfferTimeout.Duration, 3 * time.Minute},
		{"group with aliases", s.Groups[0], Group{ID: "1-2a", Aliases: []string{"1/2a"}}},
		{"plain group", s.Groups[2], Group{ID: "3"}},
		{"helpers", len(s.Helpers), 2},
		{"anne's schedule", s.Helpers[0].Schedule, []string{"ma ochtend", "di ochtend", "di middag", "do ochtend"}},
		{"coordinator", s.Coordinators[0], Coordinator{Name: "Sanne", Mattermost: "ib.sanne", Slack: "U0SANNE001", Shell: "ib.sanne"}},
		{"kernteam reminder", s.Kernteam.Reminder, "15 8 * * MON"},
		{"digest channel", s.Digest.Channel, "coordinatie"},
		{"holidays", s.Holidays, []string{"2026-10-12", "2026-12-19/2027-01-03"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
	t.Run("converts", func(t *testing.T) {
		if _, err := c.Directory(); err != nil {
			t.Errorf("Directory: %v", err)
		}
	})
	t.Run("embedded copy is the file", func(t *testing.T) {
		file, err := os.ReadFile("example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got := ExampleYAML(); string(got) != string(file) {
			t.Errorf("ExampleYAML differs from example.yaml")
		}
	})
	t.Run("without the secrets it says which are missing", func(t *testing.T) {
		_, err := Load("example.yaml", nil)
		got := problemsOf(t, err)
		want := []Problem{
			{"mattermost.bot_token", "${HULPBOT_MATTERMOST_BOT_TOKEN} is not set"},
			{"mattermost.command_token", "${HULPBOT_MATTERMOST_COMMAND_TOKEN} is not set"},
			{"slack.bot_token", "${HULPBOT_SLACK_BOT_TOKEN} is not set"},
			{"slack.signing_secret", "${HULPBOT_SLACK_SIGNING_SECRET} is not set"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("got\n%s\nwant\n%s", lines(got), lines(want))
		}
	})
}

func TestMarshalRoundTrip(t *testing.T) {
	want := Demo()
	want.RedisURL = DefaultRedisURL
	data, err := yaml.Marshal(want)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	got, err := Parse(data, nil)
	if err != nil {
		t.Fatalf("Parse of\n%s\n: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v\nfrom\n%s", got, want, data)
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"2m", 2 * time.Minute, false},
		{"90s", 90 * time.Second, false},
		{"720h", 720 * time.Hour, false},
		{"1.5h", 90 * time.Minute, false},
		{"30d", 30 * 24 * time.Hour, false},
		{" 7d ", 7 * 24 * time.Hour, false},
		{"0", 0, false},
		{"120", 0, true},
		{"d", 0, true},
		{"-1d", 0, true},
		{"1d12h", 0, true},
		{"99999999d", 0, true},
		{"2 minutes", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDuration(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{2 * time.Minute, "2m"},
		{720 * time.Hour, "720h"},
		{90 * time.Second, "1m30s"},
		{time.Hour + time.Second, "1h0m1s"},
		{0, "0s"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := (Duration{Duration: tc.in}).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseHoliday(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tc := range []struct {
		in      string
		want    Holiday
		wantErr string
	}{
		{in: "2026-10-12", want: Holiday{day("2026-10-12"), day("2026-10-12")}},
		{in: "2026-12-19/2027-01-03", want: Holiday{day("2026-12-19"), day("2027-01-03")}},
		{in: "2026-12-19 / 2027-01-03", want: Holiday{day("2026-12-19"), day("2027-01-03")}},
		{in: "2027-01-03/2026-12-19", wantErr: `"2027-01-03/2026-12-19" ends before it starts`},
		{in: "2026-13-01", wantErr: `"2026-13-01" is not a date like 2026-10-12 or a range like 2026-12-19/2027-01-03`},
		{in: "19-12-2026", wantErr: `"19-12-2026" is not a date like 2026-10-12 or a range like 2026-12-19/2027-01-03`},
		{in: "2026-12-19/", wantErr: `"2026-12-19/" is not a date like 2026-10-12 or a range like 2026-12-19/2027-01-03`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseHoliday(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr || got != tc.want {
				t.Errorf("got %v, %q; want %v, %q", got, gotErr, tc.want, tc.wantErr)
			}
		})
	}

	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ParseHoliday("2026-12-19/2027-01-03")
	for _, tc := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"the day before", time.Date(2026, 12, 18, 23, 59, 0, 0, ams), false},
		{"the first day, early", time.Date(2026, 12, 19, 0, 0, 0, 0, ams), true},
		{"new year", time.Date(2027, 1, 1, 12, 0, 0, 0, ams), true},
		{"the last day, late", time.Date(2027, 1, 3, 23, 59, 0, 0, ams), true},
		{"the day after", time.Date(2027, 1, 4, 8, 0, 0, 0, ams), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.Covers(tc.at); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRetentionForms(t *testing.T) {
	for _, tc := range []struct {
		name            string
		yaml            string
		requests, stats time.Duration
	}{
		{"default", "", DefaultRetention, DefaultStatisticsRetention},
		{"one duration: the requests", "retention: 14d\n", 14 * 24 * time.Hour, DefaultStatisticsRetention},
		{"mapping", "retention:\n  requests: 14d\n  statistics: 900d\n", 14 * 24 * time.Hour, 900 * 24 * time.Hour},
		{"mapping from variables", "retention: {requests: '${R}', statistics: '${S}'}\n", 48 * time.Hour, 1000 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"R": "48h", "S": "1000d"}
			c, err := Parse([]byte(minimal+tc.yaml), func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Retention.Duration != tc.requests || c.Retention.StatisticsOrDefault() != tc.stats {
				t.Errorf("retention = %v, statistics %v; want %v, %v", c.Retention.Duration, c.Retention.StatisticsOrDefault(), tc.requests, tc.stats)
			}
		})
	}
}
