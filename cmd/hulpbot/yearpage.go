package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/hulpbot/hulpbot/adapters/redisstore"
	"github.com/hulpbot/hulpbot/adapters/yearpage"
	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/catalog"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// openYearPage serves the year overview in the browser on mux when the
// configuration has a web section, and returns the option that lets
// coordinators ask for its link; nil when it is off.
func (m *Main) openYearPage(rdb redis.UniversalClient, store *redisstore.Store, mux *http.ServeMux, send message.Sender, langs catalog.PersonLanguages) handlers.Option {
	w := m.cfg.Web
	if w == nil {
		return nil
	}
	srv := yearpage.New(m.dir, store, yearpage.NewKeyring(w.Secret, rdb, m.cfg.RedisPrefix), yearpage.Options{
		PublicURL:              w.PublicURL,
		LinkTTL:                w.LinkTTLOrDefault(),
		SessionTTL:             w.SessionTTLOrDefault(),
		Samenwerkingsverbanden: m.cfg.SamenwerkingsverbandenOf(),
		Audit:                  yearAudit{store},
		Languages:              langs,
		Now:                    m.now,
		Log:                    m.log,
	})
	srv.Register(mux)
	return handlers.WithYearLinks(srv, send)
}

// yearAudit puts each view and download of the year overview in the audit
// trail of every school whose figures it showed: a samenwerkingsverband's
// look is in each of its schools' trail.
type yearAudit struct{ store *redisstore.Store }

func (a yearAudit) RecordView(ctx context.Context, v yearpage.View) error {
	e := bot.AuditEntry{At: v.At, Who: v.Who, Action: bot.AuditYearPage, Detail: v.Year.String()}
	if v.What == "csv" {
		e.Action = bot.AuditYearCSV
	}
	if v.Scope.Kind == yearpage.ScopeSWV {
		e.Detail += " " + v.Scope.Kind + ":" + v.Scope.ID
	}
	var errs []error
	for _, school := range v.Schools {
		errs = append(errs, a.store.RecordAudit(ctx, school, e))
	}
	return errors.Join(errs...)
}
