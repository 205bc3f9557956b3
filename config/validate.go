package config

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/cronspec"
	"github.com/hulpbot/hulpbot/internal/redisurl"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Field is the path of the field in the YAML, e.g.
	// "schools[0].helpers[1].schedule"; "" for the file as a whole.
	Field string
	// Message says what is wrong, e.g. `"9" is not one of the school's groups`.
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// ValidationError lists every problem found in a configuration. Match it
// with errors.As.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Validate checks the configuration and returns a *ValidationError listing
// every problem, or nil. An empty RedisURL passes (the demo's embedded
// Redis); Parse requires one.
func (c *Config) Validate() error {
	v := validator{}
	v.config(c)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

// Limits checked by validation.
const (
	MinOfferTimeout = 10 * time.Second
	MaxOfferTimeout = time.Hour
	MinRetention    = time.Hour
	// A note must outlast the delivery of the messages that carry it
	// (retries run about an hour), and no longer than a school day.
	MinNoteGrace = 5 * time.Minute
	MaxNoteGrace = 24 * time.Hour
	// The audit trail must cover a school year's questions, and need not
	// outlive what it is about by much.
	MinAuditRetention = 30 * 24 * time.Hour
	MaxAuditRetention = 5 * 365 * 24 * time.Hour
	// A delivery lease must outlast one attempt (at most half the lease).
	MinDeliveryLease = 5 * time.Second
	MaxDeliveryLease = 10 * time.Minute
	// MinActionSecret is the shortest action_secret accepted, in bytes.
	MinActionSecret = 16
)

var (
	// idRE is a school or helper id: it ends up in Redis keys and button
	// payloads, so no spaces, braces or colons.
	idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	// roleRE is a role name as roles_priority lists it.
	roleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	// Mattermost usernames: a letter, then 2 to 21 letters, digits, . - _.
	mattermostUserRE = regexp.MustCompile(`^(?i)[a-z][a-z0-9._-]{2,21}$`)
	// Slack member ids (U…, W… on Enterprise Grid) and team ids (T…, E…).
	slackUserRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackTeamRE = regexp.MustCompile(`^[TE][A-Z0-9]{2,}$`)
	// shellRE is a name in the terminal chat: /als anne.
	shellRE = regexp.MustCompile(`^(?i)[a-z0-9][a-z0-9._-]*$`)
)

// validator collects problems. unset names the ${VAR}s that were empty per
// field; skip holds fields already reported while decoding, so they are not
// reported twice.
type validator struct {
	unset    map[string][]string
	skip     map[string]bool
	problems []Problem

	// setup: read for mattermost-setup, which makes the tokens.
	setup bool

	schoolIDs map[string]int // id → school index
	teams     map[string]int // "platform/team" → school index

	// The top-level language and languages, which schools inherit.
	language     string
	topLanguages []string
}

func (v *validator) add(field, format string, args ...any) {
	if v.skip[field] {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if vars := v.unset[field]; len(vars) > 0 {
		msg += " (" + notSet(vars) + ")"
	}
	v.problems = append(v.problems, Problem{Field: field, Message: msg})
}

// required reports an empty field: "empty", or which variable left it empty.
func (v *validator) required(field, value string) bool {
	return v.requiredMsg(field, value, "empty")
}

func (v *validator) requiredMsg(field, value, msg string) bool {
	if strings.TrimSpace(value) != "" {
		return true
	}
	if v.skip[field] {
		return false
	}
	if vars := v.unset[field]; len(vars) > 0 {
		msg = notSet(vars)
	}
	v.problems = append(v.problems, Problem{Field: field, Message: msg})
	return false
}

func notSet(vars []string) string {
	refs := make([]string, len(vars))
	for i, name := range vars {
		refs[i] = "${" + name + "}"
	}
	if len(refs) == 1 {
		return refs[0] + " is not set"
	}
	return strings.Join(refs, ", ") + " are not set"
}

// oneOf checks value against the allowed values: `"fr" is not nl or en`.
func (v *validator) oneOf(field, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.add(field, "%q is not %s", value, orList(allowed))
	}
}

// languages checks a list of languages people may read: nl and en, each
// once, the school's own language among them.
func (v *validator) languages(field string, langs []string, own string) {
	if langs == nil {
		return
	}
	if len(langs) == 0 {
		v.add(field, "is empty: leave it out for only the school's language")
		return
	}
	for i, l := range langs {
		v.oneOf(fmt.Sprintf("%s[%d]", field, i), l, "nl", "en")
		if slices.Index(langs, l) != i {
			v.add(fmt.Sprintf("%s[%d]", field, i), "%q is listed twice", l)
		}
	}
	if own != "" && !slices.Contains(langs, own) {
		v.add(field, "does not hold the school's language %q", own)
	}
}

func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func (v *validator) timezone(field, tz string) {
	if tz == "Local" {
		v.add(field, `"Local" depends on the server: name a zone like Europe/Amsterdam`)
		return
	}
	if _, err := loadLocation(tz); err != nil {
		v.add(field, "unknown time zone %q", tz)
	}
}

func (v *validator) offerTimeout(field string, d time.Duration) {
	if d < MinOfferTimeout || d > MaxOfferTimeout {
		v.add(field, "%s is not between %s and %s", formatDuration(d), formatDuration(MinOfferTimeout), formatDuration(MaxOfferTimeout))
	}
}

// followUp: a reminder sooner than 30s is noise; later than an hour too late.
func (v *validator) followUp(field string, d time.Duration) {
	if d < 30*time.Second || d > time.Hour {
		v.add(field, "%s is not between 30s and 1h", formatDuration(d))
	}
}

func (v *validator) httpURL(field, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(field, "%q is not an http:// or https:// URL", raw)
	}
}

