package mmbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

func dm(to string) message.Message {
	return message.Message{
		To:       bot.Recipient{Address: bot.Address{Platform: Platform, Handle: to}},
		SchoolID: "de-vaart",
		Text:     "✅ Anne komt eraan voor groep 5.",
		Key:      "de-vaart/req000000001/accepted/1/mattermost:" + to + "#",
	}
}

// failN answers the first n requests matching call with status.
func failN(n int32, call string, status int, h http.Header) func(r *http.Request) (int, http.Header) {
	var seen atomic.Int32
	return func(r *http.Request) (int, http.Header) {
		if r.Method+" "+r.URL.Path != call || seen.Add(1) > n {
			return 0, nil
		}
		return status, h
	}
}

// TestSendTriesOnce: a server error is handed back after one call, worth a
// retry; the outbox's next try delivers.
func TestSendTriesOnce(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	s.mm.setFail(failN(1, "POST /api/v4/posts", http.StatusInternalServerError, nil))
	err := s.adapter.Sender().Send(ctx, dm("juf.anna"))
	if err == nil || errors.Is(err, message.ErrPermanent) {
		t.Fatalf("Send during a 500 = %v, want an error worth a retry", err)
	}
	if n := s.mm.count("POST /api/v4/posts"); n != 1 {
		t.Errorf("create post called %d times, want 1", n)
	}
	if err := s.adapter.Sender().Send(ctx, dm("juf.anna")); err != nil {
		t.Fatalf("the next try: %v", err)
	}
	if posts := s.mm.postsTo(s.mm.dmOf("juf.anna")); len(posts) != 1 || posts[0].Message != "✅ Anne komt eraan voor groep 5." {
		t.Errorf("posts = %v, want the one message", posts)
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      func(r *http.Request) (int, http.Header)
		m         message.Message
		permanent bool
		after     time.Duration // a *RetryAfterError with this wait
		calls     string        // this call …
		n         int           // … made this often
	}{
		{name: "server fails", fail: failN(99, "POST /api/v4/posts", 502, nil), m: dm("juf.anna"), calls: "POST /api/v4/posts", n: 1},
		{name: "no such direct channel", fail: failN(99, "POST /api/v4/channels/direct", 404, nil), m: dm("juf.anna"), permanent: true, calls: "POST /api/v4/channels/direct", n: 2},
		{name: "rate limited by X-Ratelimit-Reset", fail: failN(99, "GET /api/v4/users/username/juf.anna", 429, http.Header{"X-Ratelimit-Reset": {"4"}}), m: dm("juf.anna"), after: 4 * time.Second, calls: "GET /api/v4/users/username/juf.anna", n: 1},
		{name: "rate limited", fail: failN(99, "POST /api/v4/posts", 429, http.Header{"Retry-After": {"7"}}), m: dm("juf.anna"), after: 7 * time.Second, calls: "POST /api/v4/posts", n: 1},
		{name: "rate limited without a header", fail: failN(99, "POST /api/v4/posts", 429, nil), m: dm("juf.anna"), after: time.Second, calls: "POST /api/v4/posts", n: 1},
		{name: "unknown user", m: dm("nobody.here"), permanent: true, calls: "GET /api/v4/users/username/nobody.here", n: 1},
		{name: "unknown channel", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "bestaat-niet"}, SchoolID: "de-vaart", Text: "x"}, permanent: true},
		{name: "private channel the bot is not in", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "geheim"}, SchoolID: "de-vaart", Text: "x"}, permanent: true, calls: "POST /api/v4/channels/changeheim/members", n: 1},
		{name: "post refused", fail: failN(99, "POST /api/v4/posts", 400, nil), m: dm("juf.anna"), permanent: true, calls: "POST /api/v4/posts", n: 1},
		{name: "unknown school", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "anne"}}, SchoolID: "elders", Text: "x"}, permanent: true},
		{name: "not a Mattermost person", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Platform("slack"), Handle: "U0ANNE0001"}}, SchoolID: "de-vaart", Text: "x"}, permanent: true},
		{name: "bot token refused", fail: failN(99, "GET /api/v4/users/me", 401, nil), m: dm("juf.anna"), calls: "GET /api/v4/users/me", n: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.mm.addChannel(payloadTeamID, "geheim", false, false)
			s.mm.setFail(tc.fail)
			err := s.adapter.Sender().Send(context.Background(), tc.m)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if got := errors.Is(err, message.ErrPermanent); got != tc.permanent {
				t.Errorf("Send = %v: permanent %v, want %v", err, got, tc.permanent)
			}
			var ra *message.RetryAfterError
			if got := errors.As(err, &ra); got != (tc.after > 0) || (got && ra.After != tc.after) {
				t.Errorf("Send = %v (%T), want a RetryAfterError of %s: %v", err, err, tc.after, got)
			}
			if tc.calls != "" {
				if n := s.mm.count(tc.calls); n != tc.n {
					t.Errorf("%s called %d times, want %d", tc.calls, n, tc.n)
				}
			}
			if n := len(s.mm.allPosts()); n != 0 {
				t.Errorf("%d posts made, want none", n)
			}
		})
	}
}

