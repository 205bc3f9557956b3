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
