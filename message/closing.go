package message

import (
	"strings"

	"github.com/hulpbot/hulpbot/bot"
)

// The buttons of the question at closing ("Wat voor hulp heb je
// gegeven?"): one action per answer, the step and the school's key in the
// action's name ("support-gesprek", "outcome-in_groep"), and one to skip.
// Keys are a-z, 0-9 and _, at most 20, so an action stays within what
// every adapter carries.
const (
	actionSupport     = "support-"
	actionOutcome     = "outcome-"
	ActionClosingSkip = Action("closing-skip")
)

// ClosingAction is the action of answering step with key.
func ClosingAction(step bot.ClosingStep, key string) Action {
	switch step {
	case bot.StepSupport:
		return Action(actionSupport + key)
	case bot.StepOutcome:
		return Action(actionOutcome + key)
	}
	return ActionClosingSkip
}

// ParseClosingAction reads a ClosingAction; ok is false for other actions.
func ParseClosingAction(a Action) (step bot.ClosingStep, key string, ok bool) {
	if a == ActionClosingSkip {
		return bot.StepSkip, "", true
	}
	if k, found := strings.CutPrefix(string(a), actionSupport); found && k != "" {
		return bot.StepSupport, k, true
	}
	if k, found := strings.CutPrefix(string(a), actionOutcome); found && k != "" {
		return bot.StepOutcome, k, true
	}
	return "", "", false
}