func TestSendAttachments(t *testing.T) {
	s := newStack(t)
	m := message.Message{
		To:       bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: "kernteam"},
		SchoolID: "de-vaart",
		Text:     "Overzicht van week 48",
		Attachments: []message.Attachment{
			{Name: "overzicht-2026-W48.png", ContentType: "image/png", Data: []byte("\x89PNG fake")},
			{Name: "overzicht-2026-W48.csv", ContentType: "text/csv", Data: []byte("a,b\n")},
		},
	}
	if err := s.adapter.Sender().Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	posts := s.mm.postsTo("chankernteam")
	if len(posts) != 1 || len(posts[0].FileIds) != 2 {
		t.Fatalf("posts = %+v, want one post with two files", posts)
	}
	if got := strings.Join(s.mm.uploads, " "); got != "overzicht-2026-W48.png:9 overzicht-2026-W48.csv:4" {
		t.Errorf("uploads = %s", got)
	}
}

// TestSendOnce: the same key sent twice (a retry after a lost answer)
// carries the same pending post id, which Mattermost deduplicates.
func TestSendOnce(t *testing.T) {
	s := newStack(t)
	for range 2 {
		if err := s.adapter.Sender().Send(context.Background(), dm("juf.anna")); err != nil {
			t.Fatal(err)
		}
	}
	if posts := s.mm.postsTo(s.mm.dmOf("juf.anna")); len(posts) != 1 {
		t.Errorf("%d posts, want 1", len(posts))
	}
}

// TestSendStaleUserID: an account replaced under the same username is
// found again instead of failing for an hour.
func TestSendStaleUserID(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	if err := s.adapter.Sender().Send(ctx, dm("bram")); err != nil {
		t.Fatal(err)
	}
	s.mm.mu.Lock()
	delete(s.mm.users, "bram")
	s.mm.mu.Unlock()
	s.adapter.Sender().dms = newIDs(time.Now) // the DM channel of the old account is forgotten too
	s.mm.addUser("bram")                      // same id scheme, so: a new account with a new id
	s.mm.mu.Lock()
	s.mm.users["bram"] = "userbramnew000000000000000"
	s.mm.mu.Unlock()
	m := dm("bram")
	m.Key += "again"
	if err := s.adapter.Sender().Send(ctx, m); err != nil {
		t.Fatalf("Send to the replaced account: %v", err)
	}
	if n := s.mm.count("GET /api/v4/users/username/bram"); n != 2 {
		t.Errorf("looked bram up %d times, want 2 (once more after the stale id failed)", n)
	}
}

