package handlers

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/redisstore/redistest"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

type discard struct{}

func (discard) Send(context.Context, message.Message) error { return nil }

// BenchmarkRequestHelp is one "/hulp groep 5 …" from the command text to
// the reply: parse, route, the create-and-offer script on Redis (REDIS_URL
// when set), rendering the reply and the helper's offer.
//
//	offered: a helper is free; the request is withdrawn outside the timer
//	         so the next one finds her free again.
//	escalated: nobody on duty; the fallback channel gets it.
func BenchmarkRequestHelp(b *testing.B) {
	for _, tc := range []struct {
		name     string
		onDuty   bool
		wantText string
	}{
		{"offered", true, "doorgezet naar Anne"},
		{"escalated", false, "niemand beschikbaar"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			sc := testSchool(b, "nl")
			if !tc.onDuty {
				sc.Helpers = nil
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			store := redisstore.New(redistest.Client(b), redistest.Prefix(b), log)
			svc := bot.NewService(store, nil, log)
			h := New(svc, time.Now, log)
			marie := bot.Actor{Address: bot.Address{Platform: mattermost, Handle: "juf.marie"}, Name: "juf.marie"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				reply := h.Command(ctx, Command{School: sc, From: marie, Text: "groep 5 onrust na gym"})
				if !strings.Contains(reply.Text, tc.wantText) {
					b.Fatalf("reply %q lacks %q", reply.Text, tc.wantText)
				}
				if tc.onDuty {
					b.StopTimer()
					if _, err := svc.Cancel(ctx, time.Now(), sc, marie, ""); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkLooksLikeName is the name check on a note, with a school's
// known words folded once (as the handler keeps them).
func BenchmarkLooksLikeName(b *testing.B) {
	sc := testSchool(b, catalog.LangNL)
	known := NewKnownWords(knownWords(sc)...)
	for b.Loop() {
		if known.LooksLikeName("Onrust na de gym bij groep 5, juf Marie vraagt hulp") {
			b.Fatal("a note without a child's name flagged")
		}
	}
}
