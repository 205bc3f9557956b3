// Package adapters holds what connects hulpbot to the outside world, one
// package per technology, and the small registry that sends each message
// on the platform of its recipient.
package adapters

import (
	"context"
	"fmt"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/handlers"
)

// Senders delivers each message through the sender of its platform.
type Senders map[bot.Platform]handlers.Sender

var _ handlers.Sender = Senders(nil)

// Send implements handlers.Sender.
func (s Senders) Send(ctx context.Context, m handlers.Message) error {
	to, ok := s[m.To.Platform]
	if !ok {
		return fmt.Errorf("send %s: no adapter for platform %q", m.Key, m.To.Platform)
	}
	return to.Send(ctx, m)
}
