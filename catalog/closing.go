package catalog

import (
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// ChoiceLabel is the words of an answer at closing in language l: the
// school's own, else the catalogue's for a default key, else the key.
func ChoiceLabel(l string, step bot.ClosingStep, c bot.Choice) string {
	if s := c.Labels[l]; s != "" {
		return s
	}
	if s := c.Labels[LangNL]; s != "" {
		return s
	}
	k := "closing." + string(step) + "." + c.Key
	if s := Text(l, k); s != k {
		return s
	}
	return c.Key
}

// ChoiceLabelOf is ChoiceLabel of the school's answer key, or the key.
func ChoiceLabelOf(sc *bot.School, l string, step bot.ClosingStep, key string) string {
	for _, c := range sc.Choices(step) {
		if c.Key == key {
			return ChoiceLabel(l, step, c)
		}
	}
	return key
}

// ClosingButtons are the answers to step for the request, the first
// question with a button to skip.
func ClosingButtons(sc *bot.School, l string, step bot.ClosingStep, requestID string) []message.Button {
	var out []message.Button
	for _, c := range sc.Choices(step) {
		out = append(out, message.Button{Label: ChoiceLabel(l, step, c), Action: message.ClosingAction(step, c.Key), RequestID: requestID})
	}
	if step == bot.StepSupport {
		out = append(out, message.Button{Label: Text(l, "button.closing_skip"), Action: message.ActionClosingSkip, RequestID: requestID})
	}
	return out
}