// TestOutboxKeepsRequestThroughAPIFailures: with Mattermost's API failing,
// a teacher hulpbot knows (who used it earlier today) still gets an answer
// at once, the request is in Redis, and the helper's DM arrives once the
// API is back.
func TestOutboxKeepsRequestThroughAPIFailures(t *testing.T) {
	s := newStack(t, withOutbox)
	s.command("juf.anna", "help") // earlier today: hulpbot knows who she is
	var down atomic.Bool
	down.Store(true)
	s.mm.setFail(func(r *http.Request) (int, http.Header) {
		if down.Load() {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	})
	start := time.Now()
	r := s.command("juf.anna", "groep 5")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the answer took %s with the API down", d)
	}
	if !strings.Contains(r.Text, "doorgezet naar Anne") {
		t.Fatalf("answer = %q", r.Text)
	}
	time.Sleep(100 * time.Millisecond) // a few failed deliveries
	if n := len(s.mm.allPosts()); n != 0 {
		t.Fatalf("%d posts while the API is down", n)
	}
	down.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for len(s.mm.postsTo(s.mm.dmOf("anne"))) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Anne's DM did not arrive after the API came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	offer := s.offerPost("anne")
	reqID, _ := requestOf(t, offer)
	if got := s.request("de-vaart", reqID); got.State != bot.StateOffered || got.HelperID != "anne" {
		t.Errorf("request = %s to %q, want offered to anne", got.State, got.HelperID)
	}
	if got := len(s.mm.postsTo(s.mm.dmOf("anne"))); got != 1 {
		t.Errorf("Anne got %d DMs, want exactly 1", got)
	}
}

// TestSendErrorsHoldNoNames: a failure to reach Mattermost is reported
// without the URL, which would name the person (users/username/…).
func TestSendErrorsHoldNoNames(t *testing.T) {
	s := newStack(t)
	s.mm.srv.Close() // nothing answers
	err := s.adapter.Sender().Send(context.Background(), dm("juf.anna"))
	if err == nil || errors.Is(err, message.ErrPermanent) {
		t.Fatalf("Send with Mattermost down = %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "juf.anna") || strings.Contains(err.Error(), s.mm.URL()) {
		t.Errorf("the error %q names the person or the URL", err)
	}
}

// TestSendRoundTrips counts the Redis round trips of a message. The
// sender keeps no delivery record (Mattermost's pending post id and the
// outbox do that); Redis holds only the ids of offer posts, so their
// buttons can be taken off when the offer is over (the post then kept as
// retired, for a lapse that may come later). The first offer's DM
// remembers its post and has nothing to take off: one round trip.
func TestSendRoundTrips(t *testing.T) {
	offer := func(n int, to string) message.Message {
		return message.Message{
			To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: to}}, SchoolID: "de-vaart",
			Text: "Kun je even helpen?", RequestID: "req000000001",
			Key:  fmt.Sprintf("de-vaart/req000000001/offer/%d/mattermost:%s#", n, to),
			Kind: bot.NoticeOffer, OfferNo: n,
			Buttons: []message.Button{{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "req000000001", OfferNo: n}},
		}
	}
	notice := func(kind string, n int) message.Message {
		return message.Message{
			To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "juf.anna"}}, SchoolID: "de-vaart",
			Text: "…", RequestID: "req000000001", Key: fmt.Sprintf("de-vaart/req000000001/%s/%d/mattermost:juf.anna#", kind, n),
			Kind: bot.NoticeKind(kind), OfferNo: n,
		}
	}
	// The adapter on a Redis client of its own: its round trips apart from
	// the store's and the outbox's.
	own := redistest.Client(t)
	s := newStack(t, func(o *Options, _ *stackSetup) { o.Redis = own })
	ctx := context.Background()
	// The generated action secret read once (then kept in memory), and a
	// connection open, before counting.
	if _, err := s.adapter.keys.get(ctx); err != nil {
		t.Fatal(err)
	}
	trips := redistest.Count(own)
	for _, step := range []struct {
		name string
		m    message.Message
		want []string
	}{
		{"first offer", offer(1, "anne"), []string{"multi hset expire exec"}},
		{"the teacher hears how it stands", notice("followup", 1), nil},
		{"second offer: the first one's buttons off", offer(2, "bram"), []string{"multi hset expire exec", "hgetall", "hset"}},
		{"accepted: the second one's buttons off", notice("accepted", 2), []string{"hgetall", "hset"}},
	} {
		trips.Reset()
		if err := s.adapter.Sender().Send(ctx, step.m); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := trips.Trips(); !slices.Equal(got, step.want) {
			t.Errorf("%s: round trips %q, want %q", step.name, got, step.want)
		}
	}
	if n := len(s.mm.patchList()); n != 2 {
		t.Errorf("%d offer posts patched, want 2", n)
	}
}