func (v *validator) config(c *Config) {
	v.schoolIDs = map[string]int{}
	v.teams = map[string]int{}

	if v.required("language", c.Language) {
		v.oneOf("language", c.Language, "nl", "en")
	}
	v.languages("languages", c.Languages, c.Language)
	v.language, v.topLanguages = c.Language, c.Languages
	if v.required("timezone", c.Timezone) {
		v.timezone("timezone", c.Timezone)
	}
	v.listeners(c)
	if c.RedisURL != "" {
		// The problem, never the URL: it may hold a password.
		if _, err := redisurl.Parse(c.RedisURL); err != nil {
			v.add("redis_url", "%s", strings.TrimPrefix(err.Error(), redisurl.ErrURL.Error()+": "))
		}
	}
	// Braces would break the per-school hash tag that keeps a school's keys
	// in one cluster slot.
	if c.RedisPrefix == "" || strings.ContainsAny(c.RedisPrefix, "{} \t\n") {
		v.add("redis_prefix", "%q must be a non-empty word without {, } or spaces", c.RedisPrefix)
	}
	if c.FollowUpAfter.Duration != 0 {
		v.followUp("followup_after", c.FollowUpAfter.Duration)
	}
	if c.OfferTimeout.Duration == 0 {
		v.required("offer_timeout", "")
	} else {
		v.offerTimeout("offer_timeout", c.OfferTimeout.Duration)
	}
	if c.Retention.Duration == 0 {
		v.required("retention", "")
	} else if c.Retention.Duration < MinRetention {
		v.add("retention", "%s is too short: keep requests at least %s", formatDuration(c.Retention.Duration), formatDuration(MinRetention))
	}
	if d := c.Retention.Statistics.Duration; d != 0 && d < MinStatisticsRetention {
		v.add("retention.statistics", "%s is too short: keep the counters at least %s, so a school year's overview lasts to its end", formatDuration(d), formatDuration(MinStatisticsRetention))
	}
	if d := c.DeliveryLease.Duration; d != 0 && (d < MinDeliveryLease || d > MaxDeliveryLease) {
		v.add("delivery_lease", "%s is out of range: between %s and %s", formatDuration(d), formatDuration(MinDeliveryLease), formatDuration(MaxDeliveryLease))
	} else if short := c.shortestOfferTimeout(); d != 0 && short > 0 && d >= short {
		// An offer a stopped process held reaches its helper when the
		// lease ends: that must be before the offer's deadline.
		v.add("delivery_lease", "%s must be shorter than the shortest offer_timeout (%s), so an offer a stopped process held still reaches its helper in time", formatDuration(d), formatDuration(short))
	}
	if d := c.Privacy.NoteGrace.Duration; d != 0 && (d < MinNoteGrace || d > MaxNoteGrace) {
		v.add("privacy.note_grace", "%s is out of range: between %s and %s", formatDuration(d), formatDuration(MinNoteGrace), formatDuration(MaxNoteGrace))
	}
	if d := c.Privacy.AuditRetention.Duration; d != 0 && (d < MinAuditRetention || d > MaxAuditRetention) {
		v.add("privacy.audit_retention", "%s is out of range: between %s and %s", formatDuration(d), formatDuration(MinAuditRetention), formatDuration(MaxAuditRetention))
	}
	for i, f := range c.HolidayFeeds {
		v.holidayFeed(fmt.Sprintf("holiday_feeds[%d]", i), f)
	}
	if c.LogFormat != "" {
		v.oneOf("log_format", c.LogFormat, "text", "json")
	}
	if m := c.Mattermost; m != nil {
		if v.required("mattermost.url", m.URL) {
			v.httpURL("mattermost.url", m.URL)
		}
		if !v.setup { // mattermost-setup makes them
			v.required("mattermost.bot_token", m.BotToken)
			v.commandTokens(c)
		}
		// The buttons call public_url: without it nobody could accept.
		if v.required("mattermost.public_url", m.PublicURL) {
			v.httpURL("mattermost.public_url", m.PublicURL)
		}
		if m.ActionSecret != "" && len(m.ActionSecret) < MinActionSecret {
			v.add("mattermost.action_secret", "too short: use at least %d characters, or leave it empty to have one generated", MinActionSecret)
		}
	}
	if c.Slack != nil {
		v.slack(c)
	}
	if len(c.Schools) == 0 {
		v.add("schools", "empty")
	}
	for i := range c.Schools {
		v.school(c, i)
	}
	v.yearweb(c)
}

