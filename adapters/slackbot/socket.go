package slackbot

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// ackTimeout bounds the hand-over of an acknowledgement to the socket.
const ackTimeout = 2 * time.Second

// RunSocketMode receives commands and clicks over Socket Mode (an app-level
// token, xapp-…) instead of HTTP, until ctx ends. Every envelope is
// acknowledged within Slack's 3 seconds: a command with its answer, a click
// at once, its answer through the response_url. A lost connection is
// opened again, with backoff.
func (a *Adapter) RunSocketMode(ctx context.Context, appToken string) {
	// The app-level token is the app's, for every workspace; Socket Mode
	// needs no bot token.
	api := slack.New("", slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(a.apiURL), slack.OptionHTTPClient(a.hc))
	wait := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		err := a.socketSession(ctx, socketmode.New(api))
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			wait = time.Second
		}
		a.log.Warn("slack socket mode disconnected", "err", err, "retry_in", wait)
		if !sleep(ctx, wait) {
			return
		}
		wait = min(2*wait, time.Minute)
	}
}

// socketSession runs one socketmode client until it stops or ctx ends.
func (a *Adapter) socketSession(ctx context.Context, sm *socketmode.Client) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case err := <-runErr:
			return err
		case <-ctx.Done():
			select {
			case <-runErr:
			case <-time.After(5 * time.Second):
				a.log.Warn("slack socket mode did not stop within 5s")
			}
			return ctx.Err()
		case evt := <-sm.Events:
			wg.Go(func() { a.socketEvent(ctx, sm, evt) })
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		actx, cancel := context.WithTimeout(ctx, ackTimeout)
		defer cancel()
		if err := sm.AckCtx(actx, evt.Request.EnvelopeID, payload); err != nil {
			a.log.Warn("slack socket ack failed", "type", evt.Type, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode: invalid app token")
	case socketmode.EventTypeConnectionError:
		a.log.Warn("slack socket mode connection error")
	case socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		s, _ := evt.Data.(slack.SlashCommand)
		c, err := fromSocket(s)
		if err != nil {
			ack(nil)
			a.log.Warn("slack request rejected", "endpoint", "socket command", "reason", reason(err))
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.answerTimeout)
		defer cancel()
		p, silent := a.command(cctx, c, evt.Request.RetryAttempt)
		if silent {
			ack(nil)
			return
		}
		ack(p)
	case socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		ack(nil)
		c, err := decodeInteraction(evt.Request.Payload)
		if err != nil {
			a.log.Warn("slack request rejected", "endpoint", "socket interactivity", "reason", reason(err))
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.answerTimeout)
		defer cancel()
		a.click(cctx, c, evt.Request.RetryAttempt)
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			ack(nil)
		}
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse an envelope; it is not acknowledged, so
		// Slack sends it again. The cause may quote it: not logged.
		a.log.Warn("slack socket mode: envelope not understood")
	default:
		a.log.Debug("slack socket mode event", "type", evt.Type)
	}
}
