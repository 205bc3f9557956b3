package slackbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slackbot/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// newSender is a Sender against a fake Slack, on the test's Redis.
func newSender(t *testing.T, timeout time.Duration) (*Sender, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(t)
	ws, err := NewWorkspaces(nil, "xoxb-test", fake.APIURL(), &http.Client{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return NewSender(ws, senderSchools, redistest.Client(t), redistest.Prefix(t), nil), fake
}

// testSchools are the schools of the Sender's tests by id, with the
// workspace each is linked to ("" for none); de-vaart is the harness's.
type testSchools map[string]string

var senderSchools = testSchools{"de-vaart": team, "de-wilg": "T0DEWILG01", "de-eik": "T0DEEIK001", "de-linde": ""}

func (ts testSchools) School(id string) (*bot.School, bool) {
	t, ok := ts[id]
	if !ok {
		return nil, false
	}
	sc := &bot.School{ID: id, Name: id}
	if t != "" {
		sc.Teams = []bot.TeamLink{{Platform: Platform, Team: t}}
	}
	return sc, true
}

func (ts testSchools) ByTeam(_ bot.Platform, team string) (*bot.School, bool) {
	for id, t := range ts {
		if t != "" && strings.EqualFold(t, team) {
			return ts.School(id)
		}
	}
	return nil, false
}

func dmTo(user, key, text string) message.Message {
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: user}}, SchoolID: "de-vaart", Key: key, Text: text, RequestID: "req1"}
}

func postTo(channel, key, text string) message.Message {
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: channel}, SchoolID: "de-vaart", Key: key, Text: text}
}

// offerTo is offer n of request req1 to user, with its buttons.
func offerTo(user string, n int) message.Message {
	m := dmTo(user, fmt.Sprintf("de-vaart/req1/offer/%d/slack:%s#", n, user), "Kun je even helpen? Hulpvraag voor groep 5")
	m.Kind, m.OfferNo = bot.NoticeOffer, n
	m.Buttons = []message.Button{
		{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "req1", OfferNo: n, Primary: true},
		{Label: "Kan nu niet", Action: message.ActionDecline, RequestID: "req1", OfferNo: n},
	}
	return m
}

// lapseTo is the lapse of offer n of request req1 to user.
func lapseTo(user string, n int) message.Message {
	m := dmTo(user, fmt.Sprintf("de-vaart/req1/offer_lapsed/%d/slack:%s#", n, user), "⏱ Geen reactie op tijd — doorgegeven aan Bram")
	m.Kind, m.OfferNo = bot.NoticeOfferLapsed, n
	return m
}

