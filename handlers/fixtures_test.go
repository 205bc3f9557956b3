package handlers

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on any machine

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/testschool"
)

var (
	teacher     = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "marie"}, Name: "Marie"}
	anne        = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "anne"}, Name: "Anne"}
	coordinator = bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "ib.sanne"}, Name: "Sanne"}
)

// The test school, its clock, time zone and groups: internal/testschool.
func amsterdam(t testing.TB) *time.Location { return testschool.Amsterdam(t) }
func testNow(t testing.TB) time.Time        { return testschool.Now(t) }
func testGroups() []bot.Group               { return testschool.Groups() }
func testSchool(t testing.TB, lang string) *bot.School {
	t.Helper()
	return testschool.School(t, lang)
}