func (v *validator) school(c *Config, i int) {
	s := &c.Schools[i]
	p := fmt.Sprintf("schools[%d]", i)

	if v.required(p+".id", s.ID) {
		if !idRE.MatchString(s.ID) {
			v.add(p+".id", "%q is not an id: use lowercase letters, digits, - and _", s.ID)
		} else if _, dup := v.schoolIDs[s.ID]; dup {
			v.add(p+".id", "%q is used twice", s.ID)
		} else {
			v.schoolIDs[s.ID] = i
		}
	}
	v.required(p+".name", s.Name)
	if s.Language != "" {
		v.oneOf(p+".language", s.Language, "nl", "en")
	}
	if s.Languages != nil {
		v.languages(p+".languages", s.Languages, cmp.Or(s.Language, v.language))
	} else if s.Language != "" && len(v.topLanguages) > 0 {
		v.languages(p+".languages (from the top level)", v.topLanguages, s.Language)
	}
	if s.Timezone != "" {
		v.timezone(p+".timezone", s.Timezone)
	}
	if s.OfferTimeout.Duration != 0 {
		v.offerTimeout(p+".offer_timeout", s.OfferTimeout.Duration)
	}
	if s.FollowUpAfter.Duration != 0 {
		v.followUp(p+".followup_after", s.FollowUpAfter.Duration)
	}
	v.team(p+".mattermost_team", PlatformMattermost, s.MattermostTeam, i)
	v.team(p+".slack_team", PlatformSlack, s.SlackTeam, i)
	v.closing(p, s.Closing)
	if s.Surveys.Cron != "" {
		v.cron(p+".surveys.cron", s.Surveys.Cron)
	}

	groups := v.groups(p, s)

	if s.FallbackChannel == "" && s.Kernteam.Channel == "" {
		v.requiredMsg(p+".fallback_channel", "", "empty: requests nobody can take are posted there (or set kernteam.channel)")
	}
	v.channel(p+".fallback_channel", s.FallbackChannel)

	v.helpers(p, s, groups, v.dayParts(p, s))
	v.rolesPriority(p, s)

	for k, co := range s.Coordinators {
		cp := fmt.Sprintf("%s.coordinators[%d]", p, k)
		v.required(cp+".name", co.Name)
		v.accounts(cp, co.Mattermost, co.Slack, co.Shell)
	}

	kp := p + ".kernteam"
	v.channel(kp+".channel", s.Kernteam.Channel)
	if s.Kernteam.Reminder != "" {
		v.cron(kp+".reminder", s.Kernteam.Reminder)
		v.requiredMsg(kp+".channel", s.Kernteam.Channel, "empty: the reminder needs a channel")
	}
	sp := p + ".successes"
	v.channel(sp+".channel", s.Successes.Channel)
	if n := s.Successes.Nudge; n != "" && n != bot.NudgeOff {
		v.cron(sp+".nudge", n)
	}
	tp := p + ".today"
	v.channel(tp+".channel", s.Today.Channel)
	if s.Today.Cron != "" && s.Today.Cron != bot.TodayOff {
		v.cron(tp+".cron", s.Today.Cron)
	}
	dp := p + ".digest"
	v.channel(dp+".channel", s.Digest.Channel)
	if s.Digest.Cron != "" {
		v.cron(dp+".cron", s.Digest.Cron)
		if s.Digest.Channel == "" && len(s.Coordinators) == 0 {
			v.requiredMsg(dp+".channel", "", "empty and no coordinators: nobody gets the digest")
		}
	}

	if s.HolidayRegion != "" {
		v.oneOf(p+".holiday_region", s.HolidayRegion, "noord", "midden", "zuid")
	}
	for k, h := range s.Holidays {
		if _, err := ParseHoliday(h); err != nil {
			v.add(fmt.Sprintf("%s.holidays[%d]", p, k), "%s", err)
		}
	}
}