// TestSendErrors: Send tries once, and what Slack answers becomes the
// Sender's error contract: permanent for what no retry cures,
// *RetryAfterError for a 429, a plain error for an outage.
func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         message.Message
		setup     func(*slackfake.Server)
		permanent bool
		after     time.Duration // want *RetryAfterError with this After
		ok        bool
		posts     int // attempts at chat.postMessage
	}{
		{name: "dm", m: dmTo(anneID, "k", "hoi"), ok: true, posts: 1},
		{name: "channel", m: postTo("kernteam", "k", "hoi"), ok: true, posts: 1},
		{name: "channel with #", m: postTo("#Kernteam", "k", "hoi"), ok: true, posts: 1},
		{name: "channel id", m: postTo("C0KERNTEAM", "k", "hoi"), ok: true, posts: 1},
		{name: "unknown user", m: dmTo("U0NOBODY01", "k", "hoi"), setup: func(f *slackfake.Server) { f.UnknownUser("U0NOBODY01") }, permanent: true, posts: 1},
		{name: "unknown channel", m: postTo("bestaat-niet", "k", "hoi"), permanent: true},
		{name: "channel_not_found", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, SlackError: "channel_not_found"})
		}, permanent: true, posts: 1},
		{name: "not in a public channel: joins", m: postTo("ouders", "k", "hoi"), setup: func(f *slackfake.Server) {
			f.AddChannel("C0OUDERS01", "ouders", false, true)
		}, ok: true, posts: 2},
		{name: "not in a private channel", m: postTo("geheim", "k", "hoi"), setup: func(f *slackfake.Server) {
			f.AddChannel("G0GEHEIM01", "geheim", false, false)
		}, permanent: true, posts: 1},
		{name: "429: handed back", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: 1, Status: http.StatusTooManyRequests, RetryAfter: 1})
		}, after: time.Second, posts: 1},
		{name: "429 long", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusTooManyRequests, RetryAfter: 30})
		}, after: 30 * time.Second, posts: 1},
		{name: "500: one try", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: 1, Status: http.StatusInternalServerError})
		}, posts: 1},
		{name: "timeout: one try", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, Delay: time.Second})
		}, posts: 1},
		{name: "another platform", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Platform("mattermost"), Handle: "anne"}}, Text: "x"}, permanent: true},
		{name: "nobody", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}}, Text: "x"}, permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newSender(t, 200*time.Millisecond)
			if tc.setup != nil {
				tc.setup(fake)
			}
			err := s.Send(context.Background(), tc.m)
			var ra *message.RetryAfterError
			switch {
			case tc.ok && err != nil:
				t.Fatalf("Send = %v, want success", err)
			case tc.permanent && !errors.Is(err, message.ErrPermanent):
				t.Errorf("Send = %v, want ErrPermanent", err)
			case tc.after > 0 && (!errors.As(err, &ra) || ra.After != tc.after):
				t.Errorf("Send = %v, want RetryAfterError of %s", err, tc.after)
			case !tc.ok && err == nil:
				t.Errorf("Send succeeded, want an error")
			case !tc.ok && !tc.permanent && errors.Is(err, message.ErrPermanent):
				t.Errorf("Send = %v: permanent, but a retry may help", err)
			}
			// A timed-out call is recorded once the fake sees the client gone.
			fake.Wait(t, "the posts", 2*time.Second, func([]slackfake.Call) bool { return len(fake.Calls("chat.postMessage")) >= tc.posts })
			if n := len(fake.Calls("chat.postMessage")); n != tc.posts {
				t.Errorf("chat.postMessage called %d times, want %d:\n%s", n, tc.posts, slackfake.Dump(fake.Calls("")))
			}
			if err != nil && !strings.Contains(err.Error(), "slack send") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
	}
}

// TestSendKeepsNoRecord: the outbox de-duplicates, not the Sender: the same
// key sent twice is posted twice, and a DM is one chat.postMessage to the
// member id.
func TestSendKeepsNoRecord(t *testing.T) {
	s, fake := newSender(t, time.Second)
	ctx := context.Background()
	m := dmTo(anneID, "de-vaart/req1/accepted/1/slack:U0ANNE0001#", "Anne komt eraan")
	for range 2 {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fake.Posted("D0ANNE0001")); n != 2 {
		t.Errorf("posted %d times, want 2", n)
	}
	if n := len(fake.Calls("conversations.open")); n != 0 {
		t.Errorf("conversations.open called %d times; a DM is one chat.postMessage to the member id", n)
	}
	if ks, _ := redistest.Keys(ctx, s.rdb, s.keys.p+"*"); len(ks) != 0 {
		t.Errorf("keys left = %q, want none", ks)
	}
}

// TestSendMarker: every message carries the marker of its key as metadata,
// never the key itself; a message without a key carries none.
func TestSendMarker(t *testing.T) {
	s, fake := newSender(t, time.Second)
	ctx := context.Background()
	m := dmTo(anneID, "de-vaart/req1/accepted/1/slack:U0ANNE0001#", "Anne komt eraan")
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, dmTo(anneID, "", "zonder sleutel")); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages("D0ANNE0001")
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	md := got[0].Metadata
	if md == nil || md.EventType != metadataEvent || md.EventPayload["key"] != marker(m.Key) {
		t.Errorf("metadata = %+v, want %s with key %s", md, metadataEvent, marker(m.Key))
	}
	if raw := fake.Calls("chat.postMessage")[0].Form.Get("metadata"); strings.Contains(raw, anneID) || strings.Contains(raw, "req1") {
		t.Errorf("the metadata %s shows the key", raw)
	}
	if got[1].Metadata != nil {
		t.Errorf("a message without a key carries %+v", got[1].Metadata)
	}
}