// offerMsg is offer n of request req000000001 to username, with buttons.
func offerMsg(n int, to string) message.Message {
	return message.Message{
		To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: to}}, SchoolID: "de-vaart",
		Text: "Kun je even helpen?", RequestID: "req000000001",
		Key:  fmt.Sprintf("de-vaart/req000000001/offer/%d/mattermost:%s#", n, to),
		Kind: bot.NoticeOffer, OfferNo: n,
		Buttons: []message.Button{
			{Label: "Ik kom eraan", Action: message.ActionAccept, RequestID: "req000000001", OfferNo: n, Primary: true},
			{Label: "Kan nu niet", Action: message.ActionDecline, RequestID: "req000000001", OfferNo: n},
		},
	}
}

// lapseMsg is the lapse of offer n of request req000000001 to username.
func lapseMsg(n int, to string) message.Message {
	return message.Message{
		To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: to}}, SchoolID: "de-vaart",
		Text: "⏱ Geen reactie op tijd — doorgegeven aan Bram", RequestID: "req000000001",
		Key:  fmt.Sprintf("de-vaart/req000000001/offer_lapsed/%d/mattermost:%s#", n, to),
		Kind: bot.NoticeOfferLapsed, OfferNo: n,
	}
}

func toChannel(name, key string) message.Message {
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform}, Channel: name}, SchoolID: "de-vaart", Text: "x", Key: key}
}

// TestSendMarker: every post carries the marker of its message's key in a
// post property, never the key itself; a message without a key carries
// none.
func TestSendMarker(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	m := dm("juf.anna")
	if err := s.adapter.Sender().Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	bare := dm("juf.anna")
	bare.Key = ""
	if err := s.adapter.Sender().Send(ctx, bare); err != nil {
		t.Fatal(err)
	}
	posts := s.mm.postsTo(s.mm.dmOf("juf.anna"))
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	if got := posts[0].GetProp(propKey); got != marker(m.Key) {
		t.Errorf("%s = %v, want %s", propKey, got, marker(m.Key))
	}
	for k, v := range posts[0].GetProps() {
		if s, _ := v.(string); strings.Contains(s, "juf.anna") || strings.Contains(s, "req000000001") {
			t.Errorf("prop %s = %q shows the key", k, s)
		}
	}
	if got := posts[1].GetProp(propKey); got != nil {
		t.Errorf("a message without a key carries %s = %v", propKey, got)
	}
}

