package yearpage

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// BenchmarkPage renders a samenwerkingsverband's page of n schools, each
// with a full year (figures already read): the work of one page view
// besides Redis.
func BenchmarkPage(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("schools=%d", n), func(b *testing.B) {
			y := bot.SchoolYear{Start: 2026}
			var units []unit
			for i := range n {
				sc := school(fmt.Sprintf("s%d", i), fmt.Sprintf("School %d", i), "C", sanne)
				this := vaartYear()
				for m := range this.Months {
					this.Months[m] = vaartYear().Months[1]
					this.Months[m].Month = y.Months()[m]
				}
				units = append(units, unit{School: sc, This: this, Prev: Sum(sc.ID, bot.SchoolYear{Start: 2025})})
			}
			s := New(fakeSchools{}, fakeFigures{}, staticKeys{NewSigner([]byte("0123456789abcdef"))}, Options{})
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			for b.Loop() {
				m := build("nl", "SWV", n > 1, y, units, now)
				w := httptest.NewRecorder()
				s.render(w, http.StatusOK, "page", "nl", m)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
				_, _ = io.Copy(io.Discard, w.Body)
			}
		})
	}
}

// BenchmarkVerify checks a session cookie: every page view does.
func BenchmarkVerify(b *testing.B) {
	s := NewSigner([]byte("0123456789abcdef"))
	now := time.Unix(1_800_000_000, 0)
	tok := s.Sign(Pass{Kind: passSession, Scope: Scope{ScopeSchool, "de-vaart"}, Who: sanne, Expires: now.Unix() + 3600})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(tok, passSession, now); err != nil {
			b.Fatal(err)
		}
	}
}
