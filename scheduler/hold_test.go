package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// TestSweeperLetsHeldGo: a held request whose requester chose nothing goes
// out at its deadline, without its note, once, whichever of several
// sweepers finds it, and its requester is told; a press at the same
// moment either wins or gets ErrNotHeld.
func TestSweeperLetsHeldGo(t *testing.T) {
	for round := range 5 {
		w := newWorld(t, "anne")
		now := time.Now()
		marie := bot.Actor{Address: bot.Address{Platform: shell, Handle: "juf.marie"}, Name: "Marie"}
		r, err := w.svc.RequestHelp(context.Background(), now, w.sc, bot.HelpRequest{From: marie, Group: "5", Note: "Daan slaat", Hold: true})
		if err != nil || r.State != bot.StateHeld {
			t.Fatalf("held: %s, %v", r.State, err)
		}
		if n := w.sweep(t, now.Add(bot.HoldFor-time.Millisecond)); n != 0 || w.said.count(bot.NoticeOffer) != 0 {
			t.Fatalf("before the deadline: %d moved, %d offers", n, w.said.count(bot.NoticeOffer))
		}
		at := now.Add(bot.HoldFor)
		var wg sync.WaitGroup
		pressed := make(chan error, 1)
		wg.Go(func() {
			_, err := w.svc.Release(context.Background(), at, w.sc, marie, r.ID, bot.ReleaseAnyway)
			pressed <- err
		})
		for range 3 {
			wg.Go(func() { w.sweep(t, at) })
		}
		wg.Wait()
		got, ok, err := w.svc.Notice(context.Background(), w.sc, bot.NoticeRef{Kind: bot.NoticeOffer, RequestID: r.ID, OfferNo: 1, To: "helper:anne", Helper: "anne"})
		if err != nil || !ok {
			t.Fatalf("round %d: the offer to anne: %v, %v", round, ok, err)
		}
		if w.said.count(bot.NoticeOffer) != 1 {
			t.Fatalf("round %d: %d offers, want 1", round, w.said.count(bot.NoticeOffer))
		}
		switch perr := <-pressed; {
		case perr == nil:
			if got.Request.Note != "Daan slaat" || w.said.count(bot.NoticeHeldSent) != 0 {
				t.Errorf("round %d: the press won, yet note %q, %d held_sent", round, got.Request.Note, w.said.count(bot.NoticeHeldSent))
			}
		case errors.Is(perr, bot.ErrNotHeld):
			if got.Request.Note != "" || w.said.count(bot.NoticeHeldSent) != 1 {
				t.Errorf("round %d: the deadline won, yet note %q, %d held_sent", round, got.Request.Note, w.said.count(bot.NoticeHeldSent))
			}
		default:
			t.Fatalf("round %d: press: %v", round, perr)
		}
	}
}