// team checks a team link: its shape, and that no other school has it.
func (v *validator) team(field string, p bot.Platform, team string, school int) {
	if team == "" {
		return
	}
	switch {
	case p == PlatformSlack && !slackTeamRE.MatchString(team):
		v.add(field, "%q is not a Slack team id like T0DEVAART1", team)
		return
	case strings.ContainsFunc(team, isSpace):
		v.add(field, "%q is not a team name: no spaces", team)
		return
	}
	key := string(p) + "/" + strings.ToLower(team)
	if other, dup := v.teams[key]; dup {
		v.add(field, "%q is already linked to schools[%d]", team, other)
		return
	}
	v.teams[key] = school
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// channel checks a channel name, if set.
func (v *validator) channel(field, name string) {
	switch {
	case name == "":
	case strings.HasPrefix(name, "#"), strings.HasPrefix(name, "~"):
		v.add(field, "%q: write the channel name without %c", name, name[0])
	case strings.ContainsFunc(name, isSpace):
		v.add(field, "%q is not a channel name: no spaces", name)
	}
}

// groups checks the school's groups and returns every name (id or alias,
// lower-cased) that resolves to a group id.
func (v *validator) groups(p string, s *School) map[string]string {
	names := map[string]string{}
	if len(s.Groups) == 0 {
		v.add(p+".groups", "empty")
	}
	for j, g := range s.Groups {
		gp := fmt.Sprintf("%s.groups[%d]", p, j)
		if vars := v.unset[gp+".id"]; len(vars) > 0 && v.unset[gp] == nil {
			v.unset[gp] = vars // a plain "${GROUP}" has no id key
		}
		if !v.required(gp, g.ID) {
			continue
		}
		if rest, ok := cutFold(g.ID, "groep "); ok {
			v.add(gp, "%q: write the group without \"groep\", like %q", g.ID, rest)
		}
		v.groupName(gp, g.ID, g.ID, names)
		for k, a := range g.Aliases {
			ap := fmt.Sprintf("%s.aliases[%d]", gp, k)
			if v.required(ap, a) {
				v.groupName(ap, a, g.ID, names)
			}
		}
	}
	return names
}

func (v *validator) groupName(field, name, id string, names map[string]string) {
	key := strings.ToLower(strings.TrimSpace(name))
	if _, dup := names[key]; dup {
		v.add(field, "%q is used twice", name)
		return
	}
	names[key] = id
}

// cutFold cuts prefix from s, ignoring case.
func cutFold(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return strings.TrimSpace(s[len(prefix):]), true
	}
	return s, false
}

// dayParts parses the school's day parts, sorted by start; those with
// problems are left out (schedules are checked against the rest).
func (v *validator) dayParts(p string, s *School) []bot.DayPart {
	parts, probs := schoolDayParts(s)
	for _, pr := range probs {
		field := p + ".day_parts"
		if pr.Field != "" {
			field += "." + pr.Field
		}
		v.add(field, "%s", pr.Message)
	}
	return parts
}

