package catalog

import (
	"strconv"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// SurveyQuestion is one question of a survey as a direct message: the
// survey's intro, the question, and the buttons 1 to 5.
func SurveyQuestion(sc *bot.School, l, survey, period, question string, until time.Time) message.Message {
	l = Lang(l)
	intro := Text(l, "survey.intro."+survey, "school", sc.Name, "month", monthLabel(l, period))
	m := message.Message{Text: Lines(intro, "", "*"+Text(l, "survey."+survey+"."+question, "school", sc.Name)+"*")}
	for n := 1; n <= 5; n++ {
		m.Buttons = append(m.Buttons, message.Button{Label: strconv.Itoa(n), Action: message.SurveyAction(question, n),
			RequestID: message.SurveyRef(survey, period), Until: until})
	}
	return m
}

// monthLabel is "november 2026" for "2026-11"; other periods as they are.
func monthLabel(l, period string) string {
	t, err := bot.ParseMonth(period)
	if err != nil {
		return period
	}
	months := strings.Split(Text(l, "months"), ",")
	return months[int(t.Month())-1] + " " + strconv.Itoa(t.Year())
}
