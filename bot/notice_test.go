package bot

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

func TestServiceNotice(t *testing.T) {
	marie := Address{Platform: mattermost, Handle: "juf.marie"}
	offered := Request{ID: "r1", State: StateOffered, HelperID: "anne", OfferNo: 2, Requester: marie}
	tests := []struct {
		name     string
		req      Request
		ref      NoticeRef
		noFall   bool
		wantOK   bool
		wantTo   string // handle or #channel
		wantName string // the Helper named
	}{
		{name: "the current offer goes to its helper", req: offered,
			ref: NoticeRef{Kind: NoticeOffer, RequestID: "r1", OfferNo: 2, To: "helper:anne", Helper: "anne"}, wantOK: true, wantTo: "anne", wantName: "Anne"},
		{name: "an offer no longer current is not sent", req: offered,
			ref: NoticeRef{Kind: NoticeOffer, RequestID: "r1", OfferNo: 1, To: "helper:bram", Helper: "bram"}},
		{name: "an offer accepted before its message went out is not sent", req: Request{ID: "r1", State: StateAccepted, HelperID: "anne", OfferNo: 2, Requester: marie},
			ref: NoticeRef{Kind: NoticeOffer, RequestID: "r1", OfferNo: 2, To: "helper:anne", Helper: "anne"}},
		{name: "a follow-up after someone accepted is not sent", req: Request{ID: "r1", State: StateAccepted, OfferNo: 1, Requester: marie},
			ref: NoticeRef{Kind: NoticeFollowUp, RequestID: "r1", OfferNo: 1, To: ToRequester}},
		{name: "a follow-up of an escalated request goes to the requester", req: Request{ID: "r1", State: StateEscalated, Requester: marie},
			ref: NoticeRef{Kind: NoticeFollowUp, RequestID: "r1", To: ToRequester}, wantOK: true, wantTo: "juf.marie"},
		{name: "an escalation goes to the fallback channel on the requester's platform", req: Request{ID: "r1", State: StateEscalated, Requester: marie},
			ref: NoticeRef{Kind: NoticeEscalated, RequestID: "r1", To: ToChannel}, wantOK: true, wantTo: "#kernteam"},
		{name: "without a fallback channel nobody is told", req: Request{ID: "r1", State: StateEscalated, Requester: marie}, noFall: true,
			ref: NoticeRef{Kind: NoticeEscalated, RequestID: "r1", To: ToChannel}},
		{name: "a helper no longer configured is not told", req: offered,
			ref: NoticeRef{Kind: NoticeOfferLapsed, RequestID: "r1", OfferNo: 1, To: "helper:gone", Previous: "gone"}},
		{name: "picked up by someone who is no helper: their name", req: Request{ID: "r1", State: StateAccepted, Requester: marie, PickedByName: "Sanne"},
			ref: NoticeRef{Kind: NoticeAccepted, RequestID: "r1", To: ToRequester}, wantOK: true, wantTo: "juf.marie", wantName: "Sanne"},
		{name: "the note goes to whoever picked the request up, helper or not", req: Request{ID: "r1", State: StateAccepted, Requester: marie, Note: "onrust",
			PickedBy: Address{Platform: mattermost, Handle: "sanne"}, PickedByName: "Sanne"},
			ref: NoticeRef{Kind: NoticePickedNote, RequestID: "r1", To: ToPicker}, wantOK: true, wantTo: "sanne", wantName: "Sanne"},
		{name: "a note erased before its message went out is not sent", req: Request{ID: "r1", State: StateResolved, Requester: marie,
			PickedBy: Address{Platform: mattermost, Handle: "sanne"}},
			ref: NoticeRef{Kind: NoticePickedNote, RequestID: "r1", To: ToPicker}},
		{name: "an expired request tells nothing", req: Request{},
			ref: NoticeRef{Kind: NoticeResolved, RequestID: "gone", To: ToRequester}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := testSchool(t)
			if tt.noFall {
				sc.FallbackChannel = ""
			}
			st := &noticeStore{req: tt.req}
			svc := NewService(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			n, ok, err := svc.Notice(context.Background(), sc, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			to := n.To.Handle
			if n.To.Channel != "" {
				to = "#" + n.To.Channel
			}
			if to != tt.wantTo || n.Helper.Name != tt.wantName {
				t.Errorf("to %q, helper %q; want %q, %q", to, n.Helper.Name, tt.wantTo, tt.wantName)
			}
			if n.Request.OfferNo != tt.ref.OfferNo {
				t.Errorf("offer %d, want the notice's %d", n.Request.OfferNo, tt.ref.OfferNo)
			}
		})
	}
}

// noticeStore has one request, or none when its id is empty.
type noticeStore struct {
	Store
	req Request
}

func (s *noticeStore) Request(_ context.Context, _, id string) (Request, error) {
	if s.req.ID == "" || s.req.ID != id {
		return Request{}, ErrNotFound
	}
	return s.req, nil
}

func TestParseNoticeRef(t *testing.T) {
	good := NoticeRef{Kind: NoticeOfferLapsed, RequestID: "abc", OfferNo: 2, To: "helper:anne", Helper: "bram", Previous: "anne", Reason: ReasonTimeout}
	got, err := ParseNoticeRef(good.String())
	if err != nil || got != good {
		t.Fatalf("round trip: got %+v, %v; want %+v", got, err, good)
	}
	for _, bad := range []string{"", "notice", "notice|offer|r1|x|requester|||", "notice|offer|r1|1|someone|||", "notice|offer|r1|1|helper:|||",
		"notice||r1|1|requester|||", "{\"To\":{}}", "notice|offer|r1|-1|requester|||", "notice|offer|r1|1|requester||||"} {
		if _, err := ParseNoticeRef(bad); err == nil {
			t.Errorf("ParseNoticeRef(%q) = nil error", bad)
		}
	}
}

func FuzzParseNoticeRef(f *testing.F) {
	f.Add("notice|offer|r1|1|helper:anne|anne||")
	f.Add("notice|nobody|r1|3|requester||bram|timeout")
	f.Add("notice|escalated|r1|0|channel|||")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseNoticeRef(s)
		if err != nil {
			return
		}
		// What parses encodes back to something that parses the same.
		again, err := ParseNoticeRef(r.String())
		if err != nil || again != r {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), again, err)
		}
	})
}
