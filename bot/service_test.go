package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// scriptedStore answers with what a test sets and records what it was asked.
// The real store's behaviour is tested against Redis in adapters/redisstore;
// here only the use cases' own decisions are.
type scriptedStore struct {
	Store // methods a test does not expect panic
	calls []string
	out   Request
	err   error
	req   Request
	state map[string]HelperState
	cands []Candidate
}

func (s *scriptedStore) CreateAndOffer(_ context.Context, _ time.Time, r Request, c []Candidate, _ time.Time, _ time.Duration) (Request, error) {
	s.calls = append(s.calls, "create")
	s.cands = c
	if s.err != nil {
		if errors.Is(s.err, ErrDuplicate) {
			return s.out, s.err // the record as stored comes with it
		}
		return Request{}, s.err
	}
	out := s.out
	out.ID, out.Group, out.Requester, out.Note, out.Week, out.DayPart = r.ID, r.Group, r.Requester, r.Note, r.Week, r.DayPart
	return out, nil
}
func (s *scriptedStore) Accept(context.Context, time.Time, string, string, string, int) (Request, error) {
	s.calls = append(s.calls, "accept")
	return s.out, s.err
}
func (s *scriptedStore) Advance(_ context.Context, _ time.Time, _, _ string, offerNo int, reason AdvanceReason, from string, _ []Candidate, _ time.Time) (Request, error) {
	s.calls = append(s.calls, "advance:"+string(reason)+":"+from)
	return s.out, s.err
}
func (s *scriptedStore) Request(context.Context, string, string) (Request, error) {
	s.calls = append(s.calls, "read")
	if s.req.ID == "" {
		s.req.ID = "r1"
	}
	return s.req, nil
}
func (s *scriptedStore) HelperStates(context.Context, string, []string) (map[string]HelperState, error) {
	s.calls = append(s.calls, "states")
	return s.state, nil
}
func (s *scriptedStore) SetAvailability(_ context.Context, _, _ string, a Availability) (string, error) {
	s.calls = append(s.calls, "status:"+string(a.Status))
	return s.state["anne"].Engaged, nil
}

func (s *scriptedStore) Pickup(_ context.Context, _ time.Time, _, _ string, by Actor, helperID string) (Request, error) {
	s.calls = append(s.calls, "pickup:"+by.Handle+":"+helperID+":"+by.Name)
	return s.out, s.err
}

func (s *scriptedStore) CloseUnpicked(context.Context, time.Time, string, time.Time) ([]string, error) {
	return nil, nil
}

func (s *scriptedStore) ClaimFollowUps(context.Context, string, time.Time, int) ([]string, error) {
	s.calls = append(s.calls, "followups")
	return []string{"r1"}, nil
}

type recorder struct{ got []Notice }

func (r *recorder) Observe(n Notice) { r.got = append(r.got, n) }

func (r *recorder) kinds() []string {
	var out []string
	for _, n := range r.got {
		to := n.To.Handle
		if n.To.Channel != "" {
			to = "#" + n.To.Channel
		}
		out = append(out, string(n.Kind)+"→"+to)
	}
	return out
}

var (
	marie = Actor{Address: Address{Platform: mattermost, Handle: "juf.marie"}}
	anne  = Actor{Address: Address{Platform: mattermost, Handle: "anne"}}
)

