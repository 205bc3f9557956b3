package main

import (
	"log/slog"
	"sync/atomic"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/pseudonym"
)

// pseudonyms writes the bot.Masked values of log lines as the people's
// pseudonyms, with the deployment's key once Redis gave it (Run), "-"
// before: a log line never waits for Redis, and never names anyone.
type pseudonyms struct {
	names atomic.Pointer[pseudonym.Keyring]
}

// replace is the log handlers' ReplaceAttr.
func (p *pseudonyms) replace(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindAny {
		return a
	}
	m, ok := a.Value.Any().(bot.Masked)
	if !ok {
		return a
	}
	a.Value = slog.StringValue(p.of(m.Unmasked()))
	return a
}

func (p *pseudonyms) of(s string) string {
	if s == "" {
		return "" // nobody: an escalated request has no helper
	}
	if k := p.names.Load(); k != nil {
		if v, ok := k.IfLoaded(s); ok {
			return v
		}
	}
	return "-"
}
