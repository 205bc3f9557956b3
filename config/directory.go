package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hulpbot/hulpbot/bot"
)

// The platforms the configuration puts people and schools on, named as
// their adapters name them (mmbot.Platform, slackbot.Platform,
// shell.Platform): a person's mattermost, slack and shell accounts, a
// school's mattermost_team and slack_team. Config does not import the
// adapters; a test next to them checks the names agree.
const (
	PlatformMattermost bot.Platform = "mattermost"
	PlatformSlack      bot.Platform = "slack"
	PlatformShell      bot.Platform = "shell"
)

// DefaultWhenDown is what a teacher is told to do when hulpbot cannot pass a
// request on and the school configures no when_down, in the school's
// language.
func DefaultWhenDown(language string) string { return defaultWhenDown(language, "") }

// defaultWhenDown is DefaultWhenDown at a location that calls its
// coordinator title ("pedagogisch coach"); "" for the IB'er.
func defaultWhenDown(language, title string) string {
	if language == "en" {
		if title != "" {
			return "walk over to the " + title + " or the management"
		}
		return "walk over to the IB'er (intern begeleider) or the school management"
	}
	if title != "" {
		return "loop even binnen bij de " + title + " of de leiding"
	}
	return "loop even binnen bij de IB'er of de directie"
}

// DefaultRolesPriority is used when a school lists no roles_priority: the
// on-site youth care worker before the CJG coach.
func DefaultRolesPriority() []bot.Role {
	return []bot.Role{bot.RoleJeugdhulpverlener, bot.RoleCJGCoach}
}

// Directory validates the configuration and converts its schools to the
// domain, every default applied: language, time zone and offer timeout from
// the top level unless the school overrides them, the top-level retention,
// day parts (bot.DefaultDayParts when none), roles priority, helper ids
// (a slug of the name), shell names, the fallback channel (the kernteam
// channel when none) and when_down.
func (c *Config) Directory() (*bot.Directory, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	schools := make([]*bot.School, 0, len(c.Schools))
	// One *time.Location per zone (loadLocation): a thousand schools in
	// Europe/Amsterdam share one copy of its transition table instead of a
	// thousand.
	for i := range c.Schools {
		s, err := c.school(&c.Schools[i])
		if err != nil {
			return nil, fmt.Errorf("config: schools[%d]: %w", i, err)
		}
		schools = append(schools, s)
	}
	d, err := bot.NewDirectory(schools)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	// A helper configured at several schools is one person when the
	// accounts say so; terminal names (defaulting to helper ids) do not.
	d.LinkPeople(PlatformMattermost, PlatformSlack)
	return d, nil
}

// school converts one validated school.
func (c *Config) school(s *School) (*bot.School, error) {
	lang := cmp.Or(s.Language, c.Language)
	tz := cmp.Or(s.Timezone, c.Timezone)
	loc, err := loadLocation(tz)
	if err != nil {
		return nil, err
	}
	parts, probs := schoolDayParts(s)
	if len(probs) > 0 {
		return nil, fmt.Errorf("day_parts: %s", probs[0].Message)
	}
	offer := s.OfferTimeout.Duration
	if offer == 0 {
		offer = c.OfferTimeout.Duration
	}
	followUp := cmp.Or(s.FollowUpAfter.Duration, c.FollowUpAfter.Duration, DefaultFollowUp)
	out := &bot.School{
		ID:               s.ID,
		Name:             s.Name,
		Language:         lang,
		Location:         loc,
		DayParts:         parts,
		FallbackChannel:  s.fallbackChannel(),
		WhenDown:         cmp.Or(s.WhenDown, defaultWhenDown(lang, s.CoordinatorTitle)),
		CoordinatorTitle: s.CoordinatorTitle,
		OfferTimeout:     offer,
		FollowUpAfter:    followUp,
		Retention:        c.Retention.Duration,
		Teams:            s.teams(),
		Kernteam:         bot.Kernteam{Channel: s.Kernteam.Channel, Reminder: s.Kernteam.Reminder, Meeting: s.Kernteam.Meeting},
		Digest:           bot.Digest{Cron: s.Digest.Cron, Channel: s.Digest.Channel},
		Successes:        bot.Successes{Channel: s.Successes.Channel, Nudge: s.Successes.Nudge},
		Today:            bot.Today{Cron: s.Today.Cron, Channel: s.Today.Channel},
		HolidayRegion:    s.HolidayRegion,
		Closing:          bot.Closing{Support: choices(s.Closing.Support), Outcomes: choices(s.Closing.Outcomes)},
		Surveys:          bot.Surveys{Cron: s.Surveys.Cron},
	}
	for _, h := range s.Holidays {
		d, err := ParseHoliday(h)
		if err != nil {
			return nil, fmt.Errorf("holidays: %w", err)
		}
		out.Holidays = append(out.Holidays, bot.Holiday{First: d.First, Last: d.Last})
	}

	groupID := map[string]string{} // id or alias, lower-cased → id
	for _, g := range s.Groups {
		out.Groups = append(out.Groups, bot.Group{ID: g.ID, Aliases: slices.Clone(g.Aliases)})
		groupID[strings.ToLower(strings.TrimSpace(g.ID))] = g.ID
		for _, a := range g.Aliases {
			groupID[strings.ToLower(strings.TrimSpace(a))] = g.ID
		}
	}

	for _, h := range s.Helpers {
		sched, err := bot.ParseSchedule(h.Schedule, parts)
		if err != nil {
			return nil, fmt.Errorf("helper %s: %w", h.id(), err)
		}
		var affinity []string
		for _, g := range h.Groups {
			if id, ok := groupID[strings.ToLower(strings.TrimSpace(g))]; ok && !slices.Contains(affinity, id) {
				affinity = append(affinity, id)
			}
		}
		out.Helpers = append(out.Helpers, bot.Helper{
			ID:       h.id(),
			Name:     h.Name,
			Role:     bot.Role(h.Role),
			Accounts: accounts(h.Mattermost, h.Slack, h.shell()),
			Schedule: sched,
			Groups:   affinity,
			Offers:   strings.TrimSpace(h.Offers),
		})
	}

	for _, co := range s.Coordinators {
		out.Coordinators = append(out.Coordinators, bot.Coordinator{
			Name:     co.Name,
			Accounts: accounts(co.Mattermost, co.Slack, co.shell()),
		})
	}

	for _, r := range s.ConsultRoles {
		out.ConsultRoles = append(out.ConsultRoles, bot.Role(r))
	}
	out.RolesPriority = DefaultRolesPriority()
	if len(s.RolesPriority) > 0 {
		out.RolesPriority = make([]bot.Role, len(s.RolesPriority))
		for i, r := range s.RolesPriority {
			out.RolesPriority[i] = bot.Role(r)
		}
	}
	// Last: each language variant is a copy of the complete school.
	langs := s.Languages
	if langs == nil {
		langs = c.Languages
	}
	for _, l := range langs {
		out.AllowLanguage(l, cmp.Or(s.WhenDown, defaultWhenDown(l, s.CoordinatorTitle)))
	}
	return out, nil
}

