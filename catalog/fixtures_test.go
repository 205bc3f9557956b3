package catalog

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on any machine

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/testschool"
)

var teacher = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "marie"}, Name: "Marie"}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// The test school, its clock and time zone: internal/testschool.
func amsterdam(t testing.TB) *time.Location { return testschool.Amsterdam(t) }
func testNow(t testing.TB) time.Time        { return testschool.Now(t) }

// testSchool is De Vaart in lang, also in the terminal chat.
func testSchool(t testing.TB, lang string) *bot.School {
	t.Helper()
	return testschool.School(t, lang, bot.TeamLink{Platform: shell})
}
