package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Platform names a chat platform a person or channel lives on. The domain
// names none: each platform's adapter declares its own, and the
// configuration links people and schools to it (Accounts, TeamLink).
type Platform string

// Role is what a helper does in the team; the school orders roles by priority.
type Role string

// Roles from the field; schools may configure others.
const (
	RoleJeugdhulpverlener Role = "jeugdhulpverlener"
	RoleCJGCoach          Role = "cjg-coach"
)

// School is one school, kindcentrum or childcare location with its team.
type School struct {
	ID       string
	Name     string
	Language string // "nl" or "en"
	Location *time.Location

	Groups        []Group
	Helpers       []Helper
	Coordinators  []Coordinator
	RolesPriority []Role
	// ConsultRoles are the roles a consult (meedenken) goes to, in order;
	// empty: DefaultConsultRoles.
	ConsultRoles []Role
	DayParts     []DayPart

	FallbackChannel string
	// WhenDown is what a teacher should do when hulpbot cannot reach its
	// store, e.g. "loop even binnen bij de IB'er".
	WhenDown     string
	OfferTimeout time.Duration
	// FollowUpAfter is when a requester whose request nobody accepted yet
	// hears how it stands; zero for never.
	FollowUpAfter time.Duration
	Retention     time.Duration

	// Teams are the platforms the school is on, at most one link each.
	Teams []TeamLink

	// The weekly rhythm (weekly.go): the kernteam and its reminder, the
	// coordinators' digest, and the days the school is closed.
	Kernteam  Kernteam
	Digest    Digest
	Successes Successes
	Today     Today
	// CoordinatorTitle is what the location calls its coordinator in every
	// text ("pedagogisch coach", "locatiemanager"); "" for the IB'er.
	CoordinatorTitle string
	HolidayRegion    string    // noord, midden or zuid: the government feed's region
	Holidays         []Holiday // the school's own closed days (studiedagen)

	// Closing is what a helper is asked at closing (closing.go).
	Closing Closing
	// Surveys is when the surveys go out (surveys.go).
	Surveys Surveys

	// variants is the school in each other language its people may read
	// (AllowLanguage, Speaking).
	variants map[string]*School
}

// TeamLink puts a school on a chat platform. Team is what that platform's
// adapter knows the school by (a team name, a workspace id); "" on a
// platform without teams, like the terminal chat.
type TeamLink struct {
	Platform Platform
	Team     string
}

// TeamOn is the school's team on platform p; ok is false when the school is
// not on p.
func (s *School) TeamOn(p Platform) (team string, ok bool) {
	for _, l := range s.Teams {
		if l.Platform == p {
			return l.Team, true
		}
	}
	return "", false
}

// Group is a class or childcare group, e.g. "5", "1-2a" or "kleuters".
type Group struct {
	ID      string   // as configured, shown to people: "5", "1-2a", "Dolfijnen"
	Aliases []string // other names people type: "kleuters", "de dolfijnen"
}

// Helper is a youth care worker, CJG coach or other professional who can be
// asked for help in the moment.
type Helper struct {
	ID       string // stable key in the store, from config
	Name     string // shown to people: "Anne"
	Role     Role
	Accounts Accounts
	Schedule Schedule
	Groups   []string // group ids this helper knows best (affinity), optional
	// Offers is the helper's own line about what they offer the team
	// ("gesprekjes met kinderen, meedenken over een groep"), shown by
	// "/hulp wie-is-wie"; optional.
	Offers string
	// AlsoAt are the other schools this person helps at (the same
	// Mattermost username or Slack member id there), set by
	// Directory.LinkPeople: an offer then names its school.
	AlsoAt []string
}

// Coordinator receives digests and may ask for the overview (IB'er, director).
type Coordinator struct {
	Name     string
	Accounts Accounts
}

// Accounts are a person's handles, at most one per platform, in the order
// the configuration lists them: the first is where the person is reached
// when they have no account on the platform at hand (AddressOn). (A short
// slice, not a map: a thousand schools configure ten thousand people.)
type Accounts []Address

// On is the handle on platform p, "" when there is none.
func (a Accounts) On(p Platform) string {
	for _, x := range a {
		if x.Platform == p {
			return x.Handle
		}
	}
	return ""
}

// Address is a person on a platform: the handle the platform adapter uses to
// reach them (a username, a member id, a name in the terminal chat).
type Address struct {
	Platform Platform
	Handle   string
}

func (a Address) String() string { return string(a.Platform) + ":" + a.Handle }