// TestDelivered: a message is found in the recipient's recent history by
// its marker, in a DM (conversations.open) and in a channel.
func TestDelivered(t *testing.T) {
	files := []message.Attachment{{Name: "a.csv", Data: []byte("a\n")}}
	for _, tc := range []struct {
		name  string
		sent  []message.Message // sent before the question
		setup func(*Sender, *slackfake.Server)
		ask   message.Message
		want  bool
	}{
		{name: "dm delivered", sent: []message.Message{dmTo(anneID, "k1", "x")}, ask: dmTo(anneID, "k1", "x"), want: true},
		{name: "dm not delivered", ask: dmTo(anneID, "k1", "x")},
		{name: "dm with another key", sent: []message.Message{dmTo(anneID, "k2", "x")}, ask: dmTo(anneID, "k1", "x")},
		{name: "another person's dm", sent: []message.Message{dmTo(bramID, "k1", "x")}, ask: dmTo(anneID, "k1", "x")},
		{name: "channel delivered", sent: []message.Message{postTo("kernteam", "k1", "x")}, ask: postTo("#kernteam", "k1", "x"), want: true},
		{name: "channel not delivered", sent: []message.Message{postTo("kernteam", "k2", "x")}, ask: postTo("kernteam", "k1", "x")},
		{name: "among many", sent: func() []message.Message {
			var ms []message.Message
			for i := range 20 {
				ms = append(ms, dmTo(anneID, fmt.Sprint("k", i), "x"))
			}
			return ms
		}(), ask: dmTo(anneID, "k3", "x"), want: true},
		{name: "no key", sent: []message.Message{dmTo(anneID, "", "x")}, ask: dmTo(anneID, "", "x")},
		{name: "a public channel the bot is not in", setup: func(_ *Sender, f *slackfake.Server) {
			f.AddChannel("C0OUDERS01", "ouders", false, true)
		}, ask: postTo("ouders", "k1", "x")},
		{name: "files not all uploaded", sent: []message.Message{{
			To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "coordinatie"}, Key: "k1", Text: "x", Attachments: files,
		}}, setup: func(s *Sender, f *slackfake.Server) {
			f.Fail("files.getUploadURLExternal", slackfake.Fault{Times: -1, Status: http.StatusInternalServerError})
		}, ask: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "coordinatie"}, Key: "k1", Text: "x", Attachments: files}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newSender(t, time.Second)
			ctx := context.Background()
			if tc.setup != nil {
				tc.setup(s, fake)
			}
			for _, m := range tc.sent {
				_ = s.Send(ctx, m) // the failing upload fails on purpose
			}
			got, err := s.Delivered(ctx, tc.ask)
			if err != nil {
				t.Fatalf("Delivered = %v", err)
			}
			if got != tc.want {
				t.Errorf("Delivered = %v, want %v:\n%s", got, tc.want, slackfake.Dump(fake.Calls("")))
			}
			for _, c := range fake.Calls("conversations.history") {
				if c.Form.Get("include_all_metadata") != "1" || c.Form.Get("limit") != fmt.Sprint(historyLimit) {
					t.Errorf("conversations.history asked with %s", c.Form.Encode())
				}
			}
		})
	}
}

