package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/message"
)

// YearLinks makes the personal links to the year overview in the browser
// that a person may open, asking from school sc: none when the person
// coordinates neither the school nor a samenwerkingsverband of it.
type YearLinks interface {
	Links(ctx context.Context, now time.Time, sc *bot.School, who bot.Address) ([]YearLink, error)
}

type yearDeps struct {
	links YearLinks
	send  message.Sender
}

// WithYearLinks lets coordinators ask for the year overview in the
// browser ("/hulp overzicht web"): the link goes by direct message,
// through send (the outbox), never in the reply, which others in a channel
// might see.
func WithYearLinks(links YearLinks, send message.Sender) Option {
	return func(h *Handler) { h.year = &yearDeps{links: links, send: send} }
}

// yearLink answers "/hulp overzicht web".
func (h *Handler) yearLink(ctx context.Context, now time.Time, c Command) (Reply, string, error) {
	sc := c.School
	l := catalog.Lang(sc.Language)
	if h.year == nil {
		if !sc.IsCoordinator(c.From.Address) {
			return Reply{}, "", bot.ErrNotCoordinator
		}
		return Reply{Text: catalog.Text(l, "year.link.off")}, "", nil
	}
	links, err := h.year.links.Links(ctx, now, sc, c.From.Address)
	if err != nil {
		return Reply{}, "", err
	}
	if len(links) == 0 {
		return Reply{}, "", bot.ErrNotCoordinator
	}
	var text []string
	for _, k := range links {
		text = append(text, catalog.Text(l, "year.link.dm", "name", k.Name, "time", k.Expires.In(sc.Location).Format("15:04"), "url", k.URL))
	}
	dm := message.Message{To: bot.Recipient{Address: c.From.Address}, SchoolID: sc.ID, Text: catalog.Lines(text...)}
	sctx, cancel := context.WithTimeout(ctx, chartTimeout)
	err = h.year.send.Send(sctx, dm)
	cancel()
	if err != nil {
		h.log.Warn("command", "school", sc.ID, "cmd", "summary.web", "outcome", "link.undelivered", "err", err)
		return Reply{Text: catalog.Text(l, "year.link.failed")}, "", nil
	}
	minutes := int(links[0].Expires.Sub(now).Round(time.Minute) / time.Minute)
	return Reply{Text: catalog.Text(l, "year.link.sent", "minutes", strconv.Itoa(minutes))}, "", nil
}
