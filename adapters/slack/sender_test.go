package slackbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/adapters/slack/slackfake"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// newSender is a Sender against a fake Slack, on the test's Redis.
func newSender(t *testing.T, retry Retry, timeout time.Duration) (*Sender, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionHTTPClient(&http.Client{Timeout: timeout}))
	return NewSender(api, redistest.Client(t), redistest.Prefix(t), retry, nil), fake
}

var quick = Retry{Attempts: 3, Wait: 10 * time.Millisecond, MaxWait: 1500 * time.Millisecond}

func dmTo(user, key, text string) message.Message {
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Slack, Handle: user}}, Key: key, Text: text, RequestID: "req1"}
}

func postTo(channel, key, text string) message.Message {
	return message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Slack}, Channel: channel}, Key: key, Text: text}
}

// TestSendErrors: what Slack answers becomes the Sender's error contract:
// permanent for what no retry cures, *RetryAfterError for a long 429, a
// plain error for an outage; short trouble is retried inside Send.
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
		{name: "429 short: waited out", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: 1, Status: http.StatusTooManyRequests, RetryAfter: 1})
		}, ok: true, posts: 2},
		{name: "429 long: handed back", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusTooManyRequests, RetryAfter: 30})
		}, after: 30 * time.Second, posts: 1},
		{name: "500 once: retried", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: 1, Status: http.StatusInternalServerError})
		}, ok: true, posts: 2},
		{name: "500 always: a bounded number of tries", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, Status: http.StatusServiceUnavailable})
		}, posts: 3},
		{name: "timeouts", m: dmTo(anneID, "k", "hoi"), setup: func(f *slackfake.Server) {
			f.Fail("chat.postMessage", slackfake.Fault{Times: -1, Delay: time.Second})
		}, posts: 3},
		{name: "another platform", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Mattermost, Handle: "anne"}}, Text: "x"}, permanent: true},
		{name: "nobody", m: message.Message{To: bot.Recipient{Address: bot.Address{Platform: bot.Slack}}, Text: "x"}, permanent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newSender(t, quick, 200*time.Millisecond)
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
			if n := len(fake.Calls("chat.postMessage")); n != tc.posts {
				t.Errorf("chat.postMessage called %d times, want %d:\n%s", n, tc.posts, slackfake.Dump(fake.Calls("")))
			}
			if err != nil && !strings.Contains(err.Error(), "slack send") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
	}
}

// TestSendOnce: a message key is delivered once, however often and however
// concurrently it is sent; a failed delivery is not remembered.
func TestSendOnce(t *testing.T) {
	s, fake := newSender(t, quick, time.Second)
	ctx := context.Background()
	m := dmTo(anneID, "de-vaart/req1/offer/1/slack:U0ANNE0001#", "Kun je even helpen?")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- s.Send(ctx, m) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, errInFlight) {
			t.Errorf("Send = %v", err)
		}
	}
	if err := s.Send(ctx, m); err != nil {
		t.Errorf("Send again = %v", err)
	}
	if n := len(fake.Posted("D0ANNE0001")); n != 1 {
		t.Errorf("delivered %d times, want once", n)
	}
	if n := len(fake.Calls("conversations.open")); n != 0 {
		t.Errorf("conversations.open called %d times; a DM is one chat.postMessage to the member id", n)
	}
	// Another key is another message.
	if err := s.Send(ctx, dmTo(anneID, "other", "x")); err != nil {
		t.Fatal(err)
	}
	// A failure leaves the key free for the next try.
	fake.Fail("chat.postMessage", slackfake.Fault{Times: 3, Status: http.StatusInternalServerError})
	failing := dmTo(anneID, "fails-first", "x")
	if err := s.Send(ctx, failing); err == nil {
		t.Fatal("Send through an outage succeeded")
	}
	if err := s.Send(ctx, failing); err != nil {
		t.Fatalf("Send after the outage = %v", err)
	}
	if n := len(fake.Posted("D0ANNE0001")); n != 3 {
		t.Errorf("%d messages delivered, want 3", n)
	}
	ttl, err := s.rdb.TTL(ctx, s.keys.sent(m.Key)).Result()
	if err != nil || ttl <= 0 || ttl > sentTTL {
		t.Errorf("delivery record TTL = %s, %v; want within %s", ttl, err, sentTTL)
	}
}

// TestSendFiles: attachments are uploaded into the message's conversation;
// a retry after a failed upload does not post the message again, also
// behind the outbox, where the Sender keeps no delivery record.
func TestSendFiles(t *testing.T) {
	for _, records := range []bool{true, false} {
		t.Run(map[bool]string{true: "own records", false: "behind the outbox"}[records], func(t *testing.T) {
			testSendFiles(t, records)
		})
	}
}

func testSendFiles(t *testing.T, records bool) {
	s, fake := newSender(t, Retry{Attempts: 1}, time.Second)
	s.records = records
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
	if !records {
		return // the outbox remembers the delivery and calls no third time
	}
	if err := s.Send(ctx, m); err != nil || len(fake.Calls("files.getUploadURLExternal")) != 3 {
		t.Errorf("a third Send = %v and %d upload URLs, want nothing more", err, len(fake.Calls("files.getUploadURLExternal")))
	}
}

// TestChannelCache: conversations.list runs once for many posts, and a
// channel that does not exist is not looked up on every message.
func TestChannelCache(t *testing.T) {
	s, fake := newSender(t, quick, time.Second)
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

// TestSendRoundTrips counts the Redis round trips of one delivery. Behind
// the outbox (no records of the Sender's own) a message without files
// costs none; with its own records two (claim, done); a message with files
// keeps its progress either way, so a retry resumes. Before: three for
// every message (SET NX, SET, DEL of a progress record there was not).
func TestSendRoundTrips(t *testing.T) {
	files := []message.Attachment{{Name: "a.csv", Data: []byte("a\n")}, {Name: "b.csv", Data: []byte("b\n")}}
	for _, tc := range []struct {
		name    string
		records bool
		files   []message.Attachment
		want    []string
	}{
		{"behind the outbox", false, nil, nil},
		{"own records", true, nil, []string{"set", "set"}},
		{"behind the outbox, with files", false, files, []string{"hgetall",
			"multi hset expire exec", "multi hset expire exec", "multi hset expire exec", "del"}},
		{"own records, with files", true, files, []string{"set", "hgetall",
			"multi hset expire exec", "multi hset expire exec", "multi hset expire exec", "set del"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newSender(t, quick, time.Second)
			s.records = tc.records
			ctx := context.Background()
			if err := s.rdb.Ping(ctx).Err(); err != nil { // a connection open before counting
				t.Fatal(err)
			}
			trips := redistest.Count(s.rdb)
			m := postTo("coordinatie", "digest/2026-W48", "Weekoverzicht")
			m.Attachments = tc.files
			if err := s.Send(ctx, m); err != nil {
				t.Fatal(err)
			}
			if got := trips.Trips(); !slices.Equal(got, tc.want) {
				t.Errorf("round trips = %q, want %q", got, tc.want)
			}
			if n := len(fake.Posted("C0COORDIN")); n != 1 {
				t.Errorf("posted %d times, want once", n)
			}
			ks, err := s.rdb.Keys(ctx, s.keys.p+"*").Result()
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[tc.records]; len(ks) != want {
				t.Errorf("keys left = %q, want %d (the delivery record, if kept)", ks, want)
			}
		})
	}
}
