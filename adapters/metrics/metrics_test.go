package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hulpbot/hulpbot/bot"
)

func TestCounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	n := NewObserver(reg)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	send := n.Observe
	first := bot.Request{ID: "r1", OfferNo: 1, CreatedAt: t0}
	second := bot.Request{ID: "r1", OfferNo: 2, CreatedAt: t0}
	send(bot.Notice{Kind: bot.NoticeOffer, Request: first})
	send(bot.Notice{Kind: bot.NoticeOffer, Request: second, Reason: bot.ReasonDecline})
	send(bot.Notice{Kind: bot.NoticeMovedOn, Request: second, Reason: bot.ReasonDecline}) // to the teacher: not counted again
	accepted := second
	accepted.AcceptedAt = t0.Add(45 * time.Second)
	send(bot.Notice{Kind: bot.NoticeAccepted, Request: accepted})
	send(bot.Notice{Kind: bot.NoticeResolved, Request: accepted})
	send(bot.Notice{Kind: bot.NoticeEscalated, Request: bot.Request{ID: "r2"}})
	send(bot.Notice{Kind: bot.NoticeEscalated, Request: bot.Request{ID: "r3", OfferNo: 1}, Reason: bot.ReasonTimeout})

	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"offered", testutil.ToFloat64(n.requests.WithLabelValues("offered")), 1},
		{"escalated at intake", testutil.ToFloat64(n.requests.WithLabelValues("escalated_at_intake")), 1},
		{"escalated", testutil.ToFloat64(n.requests.WithLabelValues("escalated")), 1},
		{"accepted", testutil.ToFloat64(n.requests.WithLabelValues("accepted")), 1},
		{"resolved", testutil.ToFloat64(n.requests.WithLabelValues("resolved")), 1},
		{"offers", testutil.ToFloat64(n.offers), 2},
		{"declines", testutil.ToFloat64(n.movedOn.WithLabelValues("decline")), 1},
		{"timeouts", testutil.ToFloat64(n.movedOn.WithLabelValues("timeout")), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	want := `
# HELP hulpbot_time_to_accept_seconds Time from a request to its acceptance by a helper.
# TYPE hulpbot_time_to_accept_seconds histogram
hulpbot_time_to_accept_seconds_bucket{le="5"} 0
hulpbot_time_to_accept_seconds_bucket{le="15"} 0
hulpbot_time_to_accept_seconds_bucket{le="30"} 0
hulpbot_time_to_accept_seconds_bucket{le="60"} 1
hulpbot_time_to_accept_seconds_bucket{le="120"} 1
hulpbot_time_to_accept_seconds_bucket{le="300"} 1
hulpbot_time_to_accept_seconds_bucket{le="600"} 1
hulpbot_time_to_accept_seconds_bucket{le="1800"} 1
hulpbot_time_to_accept_seconds_bucket{le="+Inf"} 1
hulpbot_time_to_accept_seconds_sum 45
hulpbot_time_to_accept_seconds_count 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "hulpbot_time_to_accept_seconds"); err != nil {
		t.Error(err)
	}
}
