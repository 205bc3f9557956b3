package catalog

import (
	"testing"

	"github.com/hulpbot/hulpbot/bot"
)

// BenchmarkRender renders the helper's offer, the message every request
// sends (text, buttons, key).
func BenchmarkRender(b *testing.B) {
	sc := testSchool(b, LangNL)
	var offer bot.Notice
	for _, tt := range notices(b) {
		if tt.n.Kind == bot.NoticeOffer {
			offer = tt.n
			break
		}
	}
	if offer.Kind == "" {
		b.Fatal("no offer among the test notices")
	}
	for b.Loop() {
		if m := Render(offer, sc); len(m.Buttons) != 2 {
			b.Fatalf("offer rendered with %d buttons", len(m.Buttons))
		}
	}
}