// TestDeliveredErrors: a question Slack cannot answer is an error, in the
// Sender's contract; a message without a key or a lapse asks nothing.
func TestDeliveredErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ask       message.Message
		setup     func(*slackfake.Server)
		permanent bool
		after     time.Duration
		calls     int
	}{
		{name: "history down", ask: dmTo(anneID, "k1", "x"), setup: func(f *slackfake.Server) {
			f.Fail("conversations.history", slackfake.Fault{Times: -1, Status: http.StatusInternalServerError})
		}, calls: 2},
		{name: "history rate limited", ask: postTo("kernteam", "k1", "x"), setup: func(f *slackfake.Server) {
			f.Fail("conversations.history", slackfake.Fault{Times: -1, Status: http.StatusTooManyRequests, RetryAfter: 3})
		}, after: 3 * time.Second, calls: 2},
		{name: "unknown user", ask: dmTo("U0NOBODY01", "k1", "x"), setup: func(f *slackfake.Server) { f.UnknownUser("U0NOBODY01") }, permanent: true, calls: 1},
		{name: "no key: nothing asked", ask: dmTo(anneID, "", "x")},
		{name: "a lapse: nothing asked", ask: lapseTo(anneID, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newSender(t, time.Second)
			if tc.setup != nil {
				tc.setup(fake)
			}
			got, err := s.Delivered(context.Background(), tc.ask)
			var ra *message.RetryAfterError
			switch {
			case got:
				t.Errorf("Delivered = true")
			case tc.calls == 0 && err != nil:
				t.Errorf("Delivered = %v, want false and no error", err)
			case tc.calls > 0 && err == nil:
				t.Errorf("Delivered gave no error")
			case errors.Is(err, message.ErrPermanent) != tc.permanent:
				t.Errorf("Delivered = %v, want permanent %v", err, tc.permanent)
			case tc.after > 0 && (!errors.As(err, &ra) || ra.After != tc.after):
				t.Errorf("Delivered = %v, want RetryAfterError of %s", err, tc.after)
			}
			if n := len(fake.Calls("")); n != tc.calls {
				t.Errorf("%d calls, want %d:\n%s", n, tc.calls, slackfake.Dump(fake.Calls("")))
			}
		})
	}
}

