// Package adapters holds what connects hulpbot to the outside world, one
// package per technology, and the small registry that sends each message
// on the platform of its recipient.
package adapters

import (
	"context"
	"fmt"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/message"
)

// Senders delivers each message through the sender of its platform.
type Senders map[bot.Platform]message.Sender

var _ message.Sender = Senders(nil)

// Send implements message.Sender.
func (s Senders) Send(ctx context.Context, m message.Message) error {
	to, ok := s[m.To.Platform]
	if !ok {
		return fmt.Errorf("send %s: no adapter for platform %q", m.Key, m.To.Platform)
	}
	return to.Send(ctx, m)
}

var _ message.Checker = Senders(nil)

// Delivered implements message.Checker: the platform of the recipient is
// asked, when its sender can tell; otherwise the message counts as not
// delivered (sent again rather than lost).
func (s Senders) Delivered(ctx context.Context, m message.Message) (bool, error) {
	c, ok := s[m.To.Platform].(message.Checker)
	if !ok {
		return false, nil
	}
	return c.Delivered(ctx, m)
}