// schoolDayParts are the school's day parts: its own, else its preset's.
func schoolDayParts(s *School) ([]bot.DayPart, []Problem) {
	if len(s.DayParts) == 0 {
		switch s.DayPartsPreset {
		case "", "school":
		case "bso":
			return bot.BSODayParts(), nil
		default:
			return bot.DefaultDayParts(), []Problem{{Message: fmt.Sprintf("preset %q is not school or bso", s.DayPartsPreset)}}
		}
	}
	return parseDayParts(s.DayParts)
}

// parseDayParts parses a day_parts mapping, sorted by start, with problems
// whose Field is the day part's name ("" for the mapping as a whole). An
// empty mapping gives bot.DefaultDayParts.
func parseDayParts(spans map[string]string) ([]bot.DayPart, []Problem) {
	if len(spans) == 0 {
		return bot.DefaultDayParts(), nil
	}
	names := make([]string, 0, len(spans))
	for name := range spans {
		names = append(names, name)
	}
	slices.Sort(names)
	var parts []bot.DayPart
	var probs []Problem
	seen := map[string]bool{}
	for _, name := range names {
		part, err := bot.ParseDayPart(name, spans[name])
		switch {
		case err != nil:
			probs = append(probs, Problem{Field: name, Message: err.Error()})
		case isScheduleWord(part.Name):
			probs = append(probs, Problem{Field: name, Message: fmt.Sprintf("%q is a day or a schedule word, not a day part name", name)})
		case seen[part.Name]:
			probs = append(probs, Problem{Field: name, Message: fmt.Sprintf("%q is used twice", part.Name)})
		default:
			seen[part.Name] = true
			parts = append(parts, part)
		}
	}
	slices.SortStableFunc(parts, func(a, b bot.DayPart) int { return a.Start - b.Start })
	if err := bot.CheckDayParts(parts); err != nil {
		probs = append(probs, Problem{Message: err.Error()})
	}
	return parts, probs
}

// scheduleWords are words bot.ParseSchedule reads as days or as part of
// "altijd" and "hele dag": a day part with such a name could never be meant.
var scheduleWords = []string{
	"ma", "maandag", "mo", "mon", "monday", "di", "dinsdag", "tu", "tue", "tuesday",
	"wo", "woensdag", "we", "wed", "wednesday", "do", "donderdag", "th", "thu", "thursday",
	"vr", "vrijdag", "fr", "fri", "friday", "za", "zaterdag", "sa", "sat", "saturday",
	"zo", "zondag", "su", "sun", "sunday", "altijd", "always", "hele", "dag",
}

func isScheduleWord(name string) bool {
	if slices.Contains(scheduleWords, name) {
		return true
	}
	from, to, ok := strings.Cut(name, "-") // a range like ma-vr
	return ok && slices.Contains(scheduleWords, from) && slices.Contains(scheduleWords, to)
}

