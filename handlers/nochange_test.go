package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// dumpKeys is every key under prefix with its type, content and expiry.
func dumpKeys(t *testing.T, rdb redis.UniversalClient, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	keys, err := redistest.Keys(ctx, rdb, prefix+":*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		var content any
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "hash":
			m := rdb.HGetAll(ctx, k).Val()
			content = fmt.Sprint(m) // fmt sorts map keys
		case "zset":
			content = rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "list":
			content = rdb.LRange(ctx, k, 0, -1).Val()
		default:
			content = rdb.Get(ctx, k).Val()
		}
		// A real Redis counts a TTL down: compare the absolute expiry there.
		exp := rdb.PTTL(ctx, k).Val()
		if redistest.Real() {
			exp = time.Duration(rdb.Do(ctx, "PEXPIRETIME", k).Val().(int64))
		}
		out[k] = fmt.Sprintf("%v exp=%d", content, exp)
	}
	return out
}

// TestBadInputChangesNothing runs bad commands and clicks through the real
// core on Redis: each gets a clear answer, and Redis is byte for byte the
// same afterwards.
func TestBadInputChangesNothing(t *testing.T) {
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	sc := testSchool(t, "nl")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := redisstore.New(rdb, prefix, log)
	svc := bot.NewService(store, nil, log)
	h := New(svc, time.Now, log)
	ctx := context.Background()
	marie := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "juf.marie"}, Name: "juf.marie"}
	els := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "juf.els"}, Name: "juf.els"}
	anne := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "anne"}, Name: "Anne"}
	bram := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "bram"}, Name: "Bram"}

	// The world before: one request of Marie's, accepted by Anne.
	first := h.Command(ctx, Command{School: sc, From: marie, Text: "groep 5"})
	if !strings.Contains(first.Text, "Anne") {
		t.Fatalf("setup: %q", first.Text)
	}
	if r := h.Command(ctx, Command{School: sc, From: anne, Text: "ok"}); !strings.Contains(r.Text, "groep 5") {
		t.Fatalf("setup accept: %q", r.Text)
	}

	commands := []struct {
		name string
		from bot.Actor
		text string
		want string
	}{
		{"unknown sub-command", marie, "vliegtuig", "begrijp ik niet"},
		{"unknown group", marie, "groep 9", "Die groep ken ik niet"},
		{"10 kB of text", marie, "groep 5 " + strings.Repeat("x", 10_000), "te lang"},
		{"control characters", marie, "groep 5 \x00\x07 onrust", "tekens"},
		{"invalid UTF-8", marie, "groep 5 \xff\xfe", "tekens"},
		{"a teacher accepting", marie, "ok", "als hulpverlener"},
		{"accepting with no offer", bram, "ok", "geen hulpvraag openstaan"},
		{"declining with no offer", bram, "kan niet", "geen hulpvraag openstaan"},
		{"second accept", anne, "ok", "al aangenomen"},
		{"cancelling when you have nothing open", els, "annuleer", "geen"},
		{"resolving with nothing accepted", bram, "klaar", "geen aangenomen hulpvraag"},
		{"a teacher setting a status", marie, "afwezig", "als hulpverlener"},
		{"a time without digits", anne, "afwezig tot vanmiddag", "tijd"},
		{"overview by a teacher", marie, "overzicht", "coördinator"},
		{"empty success story", marie, "succes", "verhaal"},
	}
	for _, tc := range commands {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpKeys(t, rdb, prefix)
			reply := h.Command(ctx, Command{School: sc, From: tc.from, Text: tc.text})
			if !strings.Contains(strings.ToLower(reply.Text), strings.ToLower(tc.want)) {
				t.Errorf("reply to %.40q = %q, want it to mention %q", tc.text, reply.Text, tc.want)
			}
			assertSame(t, before, dumpKeys(t, rdb, prefix))
		})
	}

	st, err := store.HelperStates(ctx, sc.ID, []string{"anne"})
	if err != nil || st["anne"].Engaged == "" {
		t.Fatalf("anne works on nothing: %v, %v", st, err)
	}
	annes := st["anne"].Engaged
	clicks := []struct {
		name  string
		click Click
	}{
		{"accept by someone else", Click{From: bram, Action: message.ActionAccept, RequestID: "nosuchrequest", OfferNo: 1}},
		{"second accept by button", Click{From: anne, Action: message.ActionAccept, RequestID: annes, OfferNo: 1}},
		{"decline of an accepted request", Click{From: anne, Action: message.ActionDecline, RequestID: annes, OfferNo: 1}},
		{"stale offer number", Click{From: anne, Action: message.ActionAccept, RequestID: annes, OfferNo: 7}},
		{"unknown action", Click{From: anne, Action: "explode", RequestID: annes, OfferNo: 1}},
		{"pickup of a request that is not escalated", Click{From: bram, Action: message.ActionPickup, RequestID: annes}},
	}
	for _, tc := range clicks {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpKeys(t, rdb, prefix)
			tc.click.School = sc
			reply := h.Click(ctx, tc.click)
			if reply.Update != nil || reply.Ephemeral == "" {
				t.Errorf("click reply = %+v, want only an ephemeral explanation", reply)
			}
			assertSame(t, before, dumpKeys(t, rdb, prefix))
		})
	}

	t.Run("cancelling someone else's request", func(t *testing.T) {
		before := dumpKeys(t, rdb, prefix)
		if _, err := svc.Cancel(ctx, time.Now(), sc, els, annes); err == nil {
			t.Error("juf Els cancelled juf Marie's request")
		}
		assertSame(t, before, dumpKeys(t, rdb, prefix))
	})
}

func assertSame(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("key %s changed", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %s created", k)
		}
	}
}
