package message

import (
	"regexp"
	"testing"

	"github.com/hulpbot/hulpbot/bot"
)

func TestClosingActions(t *testing.T) {
	for _, tc := range []struct {
		a    Action
		step bot.ClosingStep
		key  string
		ok   bool
	}{
		{"support-gesprek", bot.StepSupport, "gesprek", true},
		{"outcome-vervolg_so", bot.StepOutcome, "vervolg_so", true},
		{"closing-skip", bot.StepSkip, "", true},
		{"support-", "", "", false},
		{"outcome-", "", "", false},
		{"accept", "", "", false},
		{"pulse-up", "", "", false},
	} {
		step, key, ok := ParseClosingAction(tc.a)
		if step != tc.step || key != tc.key || ok != tc.ok {
			t.Errorf("ParseClosingAction(%q) = %q, %q, %v; want %q, %q, %v", tc.a, step, key, ok, tc.step, tc.key, tc.ok)
		}
		if tc.ok && ClosingAction(step, key) != tc.a {
			t.Errorf("ClosingAction(%q, %q) = %q, want %q", step, key, ClosingAction(step, key), tc.a)
		}
	}
}

// actionRE is what every adapter carries (slackbot's limit is the tightest).
var actionRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

func FuzzClosingAction(f *testing.F) {
	for _, s := range []string{"support-gesprek", "outcome-in_groep", "closing-skip", "support-", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		step, key, ok := ParseClosingAction(Action(s))
		if !ok {
			return
		}
		if got := ClosingAction(step, key); string(got) != s {
			t.Fatalf("round trip %q → %q, %q → %q", s, step, key, got)
		}
		// A key as config allows it makes an action every adapter carries.
		if regexp.MustCompile(`^[a-z0-9_]{1,20}$`).MatchString(key) && !actionRE.MatchString(s) {
			t.Fatalf("action %q does not fit the adapters", s)
		}
	})
}

func TestSurveyButtons(t *testing.T) {
	for _, survey := range []string{bot.SurveyPulse, bot.SurveyCollabStaff, bot.SurveyCollabHelpers} {
		for _, q := range bot.SurveyQuestions(survey) {
			a, ref := SurveyAction(q, 3), SurveyRef(survey, "2026-Q4")
			if !actionRE.MatchString(string(a)) || !regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`).MatchString(ref) {
				t.Errorf("%q / %q do not fit the adapters", a, ref)
			}
			sv, per, qq, n, ok := ParseSurvey(a, ref)
			if !ok || sv != survey || per != "2026-Q4" || qq != q || n != 3 {
				t.Errorf("ParseSurvey(%q, %q) = %q %q %q %d %v", a, ref, sv, per, qq, n, ok)
			}
		}
	}
	for _, bad := range [][2]string{{"survey-supported-6", "pulse_2026-11"}, {"survey-supported-0", "pulse_2026-11"}, {"survey--3", "pulse_2026-11"},
		{"survey-supported-3", "pulse"}, {"survey-supported-3", "_2026-11"}, {"accept", "pulse_2026-11"}, {"survey-supported-33", "pulse_2026-11"}} {
		if _, _, _, _, ok := ParseSurvey(Action(bad[0]), bad[1]); ok {
			t.Errorf("ParseSurvey(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func FuzzParseSurvey(f *testing.F) {
	f.Add("survey-supported-4", "pulse_2026-11")
	f.Add("survey-a-1", "collab-staff_2026-Q4")
	f.Fuzz(func(t *testing.T, a, ref string) {
		sv, per, q, n, ok := ParseSurvey(Action(a), ref)
		if !ok {
			return
		}
		if n < 1 || n > 5 || q == "" || sv == "" || per == "" {
			t.Fatalf("ParseSurvey(%q, %q) = %q %q %q %d", a, ref, sv, per, q, n)
		}
		if string(SurveyAction(q, n)) != a {
			t.Fatalf("action round trip %q → %q", a, SurveyAction(q, n))
		}
	})
}