func (v *validator) helpers(p string, s *School, groups map[string]string, parts []bot.DayPart) {
	if len(s.Helpers) == 0 {
		v.add(p+".helpers", "empty: nobody to ask for help")
	}
	ids := map[string]int{}
	accounts := map[string]int{} // "platform/account" → helper index
	for j := range s.Helpers {
		h := &s.Helpers[j]
		hp := fmt.Sprintf("%s.helpers[%d]", p, j)
		before := len(v.problems)
		v.required(hp+".name", h.Name)

		switch id := h.id(); {
		case h.ID != "" && !idRE.MatchString(h.ID):
			v.add(hp+".id", "%q is not an id: use lowercase letters, digits, - and _", h.ID)
		case id == "" && strings.TrimSpace(h.Name) != "":
			v.add(hp+".id", "empty, and the name %q gives none: set an id", h.Name)
		case id == "":
		case h.ID == "" && hasKey(ids, id):
			v.add(hp+".id", "%q, made from the name, is used twice: give one of them an id", id)
		case hasKey(ids, id):
			v.add(hp+".id", "%q is used twice", id)
		default:
			ids[id] = j
		}

		if v.required(hp+".role", h.Role) && !roleRE.MatchString(h.Role) {
			v.add(hp+".role", "%q is not a role name: use lowercase letters, digits and -, like cjg-coach", h.Role)
		}

		if v.accounts(hp, h.Mattermost, h.Slack, h.Shell) {
			for _, a := range []struct {
				field    string
				platform bot.Platform
				account  string
			}{
				{"mattermost", PlatformMattermost, strings.ToLower(h.Mattermost)},
				{"slack", PlatformSlack, h.Slack},
				{"shell", PlatformShell, h.shell()},
			} {
				if a.account == "" {
					continue
				}
				key := string(a.platform) + "/" + strings.ToLower(a.account)
				other, dup := accounts[key]
				switch {
				case !dup:
					accounts[key] = j
				case a.field == "shell" && h.Shell == "":
					// A default shell name clashes when its source (the
					// username or id) does; say so only if that went unsaid.
					if len(v.problems) == before {
						v.add(hp+".shell", "%q, the default, is also the shell account of helpers[%d]: set shell", a.account, other)
					}
				default:
					v.add(hp+"."+a.field, "%q is also the %s account of helpers[%d]", a.account, a.platform, other)
				}
			}
		}

		if len(h.Schedule) == 0 {
			v.add(hp+".schedule", `empty: write when this helper is on duty, like "ma ochtend" or "altijd"`)
		}
		if len(parts) > 0 {
			for _, e := range h.Schedule {
				if _, err := bot.ParseSchedule([]string{e}, parts); err != nil {
					v.add(hp+".schedule", "%s", err)
				}
			}
		}
		for _, g := range h.Groups {
			if _, ok := groups[strings.ToLower(strings.TrimSpace(g))]; !ok {
				v.add(hp+".groups", "%q is not one of the school's groups", g)
			}
		}
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// accounts checks the accounts of a person; false when there are none.
func (v *validator) accounts(path, mattermost, slack, shell string) bool {
	if strings.TrimSpace(mattermost) == "" && strings.TrimSpace(slack) == "" && strings.TrimSpace(shell) == "" {
		v.add(path, "needs a mattermost, slack or shell account")
		return false
	}
	switch {
	case mattermost == "":
	case strings.HasPrefix(mattermost, "@"):
		v.add(path+".mattermost", "%q: write the username without @", mattermost)
	case !mattermostUserRE.MatchString(mattermost):
		v.add(path+".mattermost", "%q is not a Mattermost username: 3 to 22 letters, digits, ., - or _, starting with a letter", mattermost)
	}
	if slack != "" && !slackUserRE.MatchString(slack) {
		v.add(path+".slack", "%q is not a Slack member id like U0ANNE0001", slack)
	}
	if shell != "" && !shellRE.MatchString(shell) {
		v.add(path+".shell", "%q is not a shell name: one word of letters, digits, ., - or _", shell)
	}
	return true
}

func (v *validator) rolesPriority(p string, s *School) {
	v.roleList(p+".roles_priority", s, s.RolesPriority)
	v.roleList(p+".consult_roles", s, s.ConsultRoles)
}

// roleList checks a list of roles: each a role of a helper, once.
func (v *validator) roleList(p string, s *School, list []string) {
	roles := map[string]bool{}
	for _, h := range s.Helpers {
		roles[h.Role] = true
	}
	seen := map[string]bool{}
	for k, r := range list {
		rp := fmt.Sprintf("%s[%d]", p, k)
		switch {
		case !v.required(rp, r):
		case seen[r]:
			v.add(rp, "%q is used twice", r)
		case len(s.Helpers) > 0 && !roles[r]:
			seen[r] = true
			v.add(rp, "%q is no helper's role", r)
		default:
			seen[r] = true
		}
	}
}

// cronProbe is the moment a cron expression must fire after, to be useful.
var cronProbe = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (v *validator) cron(field, spec string) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		v.add(field, "%q: leave out the time zone; cron runs in the school's time zone", spec)
		return
	}
	sched, err := cronspec.Parse(spec, nil)
	if err != nil {
		v.add(field, "%q is not a cron expression like \"15 8 * * MON\": %v", spec, err)
		return
	}
	if sched.Next(cronProbe).IsZero() {
		v.add(field, "%q never fires", spec)
	}
}

// holidayFeed checks a school-holiday feed: an http(s) URL with a host, or
// a file path.
func (v *validator) holidayFeed(field, src string) {
	switch {
	case strings.TrimSpace(src) == "":
		v.add(field, "empty: a file path or an http(s) URL of the school-holiday feed")
	case strings.Contains(src, "://"):
		u, err := url.Parse(src)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(field, "%q is not an http(s) URL", src)
		}
	}
}
