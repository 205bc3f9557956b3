package main

import (
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/yearpage"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// openYearPage serves the year overview in the browser on mux when the
// configuration has a web section, and returns the option that lets
// coordinators ask for its link; nil when it is off.
func (m *Main) openYearPage(rdb redis.UniversalClient, store *redisstore.Store, mux *http.ServeMux, send message.Sender) handlers.Option {
	w := m.cfg.Web
	if w == nil {
		return nil
	}
	srv := yearpage.New(m.dir, store, yearpage.NewKeyring(w.Secret, rdb, m.cfg.RedisPrefix), yearpage.Options{
		PublicURL:              w.PublicURL,
		LinkTTL:                w.LinkTTLOrDefault(),
		SessionTTL:             w.SessionTTLOrDefault(),
		Samenwerkingsverbanden: m.cfg.SamenwerkingsverbandenOf(),
		Now:                    m.now,
		Log:                    m.log,
	})
	srv.Register(mux)
	return handlers.WithYearLinks(srv, send)
}
