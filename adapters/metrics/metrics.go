// Package metrics counts what happens to requests for /metrics. It observes
// the notices each change of the core queues, so the core stays free of
// instrumentation.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hulpbot/hulpbot/bot"
)

// Observer counts the notices of the core's changes.
type Observer struct {
	requests *prometheus.CounterVec
	offers   prometheus.Counter
	movedOn  *prometheus.CounterVec
	accept   prometheus.Histogram
}

var _ bot.Observer = (*Observer)(nil)

// NewObserver registers the metrics on reg.
func NewObserver(reg prometheus.Registerer) *Observer {
	n := &Observer{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hulpbot_requests_total",
			Help: "Requests for help by outcome: offered or escalated at intake, accepted, resolved, cancelled, escalated after offers.",
		}, []string{"outcome"}),
		offers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hulpbot_offers_total",
			Help: "Offers sent to helpers.",
		}),
		movedOn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hulpbot_offers_moved_on_total",
			Help: "Offers that moved on to the next helper or the fallback channel, by reason (decline, timeout).",
		}, []string{"reason"}),
		accept: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hulpbot_time_to_accept_seconds",
			Help:    "Time from a request to its acceptance by a helper.",
			Buckets: []float64{5, 15, 30, 60, 120, 300, 600, 1800},
		}),
	}
	reg.MustRegister(n.requests, n.offers, n.movedOn, n.accept)
	for _, o := range []string{"offered", "escalated_at_intake", "accepted", "resolved", "cancelled", "escalated"} {
		n.requests.WithLabelValues(o)
	}
	for _, r := range []bot.AdvanceReason{bot.ReasonDecline, bot.ReasonTimeout} {
		n.movedOn.WithLabelValues(string(r))
	}
	return n
}

// Observe derives the metrics from one notice (bot.Observer). Each event of
// a request is counted on exactly one notice kind, so fan-out to several
// recipients does not count twice.
func (n *Observer) Observe(nt bot.Notice) {
	r := nt.Request
	switch nt.Kind {
	case bot.NoticeOffer:
		n.offers.Inc()
		if r.OfferNo == 1 {
			n.requests.WithLabelValues("offered").Inc()
		} else {
			n.movedOn.WithLabelValues(string(nt.Reason)).Inc()
		}
	case bot.NoticeEscalated:
		if nt.Reason == "" {
			n.requests.WithLabelValues("escalated_at_intake").Inc()
		} else {
			n.movedOn.WithLabelValues(string(nt.Reason)).Inc()
			n.requests.WithLabelValues("escalated").Inc()
		}
	case bot.NoticeAccepted:
		n.requests.WithLabelValues("accepted").Inc()
		if d, ok := r.TimeToAccept(); ok {
			n.accept.Observe(d.Seconds())
		}
	case bot.NoticeResolved:
		n.requests.WithLabelValues("resolved").Inc()
	case bot.NoticeCancelled:
		n.requests.WithLabelValues("cancelled").Inc()
	}
}