// TestDelivered: a message is found in its channel's recent posts by its
// marker, in a direct channel and in the school's channel.
func TestDelivered(t *testing.T) {
	other := dm("bram")
	other.Key = dm("juf.anna").Key
	for _, tc := range []struct {
		name string
		sent []message.Message
		ask  message.Message
		want bool
	}{
		{name: "dm delivered", sent: []message.Message{dm("juf.anna")}, ask: dm("juf.anna"), want: true},
		{name: "dm not delivered", ask: dm("juf.anna")},
		{name: "dm with another key", sent: []message.Message{offerMsg(1, "juf.anna")}, ask: dm("juf.anna")},
		{name: "the same key in another dm", sent: []message.Message{other}, ask: dm("juf.anna")},
		{name: "channel delivered", sent: []message.Message{toChannel("kernteam", "k1")}, ask: toChannel("~kernteam", "k1"), want: true},
		{name: "channel with another key", sent: []message.Message{toChannel("kernteam", "k2")}, ask: toChannel("kernteam", "k1")},
		{name: "among many", sent: func() []message.Message {
			var ms []message.Message
			for i := range 20 {
				ms = append(ms, toChannel("kernteam", fmt.Sprint("k", i)))
			}
			return ms
		}(), ask: toChannel("kernteam", "k3"), want: true},
		{name: "no key", sent: []message.Message{toChannel("kernteam", "")}, ask: toChannel("kernteam", "")},
		{name: "a lapse", sent: []message.Message{offerMsg(1, "anne"), lapseMsg(1, "anne")}, ask: lapseMsg(1, "anne")},
		{name: "an offer after its lapse", sent: []message.Message{offerMsg(1, "anne"), lapseMsg(1, "anne")}, ask: offerMsg(1, "anne"), want: true},
		{name: "an offer after the next", sent: []message.Message{offerMsg(1, "anne"), offerMsg(2, "bram")}, ask: offerMsg(1, "anne"), want: true},
		{name: "a channel the bot is not in", ask: toChannel("geheim", "k1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.mm.addChannel(payloadTeamID, "geheim", false, false)
			ctx := context.Background()
			for _, m := range tc.sent {
				if err := s.adapter.Sender().Send(ctx, m); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
			got, err := s.adapter.Sender().Delivered(ctx, tc.ask)
			if err != nil {
				t.Fatalf("Delivered = %v", err)
			}
			if got != tc.want {
				t.Errorf("Delivered = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDeliveredErrors: a question Mattermost cannot answer is an error in
// the Sender's contract.
func TestDeliveredErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      func(r *http.Request) (int, http.Header)
		ask       message.Message
		permanent bool
		after     time.Duration
	}{
		{name: "posts unavailable", fail: failN(99, "GET /api/v4/channels/chankernteam/posts", 503, nil), ask: toChannel("kernteam", "k1")},
		{name: "rate limited", fail: failN(99, "GET /api/v4/channels/chankernteam/posts", 429, http.Header{"Retry-After": {"5"}}), ask: toChannel("kernteam", "k1"), after: 5 * time.Second},
		{name: "unknown person", ask: dm("nobody.here"), permanent: true},
		{name: "unknown school", ask: message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: "anne"}}, SchoolID: "elders", Key: "k"}, permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.mm.setFail(tc.fail)
			got, err := s.adapter.Sender().Delivered(context.Background(), tc.ask)
			var ra *message.RetryAfterError
			switch {
			case got || err == nil:
				t.Errorf("Delivered = %v, %v; want an error", got, err)
			case errors.Is(err, message.ErrPermanent) != tc.permanent:
				t.Errorf("Delivered = %v, want permanent %v", err, tc.permanent)
			case tc.after > 0 && (!errors.As(err, &ra) || ra.After != tc.after):
				t.Errorf("Delivered = %v, want a RetryAfterError of %s", err, tc.after)
			}
			if err != nil && strings.Contains(err.Error(), "nobody.here") {
				t.Errorf("the error %q names the person", err)
			}
		})
	}
}

// TestLapse: the lapse of an offer rewrites the offer post the helper got
// (its text, its buttons off, its marker kept) instead of a new DM, also
// when the next offer took the buttons off first; a lapse of an offer
// never posted calls Mattermost not at all.
func TestLapse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []message.Message
	}{
		{name: "an offer, then its lapse", before: []message.Message{offerMsg(1, "anne")}},
		{name: "the next offer first", before: []message.Message{offerMsg(1, "anne"), offerMsg(2, "bram")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			ctx := context.Background()
			for _, m := range tc.before {
				if err := s.adapter.Sender().Send(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			patches := len(s.mm.patchList())
			if err := s.adapter.Sender().Send(ctx, lapseMsg(1, "anne")); err != nil {
				t.Fatalf("Send lapse: %v", err)
			}
			posts := s.mm.postsTo(s.mm.dmOf("anne"))
			if len(posts) != 1 {
				t.Fatalf("Anne has %d posts, want her offer only", len(posts))
			}
			p := posts[0]
			if p.Message != "⏱ Geen reactie op tijd — doorgegeven aan Bram" || len(actions(p)) != 0 {
				t.Errorf("the offer post became %q with %d buttons; want the lapse's text and none", p.Message, len(actions(p)))
			}
			if got := p.GetProp(propKey); got != marker(offerMsg(1, "anne").Key) {
				t.Errorf("the offer post's marker became %v", got)
			}
			if ps := s.mm.patchList()[patches:]; len(ps) != 1 || ps[0].PostID != p.Id || ps[0].Message == nil {
				t.Errorf("patches for the lapse = %+v, want one of the offer post's text", ps)
			}
			// Repeated (the outbox after a crash): nothing more to do.
			if err := s.adapter.Sender().Send(ctx, lapseMsg(1, "anne")); err != nil || len(s.mm.patchList()) != patches+1 {
				t.Errorf("a repeated lapse = %v with %d patches; want nothing more", err, len(s.mm.patchList())-patches-1)
			}
		})
	}
	t.Run("a lapse without an offer", func(t *testing.T) {
		s := newStack(t)
		if err := s.adapter.Sender().Send(context.Background(), lapseMsg(1, "anne")); err != nil {
			t.Fatalf("Send = %v, want nil: Anne never saw the offer", err)
		}
		s.mm.mu.Lock()
		calls := s.mm.calls
		s.mm.mu.Unlock()
		if len(calls) != 0 {
			t.Errorf("calls to Mattermost: %q, want none", calls)
		}
	})
	t.Run("the patch fails", func(t *testing.T) {
		s := newStack(t)
		ctx := context.Background()
		if err := s.adapter.Sender().Send(ctx, offerMsg(1, "anne")); err != nil {
			t.Fatal(err)
		}
		post := s.offerPost("anne")
		s.mm.setFail(failN(1, "PUT /api/v4/posts/"+post.Id+"/patch", 502, nil))
		if err := s.adapter.Sender().Send(ctx, lapseMsg(1, "anne")); err == nil || errors.Is(err, message.ErrPermanent) {
			t.Fatalf("Send lapse = %v, want an error worth a retry", err)
		}
		if err := s.adapter.Sender().Send(ctx, lapseMsg(1, "anne")); err != nil {
			t.Fatalf("Send lapse again: %v", err)
		}
		if posts := s.mm.postsTo(s.mm.dmOf("anne")); len(posts) != 1 || len(actions(posts[0])) != 0 {
			t.Errorf("Anne's posts = %d, the first with %d buttons; want her offer, without", len(posts), len(actions(posts[0])))
		}
	})
}

// TestOfferLapses: an offer nobody answers in time moves on to the next
// helper, and the first helper's offer post says so, without buttons: one
// post, rewritten, not a second DM.
func TestOfferLapses(t *testing.T) {
	s := newStack(t)
	s.command("juf.anna", "groep 5")
	offer := s.offerPost("anne")
	id, n := requestOf(t, offer)
	// The offer's delivery done with (the sender remembers the post before
	// it returns; the outbox then records it): only then can it lapse, as
	// a deadline minutes later would find it.
	for deadline := time.Now().Add(5 * time.Second); s.rdb.HExists(context.Background(), s.prefix+":{de-vaart}:outbox:msg", "n/"+id+"/offer/1/helper").Val(); {
		if time.Now().After(deadline) {
			t.Fatalf("the offer's delivery was not recorded within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r := s.request("de-vaart", id)
	sc, _ := s.dir.School("de-vaart")
	if _, err := s.svc.Timeout(context.Background(), r.Deadline.Add(time.Second), sc, id, n); err != nil {
		t.Fatalf("timeout: %v", err)
	}
	s.offerPost("bram")
	posts := s.mm.postsTo(s.mm.dmOf("anne"))
	if len(posts) != 1 || posts[0].Id != offer.Id {
		t.Fatalf("Anne has %d posts, want her offer only", len(posts))
	}
	if p := posts[0]; !strings.Contains(p.Message, "doorgegeven") || len(actions(p)) != 0 {
		t.Errorf("Anne's offer became %q with %d buttons; want that it moved on, without buttons", p.Message, len(actions(p)))
	}
	if got := s.request("de-vaart", id); got.State != bot.StateOffered || got.HelperID != "bram" {
		t.Errorf("request is %s with %q, want offered to bram", got.State, got.HelperID)
	}
}
