package message

import (
	"strconv"
	"strings"
)

// The buttons of a survey question: action "survey-<question>-<1..5>", and
// in the button's request field the survey and its period,
// "<survey>_<period>" with the survey's dots as dashes ("collab-staff_2026-Q4"):
// what every adapter carries.
const actionSurvey = "survey-"

// SurveyAction is the action of answering question with n.
func SurveyAction(question string, n int) Action {
	return Action(actionSurvey + question + "-" + strconv.Itoa(n))
}

// SurveyRef is what a survey button's request field carries.
func SurveyRef(survey, period string) string {
	return strings.ReplaceAll(survey, ".", "-") + "_" + period
}

// ParseSurvey reads a survey button: its action and request field.
func ParseSurvey(a Action, ref string) (survey, period, question string, n int, ok bool) {
	rest, found := strings.CutPrefix(string(a), actionSurvey)
	if !found {
		return "", "", "", 0, false
	}
	i := strings.LastIndexByte(rest, '-')
	if i < 1 || i != len(rest)-2 || rest[i+1] < '1' || rest[i+1] > '5' {
		return "", "", "", 0, false
	}
	question, n = rest[:i], int(rest[i+1]-'0')
	sv, per, found := strings.Cut(ref, "_")
	if !found || sv == "" || per == "" {
		return "", "", "", 0, false
	}
	return strings.ReplaceAll(sv, "-", "."), per, question, n, true
}

// IsSurveyAction reports whether a is a survey button's.
func IsSurveyAction(a Action) bool { return strings.HasPrefix(string(a), actionSurvey) }