// TestLapse: the lapse of an offer updates the offer message the helper
// got (text replaced, buttons off, its marker kept) instead of a new DM;
// a lapse of an offer never posted sends nothing at all.
func TestLapse(t *testing.T) {
	t.Run("an offer, then its lapse", func(t *testing.T) {
		s, fake := newSender(t, time.Second)
		ctx := context.Background()
		offer := offerTo(anneID, 1)
		if err := s.Send(ctx, offer); err != nil {
			t.Fatal(err)
		}
		if err := s.Send(ctx, lapseTo(anneID, 1)); err != nil {
			t.Fatalf("Send lapse = %v", err)
		}
		if n, u := len(fake.Calls("chat.postMessage")), len(fake.Calls("chat.update")); n != 1 || u != 1 {
			t.Fatalf("%d posts and %d updates, want one of each:\n%s", n, u, slackfake.Dump(fake.Calls("")))
		}
		msgs := fake.Messages("D0ANNE0001")
		if len(msgs) != 1 {
			t.Fatalf("Anne's DM holds %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if !strings.Contains(m.Text, "Geen reactie op tijd") || strings.Contains(string(m.Blocks), `"actions"`) {
			t.Errorf("the offer became %q with blocks %s; want the lapse's text and no buttons", m.Text, m.Blocks)
		}
		if upd := fake.Calls("chat.update")[0]; upd.Form.Get("channel") != "D0ANNE0001" || upd.Form.Get("ts") != fake.Calls("chat.postMessage")[0].TS {
			t.Errorf("chat.update of %s %s, want the offer's message", upd.Form.Get("channel"), upd.Form.Get("ts"))
		}
		if ok, err := s.Delivered(ctx, offer); !ok || err != nil {
			t.Errorf("Delivered(offer) after its lapse = %v, %v; want true", ok, err)
		}
		// A repeat of the lapse (the outbox after a crash) changes nothing more.
		if err := s.Send(ctx, lapseTo(anneID, 1)); err != nil || len(fake.Calls("chat.update")) != 1 {
			t.Errorf("a repeated lapse = %v, %d updates; want nothing more", err, len(fake.Calls("chat.update")))
		}
	})
	t.Run("a lapse of another offer", func(t *testing.T) {
		s, fake := newSender(t, time.Second)
		ctx := context.Background()
		if err := s.Send(ctx, offerTo(anneID, 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.Send(ctx, lapseTo(anneID, 2)); err != nil {
			t.Fatal(err)
		}
		if n := len(fake.Calls("")); n != 1 {
			t.Errorf("%d calls, want only the offer's post:\n%s", n, slackfake.Dump(fake.Calls("")))
		}
	})
	t.Run("a lapse without an offer", func(t *testing.T) {
		s, fake := newSender(t, time.Second)
		if err := s.Send(context.Background(), lapseTo(anneID, 1)); err != nil {
			t.Fatalf("Send = %v, want nil: the helper never saw the offer", err)
		}
		if calls := fake.Calls(""); len(calls) != 0 {
			t.Errorf("calls to Slack:\n%s", slackfake.Dump(calls))
		}
	})
	t.Run("the update fails", func(t *testing.T) {
		s, fake := newSender(t, time.Second)
		ctx := context.Background()
		if err := s.Send(ctx, offerTo(anneID, 1)); err != nil {
			t.Fatal(err)
		}
		fake.Fail("chat.update", slackfake.Fault{Times: 1, Status: http.StatusBadGateway})
		if err := s.Send(ctx, lapseTo(anneID, 1)); err == nil || errors.Is(err, message.ErrPermanent) {
			t.Fatalf("Send lapse = %v, want an error worth a retry", err)
		}
		if err := s.Send(ctx, lapseTo(anneID, 1)); err != nil {
			t.Fatalf("Send lapse again = %v", err)
		}
		if n := len(fake.Posted("D0ANNE0001")); n != 1 {
			t.Errorf("%d DMs, want the offer only", n)
		}
	})
	t.Run("the offer message is gone", func(t *testing.T) {
		s, fake := newSender(t, time.Second)
		ctx := context.Background()
		if err := s.Send(ctx, offerTo(anneID, 1)); err != nil {
			t.Fatal(err)
		}
		fake.Fail("chat.update", slackfake.Fault{Times: 1, SlackError: "message_not_found"})
		if err := s.Send(ctx, lapseTo(anneID, 1)); !errors.Is(err, message.ErrPermanent) {
			t.Errorf("Send lapse = %v, want permanent", err)
		}
	})
}

// TestSendFiles: attachments are uploaded into the message's conversation;
// a retry after a failed upload does not post the message again.
func TestSendFiles(t *testing.T) {
	s, fake := newSender(t, time.Second)
	ctx := context.Background()
	m := postTo("coordinatie", "digest/2026-W48", "Weekoverzicht week 48")
	m.Attachments = []message.Attachment{
		{Name: "overzicht-2026-W48.png", ContentType: "image/png", Data: []byte("\x89PNG fake chart")},
		{Name: "overzicht-2026-W48.csv", ContentType: "text/csv", Data: []byte("week,hulpvragen\n48,3\n")},
	}
	fake.Fail("files.completeUploadExternal", slackfake.Fault{Times: 1, Status: http.StatusInternalServerError})
	if err := s.Send(ctx, m); err == nil {
		t.Fatal("Send with a failing upload succeeded")
	}
	if ok, err := s.Delivered(ctx, m); ok || err != nil {
		t.Errorf("Delivered with a file missing = %v, %v; want false, so the outbox sends it again", ok, err)
	}
	if err := s.Send(ctx, m); err != nil {
		t.Fatalf("Send again = %v", err)
	}
	if n := len(fake.Posted("C0COORDIN")); n != 1 {
		t.Errorf("the message was posted %d times, want once", n)
	}
	var done []string
	for _, c := range fake.Calls("files.completeUploadExternal") {
		if c.OK {
			done = append(done, c.Form.Get("channel_id")+" "+c.Form.Get("files"))
		}
	}
	if len(done) != 2 || !strings.HasPrefix(done[0], "C0COORDIN ") || !strings.Contains(done[1], "overzicht-2026-W48.csv") {
		t.Errorf("completed uploads = %q, want both files in C0COORDIN", done)
	}
	var bodies []string
	for _, c := range fake.Calls("upload") {
		bodies = append(bodies, string(c.Body))
	}
	if !strings.Contains(strings.Join(bodies, "|"), "week,hulpvragen") {
		t.Errorf("uploaded %q", bodies)
	}
	if ok, err := s.Delivered(ctx, m); !ok || err != nil {
		t.Errorf("Delivered once all is uploaded = %v, %v; want true", ok, err)
	}
}

// TestChannelCache: conversations.list runs once for many posts, and a
// channel that does not exist is not looked up on every message.
func TestChannelCache(t *testing.T) {
	s, fake := newSender(t, time.Second)
	ctx := context.Background()
	for i := range 3 {
		if err := s.Send(ctx, postTo("kernteam", fmt.Sprint("k", i), "x")); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := s.Send(ctx, postTo("bestaat-niet", fmt.Sprint("n", i), "x")); !errors.Is(err, message.ErrPermanent) {
			t.Errorf("Send to an unknown channel = %v", err)
		}
	}
	if n := len(fake.Calls("conversations.list")); n != 1 {
		t.Errorf("conversations.list called %d times, want 1", n)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err       error
		permanent bool
		after     time.Duration
	}{
		{err: slack.SlackErrorResponse{Err: "channel_not_found"}, permanent: true},
		{err: slack.SlackErrorResponse{Err: "user_not_found"}, permanent: true},
		{err: slack.SlackErrorResponse{Err: "not_in_channel"}, permanent: true},
		{err: slack.SlackErrorResponse{Err: "message_not_found"}, permanent: true},
		{err: slack.SlackErrorResponse{Err: "ratelimited"}},
		{err: slack.SlackErrorResponse{Err: "internal_error"}},
		{err: &slack.RateLimitedError{RetryAfter: 7 * time.Second}, after: 7 * time.Second},
		{err: fmt.Errorf("wrapped: %w", &slack.RateLimitedError{RetryAfter: time.Second}), after: time.Second},
		{err: slack.StatusCodeError{Code: 500, Status: "500"}},
		{err: slack.StatusCodeError{Code: 404, Status: "404"}, permanent: true},
		{err: context.DeadlineExceeded},
	} {
		got := classify(tc.err)
		var ra *message.RetryAfterError
		if errors.Is(got, message.ErrPermanent) != tc.permanent || (tc.after > 0) != errors.As(got, &ra) || (ra != nil && ra.After != tc.after) {
			t.Errorf("classify(%v) = %v; want permanent %v, after %s", tc.err, got, tc.permanent, tc.after)
		}
		if !strings.Contains(got.Error(), tc.err.Error()) {
			t.Errorf("classify(%v) = %v lost the cause", tc.err, got)
		}
	}
}

// TestSendRoundTrips counts the Redis round trips of one delivery: none
// for a plain message (the outbox keeps the delivery record); one for an
// offer with buttons, remembered for its lapse; a message with files keeps
// its progress, so a retry resumes.
func TestSendRoundTrips(t *testing.T) {
	files := []message.Attachment{{Name: "a.csv", Data: []byte("a\n")}, {Name: "b.csv", Data: []byte("b\n")}}
	withFiles := postTo("coordinatie", "digest/2026-W48", "Weekoverzicht")
	withFiles.Attachments = files
	for _, tc := range []struct {
		name string
		m    message.Message
		want []string
		keys int // left after it
	}{
		{"a message", postTo("coordinatie", "digest/2026-W48", "Weekoverzicht"), nil, 0},
		{"an offer", offerTo(anneID, 1), []string{"multi hset expire exec"}, 1},
		{"with files", withFiles, []string{"hgetall", "multi hset expire exec", "multi hset expire exec", "multi hset expire exec", "del"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newSender(t, time.Second)
			ctx := context.Background()
			if err := s.rdb.Ping(ctx).Err(); err != nil { // a connection open before counting
				t.Fatal(err)
			}
			trips := redistest.Count(s.rdb)
			if err := s.Send(ctx, tc.m); err != nil {
				t.Fatal(err)
			}
			if got := trips.Trips(); !slices.Equal(got, tc.want) {
				t.Errorf("round trips = %q, want %q", got, tc.want)
			}
			ks, err := redistest.Keys(ctx, s.rdb, s.keys.p+"*")
			if err != nil {
				t.Fatal(err)
			}
			if len(ks) != tc.keys {
				t.Errorf("keys left = %q, want %d", ks, tc.keys)
			}
			for _, k := range ks {
				if strings.Contains(k, anneID) || strings.Contains(k, "req1") || strings.Contains(k, "de-vaart") {
					t.Errorf("key %s names what it is about", k)
				}
				if ttl := s.rdb.TTL(ctx, k).Val(); ttl <= 0 || ttl > offerTTL {
					t.Errorf("key %s has TTL %s, want within %s", k, ttl, offerTTL)
				}
			}
		})
	}
}