// Identity is the address as addresses are compared: handles are
// case-insensitive (School.Helper), so "mattermost:Juf.Els" is
// "mattermost:juf.els". A person's pseudonym is made of it.
func (a Address) Identity() string { return string(a.Platform) + ":" + strings.ToLower(a.Handle) }

// Actor is the person who triggered a use case.
type Actor struct {
	Address
	Name string // display name as the platform gives it; may be empty
}

// Helper returns the helper this actor is, if any.
func (s *School) Helper(a Address) (*Helper, bool) {
	for i := range s.Helpers {
		h := &s.Helpers[i]
		if acc := h.Accounts.On(a.Platform); acc != "" && strings.EqualFold(acc, a.Handle) {
			return h, true
		}
	}
	return nil, false
}

// HelperByID returns the configured helper with this id.
func (s *School) HelperByID(id string) (*Helper, bool) {
	for i := range s.Helpers {
		if s.Helpers[i].ID == id {
			return &s.Helpers[i], true
		}
	}
	return nil, false
}

// IsCoordinator reports whether the actor is a configured coordinator.
func (s *School) IsCoordinator(a Address) bool {
	_, ok := s.Coordinator(a)
	return ok
}

// IsKernteam reports whether a is one of the school's helpers or
// coordinators: the people who meet in the kernteam.
func (s *School) IsKernteam(a Address) bool {
	_, helper := s.Helper(a)
	return helper || s.IsCoordinator(a)
}

// Coordinator returns the configured coordinator this actor is, if any.
func (s *School) Coordinator(a Address) (*Coordinator, bool) {
	for i := range s.Coordinators {
		c := &s.Coordinators[i]
		if acc := c.Accounts.On(a.Platform); acc != "" && strings.EqualFold(acc, a.Handle) {
			return c, true
		}
	}
	return nil, false
}

// Group returns the configured group with this id.
func (s *School) Group(id string) (Group, bool) {
	for _, g := range s.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// AddressOn is where to reach a helper: on the platform the request came
// from, else on the first of their accounts; ok is false when the helper
// has no account at all.
func (h *Helper) AddressOn(p Platform) (Address, bool) {
	if acc := h.Accounts.On(p); acc != "" {
		return Address{Platform: p, Handle: acc}, true
	}
	for _, a := range h.Accounts {
		if a.Handle != "" {
			return a, true
		}
	}
	return Address{}, false
}

// rolePriority is the position of a role in the school's priority list;
// roles not listed come after all listed ones.
func (s *School) rolePriority(r Role) int {
	if i := slices.Index(s.RolesPriority, r); i >= 0 {
		return i
	}
	return len(s.RolesPriority)
}

// Validate checks the invariants the rest of the domain relies on.
func (s *School) Validate() error {
	switch {
	case s.ID == "":
		return fmt.Errorf("school: id is empty")
	case s.Location == nil:
		return fmt.Errorf("school %s: no time zone", s.ID)
	case len(s.Groups) == 0:
		return fmt.Errorf("school %s: no groups", s.ID)
	case s.OfferTimeout <= 0:
		return fmt.Errorf("school %s: offer timeout must be positive", s.ID)
	case s.Retention <= 0:
		return fmt.Errorf("school %s: retention must be positive", s.ID)
	}
	seen := map[string]bool{}
	for _, h := range s.Helpers {
		if h.ID == "" || seen[h.ID] {
			return fmt.Errorf("school %s: helper id %q is empty or not unique", s.ID, h.ID)
		}
		seen[h.ID] = true
	}
	return nil
}

// Speaking is the school as a person who reads lang sees it: the same
// school, its texts in lang. A language the school does not allow (see
// AllowLanguage), or "", is the school itself. The copy shares everything
// else with the school, and the store knows both by the same ID; channel
// posts use the school itself, in its own language.
func (s *School) Speaking(lang string) *School {
	if s == nil || lang == "" || lang == s.Language {
		return s
	}
	if v, ok := s.variants[lang]; ok {
		return v
	}
	return s
}

// AllowLanguage lets the school's people read lang too, with whenDown the
// school's advice for when hulpbot is down in that language. Call it once
// the school is complete: the variant is a copy made now.
func (s *School) AllowLanguage(lang, whenDown string) {
	if lang == s.Language || lang == "" {
		return
	}
	v := *s
	v.Language, v.WhenDown, v.variants = lang, whenDown, nil
	if s.variants == nil {
		s.variants = map[string]*School{}
	}
	s.variants[lang] = &v
}

// Languages are the languages the school's people may each read: the
// school's own first.
func (s *School) Languages() []string {
	out := []string{s.Language}
	for l := range s.variants {
		out = append(out, l)
	}
	slices.Sort(out[1:])
	return out
}