func TestServiceNotices(t *testing.T) {
	now := at(2026, 11, 23, 10, 0)
	offered := Request{State: StateOffered, HelperID: "anne", OfferNo: 1, Requester: marie.Address}
	tests := []struct {
		name      string
		store     scriptedStore
		do        func(*Service, *School) error
		wantCalls []string
		wantSaid  []string
		wantErr   error
	}{
		{
			name:  "request offered to Anne on the requester's platform",
			store: scriptedStore{out: offered},
			do: func(s *Service, sc *School) error {
				_, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "5"})
				return err
			},
			wantCalls: []string{"create"}, wantSaid: []string{"offer→anne"},
		},
		{
			name:  "nobody available: fallback channel",
			store: scriptedStore{out: Request{State: StateEscalated}},
			do: func(s *Service, sc *School) error {
				_, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "5"})
				return err
			},
			wantCalls: []string{"create"}, wantSaid: []string{"escalated→#kernteam"},
		},
		{
			name: "unknown group touches nothing",
			do: func(s *Service, sc *School) error {
				_, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "9"})
				return err
			},
			wantErr: ErrUnknownGroup,
		},
		{
			name: "repeated delivery: the stored request, nobody told again",
			store: scriptedStore{err: fmt.Errorf("create: %w", ErrDuplicate),
				out: Request{ID: "r1", State: StateOffered, HelperID: "anne", OfferNo: 1, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				r, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "5", ID: "r1"})
				if err == nil && (r.ID != "r1" || r.State != StateOffered || r.HelperID != "anne") {
					return fmt.Errorf("got %+v, want the stored request offered to anne", r)
				}
				return err
			},
			wantCalls: []string{"create"},
		},
		{
			name:  "repeated delivery, the store not saying how it stands",
			store: scriptedStore{err: ErrDuplicate},
			do: func(s *Service, sc *School) error {
				r, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "5", ID: "r1"})
				if err == nil && (r.ID != "r1" || r.Group != "5" || r.State != "") {
					return fmt.Errorf("got %+v, want request r1 for group 5 in no known state", r)
				}
				return err
			},
			wantCalls: []string{"create"},
		},
		{
			name:  "store down",
			store: scriptedStore{err: ErrUnavailable},
			do: func(s *Service, sc *School) error {
				_, err := s.RequestHelp(context.Background(), now, sc, HelpRequest{From: marie, Group: "5"})
				return err
			},
			wantCalls: []string{"create"}, wantErr: ErrUnavailable,
		},
		{
			name:  "accept tells the teacher",
			store: scriptedStore{out: Request{State: StateAccepted, HelperID: "anne", Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Accept(context.Background(), now, sc, anne, "r1", 1)
				return err
			},
			wantCalls: []string{"accept"}, wantSaid: []string{"accepted→juf.marie"},
		},
		{
			name: "a teacher cannot accept",
			do: func(s *Service, sc *School) error {
				_, err := s.Accept(context.Background(), now, sc, marie, "r1", 1)
				return err
			},
			wantErr: ErrNotHelper,
		},
		{
			name: "decline moves on to Chris and tells the teacher",
			store: scriptedStore{req: offered,
				out: Request{State: StateOffered, HelperID: "chris", OfferNo: 2, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Decline(context.Background(), now, sc, anne, "r1", 1)
				return err
			},
			wantCalls: []string{"read", "advance:decline:anne"}, wantSaid: []string{"offer→chris", "moved_on→juf.marie"},
		},
		{
			name:  "typed decline finds the offer first",
			store: scriptedStore{req: offered, state: map[string]HelperState{"anne": {Engaged: "r1"}}, out: Request{State: StateEscalated, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Decline(context.Background(), now, sc, anne, "", 0)
				return err
			},
			wantCalls: []string{"states", "read", "advance:decline:anne"}, wantSaid: []string{"escalated→#kernteam", "nobody→juf.marie"},
		},
		{
			name:  "typed decline without an offer",
			store: scriptedStore{state: map[string]HelperState{}},
			do: func(s *Service, sc *School) error {
				_, err := s.Decline(context.Background(), now, sc, anne, "", 0)
				return err
			},
			wantCalls: []string{"states"}, wantErr: ErrNoOffer,
		},
		{
			name:  "typed decline while working on an accepted request",
			store: scriptedStore{req: Request{State: StateAccepted, HelperID: "anne"}, state: map[string]HelperState{"anne": {Engaged: "r1"}}},
			do: func(s *Service, sc *School) error {
				_, err := s.Decline(context.Background(), now, sc, anne, "", 0)
				return err
			},
			wantCalls: []string{"states", "read"}, wantErr: ErrNoOffer,
		},
		{
			name: "timeout tells the late helper too",
			store: scriptedStore{req: offered,
				out: Request{State: StateOffered, HelperID: "chris", OfferNo: 2, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Timeout(context.Background(), now, sc, "r1", 1)
				return err
			},
			wantCalls: []string{"read", "advance:timeout:"}, wantSaid: []string{"offer→chris", "offer_lapsed→anne", "moved_on→juf.marie"},
		},
		{
			name:  "going away while holding an offer passes it on",
			store: scriptedStore{req: offered, state: map[string]HelperState{"anne": {Engaged: "r1"}}, out: Request{State: StateOffered, HelperID: "chris", OfferNo: 2, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.SetStatus(context.Background(), now, sc, anne, Availability{Status: Away})
				return err
			},
			wantCalls: []string{"status:away", "read", "advance:decline:anne"}, wantSaid: []string{"offer→chris", "moved_on→juf.marie"},
		},
		{
			name:  "a helper picks up from the fallback channel",
			store: scriptedStore{out: Request{State: StateAccepted, HelperID: "anne", Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Pickup(context.Background(), now, sc, anne, "r1")
				return err
			},
			wantCalls: []string{"pickup:anne:anne:Anne"}, wantSaid: []string{"accepted→juf.marie"},
		},
		{
			name:  "anyone in the channel picks up",
			store: scriptedStore{out: Request{State: StateAccepted, Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.Pickup(context.Background(), now, sc, Actor{Address: Address{Platform: mattermost, Handle: "meester.joost"}}, "r1")
				return err
			},
			wantCalls: []string{"pickup:meester.joost::meester.joost"}, wantSaid: []string{"accepted→juf.marie"},
		},
		{
			// The store's claim queues the follow-ups it owes in the
			// same step (and skips accepted requests): no read after it.
			name:  "follow-ups are claimed in one step",
			store: scriptedStore{req: Request{State: StateOffered, HelperID: "chris", Requester: marie.Address}},
			do: func(s *Service, sc *School) error {
				_, err := s.FollowUps(context.Background(), now, sc)
				return err
			},
			wantCalls: []string{"followups"}, wantSaid: []string{"follow_up→"},
		},
		{
			name:  "available again changes only the status",
			store: scriptedStore{state: map[string]HelperState{"anne": {Engaged: "r1"}}},
			do: func(s *Service, sc *School) error {
				_, err := s.SetStatus(context.Background(), now, sc, anne, Availability{Status: Available})
				return err
			},
			wantCalls: []string{"status:available"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t)
			sc.Helpers[2].Accounts = Accounts{{Platform: mattermost, Handle: "chris"}, {Platform: shell, Handle: "chris"}}
			rec := &recorder{}
			st := tt.store
			var logged bytes.Buffer
			svc := NewService(&st, rec, slog.New(slog.NewJSONHandler(&logged, nil)))
			err := tt.do(svc, sc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			// The log names nobody: helpers are Masked.
			for _, who := range []string{"anne", "chris", "marie", "joost"} {
				if strings.Contains(strings.ToLower(logged.String()), who) {
					t.Errorf("the log names %s:\n%s", who, logged.String())
				}
			}
			if !slices.Equal(st.calls, tt.wantCalls) {
				t.Errorf("store calls = %q, want %q", st.calls, tt.wantCalls)
			}
			if got := rec.kinds(); !slices.Equal(got, tt.wantSaid) {
				t.Errorf("notices = %q, want %q", got, tt.wantSaid)
			}
		})
	}
}

func TestSetStatusLapses(t *testing.T) {
	sc := testSchool(t)
	now := at(2026, 11, 23, 10, 0)
	st := &scriptedStore{state: map[string]HelperState{}}
	svc := NewService(st, &recorder{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		in   Availability
		want Availability
	}{
		{Availability{Status: Busy}, Availability{Busy, at(2026, 11, 24, 0, 0)}},
		{Availability{Away, at(2026, 11, 23, 13, 30)}, Availability{Away, at(2026, 11, 23, 13, 30)}},
		{Availability{Away, at(2026, 11, 23, 9, 0)}, Availability{Away, at(2026, 11, 24, 0, 0)}},
		{Availability{Available, at(2026, 11, 23, 13, 30)}, Availability{Status: Available}},
	}
	for _, tt := range tests {
		got, err := svc.SetStatus(context.Background(), now, sc, anne, tt.in)
		if err != nil || got.Status != tt.want.Status || !got.Until.Equal(tt.want.Until) {
			t.Errorf("SetStatus(%+v) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if len(id) != 12 || seen[id] {
			t.Fatalf("NewRequestID() = %q: wrong length or repeated", id)
		}
		for _, c := range id {
			if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
				t.Fatalf("NewRequestID() = %q has %q", id, c)
			}
		}
		seen[id] = true
	}
}

func TestHelperAskingIsNotOfferedOwnRequest(t *testing.T) {
	sc := testSchool(t)
	st := &scriptedStore{out: Request{State: StateEscalated}}
	svc := NewService(st, &recorder{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := svc.RequestHelp(context.Background(), at(2026, 11, 23, 10, 0), sc, HelpRequest{From: anne, Group: "5"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range st.cands {
		if c.HelperID == "anne" {
			t.Errorf("candidates %v hold the requester herself", st.cands)
		}
	}
	if len(st.cands) != 3 {
		t.Errorf("got %d candidates, want the 3 others", len(st.cands))
	}
}

// TestMaskedUnwired: a logger that does not replace Masked values writes
// "-", never the value.
func TestMaskedUnwired(t *testing.T) {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "helper", Mask("jan-de-vries"))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "helper", Mask("jan-de-vries"))
	if !strings.Contains(text.String(), "helper=-") || !strings.Contains(js.String(), `"helper":"-"`) {
		t.Errorf("logged\n%s%s want helper as -", text.String(), js.String())
	}
	if got := fmt.Sprint(Mask("jan-de-vries")); got != "-" {
		t.Errorf("fmt.Sprint(Mask(…)) = %q, want -", got)
	}
	if got := Mask("jan-de-vries").Unmasked(); got != "jan-de-vries" {
		t.Errorf("Unmasked() = %q", got)
	}
}