// accounts lists a person's accounts in the order they are tried where a
// platform has none (bot.Helper.AddressOn): Mattermost, whose usernames are
// lower case, Slack, the terminal chat.
func accounts(mattermost, slack, shell string) bot.Accounts {
	all := []bot.Address{
		{Platform: PlatformMattermost, Handle: strings.ToLower(mattermost)},
		{Platform: PlatformSlack, Handle: slack},
		{Platform: PlatformShell, Handle: shell},
	}
	return slices.Clone(slices.DeleteFunc(all, func(a bot.Address) bool { return a.Handle == "" }))
}

// teams are the platforms the school is on: its Mattermost team and Slack
// workspace when it names them, and the terminal chat, which has no teams
// and shows every school.
func (s *School) teams() []bot.TeamLink {
	var out []bot.TeamLink
	if s.MattermostTeam != "" {
		out = append(out, bot.TeamLink{Platform: PlatformMattermost, Team: s.MattermostTeam})
	}
	if s.SlackTeam != "" {
		out = append(out, bot.TeamLink{Platform: PlatformSlack, Team: s.SlackTeam})
	}
	return append(out, bot.TeamLink{Platform: PlatformShell})
}

// id is the helper's id: as configured, else a slug of the name.
func (h *Helper) id() string {
	if h.ID != "" {
		return h.ID
	}
	return slug(h.Name)
}

// shell is the helper's name in the terminal chat: as configured, else the
// Mattermost username, else the helper id.
func (h *Helper) shell() string {
	return cmp.Or(h.Shell, strings.ToLower(h.Mattermost), h.id())
}

// shell is the coordinator's name in the terminal chat: as configured, else
// the Mattermost username, else a slug of the name.
func (co *Coordinator) shell() string {
	return cmp.Or(co.Shell, strings.ToLower(co.Mattermost), slug(co.Name))
}

// fallbackChannel is where requests nobody can take go.
func (s *School) fallbackChannel() string {
	return cmp.Or(s.FallbackChannel, s.Kernteam.Channel)
}

// slug makes an id from a name: "Jan-Willem de Boer" → "jan-willem-de-boer",
// "Zoë" → "zoe". Letters without a plain form are dropped.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if f, ok := plainLetter[r]; ok {
			r = f
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 64 { // the longest id
		out = strings.TrimRight(out[:64], "-")
	}
	return out
}

// plainLetter folds the accented letters of Dutch and nearby languages.
var plainLetter = func() map[rune]rune {
	m := map[rune]rune{}
	for plain, accented := range map[rune]string{
		'a': "àáâãäåā", 'c': "çćč", 'e': "èéêëēė", 'i': "ìíîïī", 'n': "ñń",
		'o': "òóôõöøō", 'u': "ùúûüū", 'y': "ýÿ", 's': "śš", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = plain
		}
	}
	return m
}()
