package handlers

import (
	"context"

	"github.com/hulpbot/hulpbot/bot"
)

// AuditRecorder keeps the audit trail: who looked at a school's overview
// or exported its figures, and when (redisstore.Store).
type AuditRecorder interface {
	RecordAudit(ctx context.Context, school string, e bot.AuditEntry) error
}

// WithAudit records every overview and CSV export a coordinator asks for.
// An overview that cannot be recorded is not shown.
func WithAudit(a AuditRecorder) Option {
	return func(h *Handler) { h.audit = a }
}

// recordAudit records what c's person is about to see, when an
// AuditRecorder is there.
func (h *Handler) recordAudit(ctx context.Context, c Command, e bot.AuditEntry) error {
	if h.audit == nil {
		return nil
	}
	e.Who = c.From.Address
	return h.audit.RecordAudit(ctx, c.School.ID, e)
}
