package catalog

import (
	"strings"
	"testing"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/golden"
	"github.com/hulpbot/hulpbot/message"
)

// TestHeldReply: the answer to a held request says nothing went out, when
// it goes without a choice, how to change it; its three buttons name the
// request and mean nothing after the hold's deadline. The note itself is
// not repeated.
func TestHeldReply(t *testing.T) {
	now := testNow(t)
	r := bot.Request{ID: "req000000001", Group: "5", Note: "Daan slaat", State: bot.StateHeld, CreatedAt: now, Deadline: now.Add(bot.HoldFor)}
	for _, l := range []string{LangNL, LangEN} {
		sc := testSchool(t, l)
		text, buttons := HeldReply(sc, r)
		if strings.Contains(text, "Daan") || strings.ContainsAny(text, "{}") {
			t.Errorf("%s: %q", l, text)
		}
		if len(buttons) != 3 {
			t.Fatalf("%s: %d buttons", l, len(buttons))
		}
		for _, b := range buttons {
			if b.RequestID != r.ID || !b.Until.Equal(r.Deadline) {
				t.Errorf("%s: button %+v", l, b)
			}
		}
		golden.Check(t, "render/held-reply."+l, dump(message.Message{Text: text, Buttons: buttons, RequestID: r.ID}))
		offered := r
		offered.State, offered.HelperID = bot.StateOffered, "anne"
		cancelled := r
		cancelled.State = bot.StateCancelled
		var got []string
		for _, c := range []struct {
			r     bot.Request
			how   bot.ReleaseHow
			again bool
		}{{offered, bot.ReleaseWithoutNote, false}, {offered, bot.ReleaseAnyway, false}, {cancelled, bot.ReleaseCancel, false},
			{offered, bot.ReleaseCancel, true}, {cancelled, bot.ReleaseAnyway, true}} {
			got = append(got, string(c.how)+" again="+map[bool]string{true: "yes", false: "no"}[c.again]+": "+LetGoText(sc, c.r, c.how, c.again))
		}
		golden.Check(t, "render/held-let-go."+l, strings.Join(got, "\n")+"\n")
	}
}
