package bot

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestNextSchoolDayEnd(t *testing.T) {
	sc := testSchool(t) // day parts end at 17:00
	autumn := Holiday{First: time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), Name: "Herfstvakantie"}
	studiedag := Holiday{First: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name     string
		now      time.Time
		holidays []Holiday
		want     time.Time
	}{
		{"monday morning: tuesday", at(2026, 11, 23, 9, 0), nil, at(2026, 11, 24, 17, 0)},
		{"monday late evening: tuesday", at(2026, 11, 23, 23, 30), nil, at(2026, 11, 24, 17, 0)},
		{"thursday: friday", at(2026, 11, 26, 10, 0), nil, at(2026, 11, 27, 17, 0)},
		{"thursday before a studiedag: monday", at(2026, 11, 26, 10, 0), []Holiday{studiedag}, at(2026, 11, 30, 17, 0)},
		{"friday: monday", at(2026, 11, 27, 10, 0), nil, at(2026, 11, 30, 17, 0)},
		{"saturday: monday", at(2026, 11, 28, 10, 0), nil, at(2026, 11, 30, 17, 0)},
		{"friday before the autumn holiday: the monday after", at(2026, 10, 16, 14, 0), []Holiday{autumn}, at(2026, 10, 26, 17, 0)},
		{"in the holiday: the monday after", at(2026, 10, 21, 10, 0), []Holiday{autumn}, at(2026, 10, 26, 17, 0)},
		// Summer time ends on Sunday 25 October: 17:00 is still 17:00 local.
		{"over the clock change", at(2026, 10, 23, 10, 0), nil, at(2026, 10, 26, 17, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextSchoolDayEnd(sc, tt.now, tt.holidays); !got.Equal(tt.want) {
				t.Errorf("NextSchoolDayEnd(%s) = %s; want %s", tt.now, got, tt.want)
			}
		})
	}
	sc.DayParts = []DayPart{{Name: "ochtend", Start: 8 * 60, End: 12 * 60}, {Name: "middag", Start: 12*60 + 30, End: 14*60 + 30}}
	if got := NextSchoolDayEnd(sc, at(2026, 11, 23, 9, 0), nil); !got.Equal(at(2026, 11, 24, 14, 30)) {
		t.Errorf("with a school day until 14:30: %s", got)
	}
}

func TestConsultHelper(t *testing.T) {
	sc := testSchool(t)
	tests := []struct {
		name  string
		roles []Role
		group string
		want  string
	}{
		{"default: the CJG coach first", nil, "5", "bram"},
		{"youth care first, who knows the group", []Role{RoleJeugdhulpverlener}, "4", "anne"},
		{"youth care first, nobody knows the group: the first", []Role{RoleJeugdhulpverlener}, "1-2a", "anne"},
		{"a role without helpers is passed over", []Role{"brugfunctionaris", "gedragswetenschapper"}, "5", "dirk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc.ConsultRoles = tt.roles
			h, ok := sc.ConsultHelper(tt.group)
			if !ok || h.ID != tt.want {
				t.Errorf("ConsultHelper(%s) = %v, %v; want %s", tt.group, h, ok, tt.want)
			}
		})
	}
	sc.ConsultRoles = []Role{"brugfunctionaris"}
	if h, ok := sc.ConsultHelper("5"); ok {
		t.Errorf("nobody of the role: got %s", h.ID)
	}
}

// consultStore records what Consult asks of the store.
type consultStore struct {
	scriptedStore
	helper string
	due    time.Time
	r      Request
}

func (c *consultStore) CreateConsult(_ context.Context, _ time.Time, r Request, helperID string, due time.Time, _ time.Duration) (Request, error) {
	c.r, c.helper, c.due = r, helperID, due
	r.State, r.HelperID = StateAsked, helperID
	return r, nil
}

func TestConsultUseCase(t *testing.T) {
	sc := testSchool(t)
	cal := NewCalendar()
	cal.Set(map[string][]Holiday{RegionAll: {{First: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}}})
	st := &consultStore{}
	svc := NewService(st, nil, slog.New(slog.DiscardHandler), WithCalendar(cal))
	marie := Actor{Address: Address{Platform: mattermost, Handle: "marie"}, Name: "Marie"}
	ctx, now := context.Background(), at(2026, 11, 23, 10, 0)
	if _, err := svc.Consult(ctx, now, sc, HelpRequest{From: marie, Group: "9", Note: "vraag"}); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := svc.Consult(ctx, now, sc, HelpRequest{From: marie, Group: "5", Note: "  "}); !errors.Is(err, ErrEmpty) {
		t.Errorf("no question: %v", err)
	}
	r, err := svc.Consult(ctx, now, sc, HelpRequest{From: marie, Group: "5", Note: "hoe help ik een stil kind?"})
	if err != nil {
		t.Fatal(err)
	}
	// Tuesday is closed (the calendar): due Wednesday at the end of the day.
	if st.helper != "bram" || !st.due.Equal(at(2026, 11, 25, 17, 0)) || st.r.Kind != KindConsult || st.r.Week != "2026-W48" || r.ID == "" {
		t.Errorf("asked %s, due %s, record %+v", st.helper, st.due, st.r)
	}
	anne := Actor{Address: Address{Platform: mattermost, Handle: "anne"}}
	if _, err := svc.AnswerConsult(ctx, now, sc, marie, r.ID, AnswerToday, ""); !errors.Is(err, ErrNotHelper) {
		t.Errorf("answered by a teacher: %v", err)
	}
	if _, err := svc.AnswerConsult(ctx, now, sc, anne, r.ID, AnswerMoment, " "); !errors.Is(err, ErrEmpty) {
		t.Errorf("a moment without a time: %v", err)
	}
	if _, err := svc.AnswerConsult(ctx, now, sc, anne, r.ID, AnswerToday, "do 14:00"); !errors.Is(err, ErrEmpty) {
		t.Errorf("a moment with a button's answer: %v", err)
	}
}
