// Package slackbot connects hulpbot to Slack: the "/hulp" slash command and
// the buttons of its messages come in over HTTP (or Socket Mode), are
// verified against the app's signing secret before anything is parsed, and
// go to the platform-neutral handlers; messages go out through the Web API
// (slack-go) as Block Kit.
//
// The package is named slackbot so that it does not shadow the slack-go
// package it uses (imported as slack).
//
// Inbound:
//
//	POST /slack/command        slash command form → handlers.Command → ephemeral JSON reply
//	POST /slack/interactivity  block_actions payload → handlers.Click → response_url update
//
// Outbound: Sender delivers a message.Message, in one try for the durable
// outbox in front of it, as a DM (chat.postMessage to the member id, which
// Slack puts in the bot's DM with that person) or a post in a channel named
// in the configuration (resolved with conversations.list), with files
// through files.uploadV2. Every message carries a marker of its key as
// message metadata, by which Delivered (message.Checker) finds it in the
// conversation's history. The lapse of an offer updates the offer message
// (chat.update) instead of sending a new DM. Queue answers clicks in the
// background.
//
// One Slack app may be installed in many workspaces (a school each), and
// a bot token works in its own workspace only: Workspaces holds a client
// per token, and every Web API call goes with the token of the workspace
// it concerns — a message its school's, a lookup of the person who typed
// or clicked their request's team_id's. A request from a school's
// workspace without a token is refused, in the school's language, before
// anything changes.
//
// With Install, a workspace's token may also come from installing the app
// there ("Add to Slack"): GET /slack/install sends the browser to Slack,
// GET /slack/oauth exchanges the code Slack sends back (oauth.v2.access)
// and keeps the token in Redis, for a workspace a school is linked to
// only. A configured token goes first.
//
// Small adapter state lives in Redis under <prefix>:slack:, always with a
// TTL but for installed tokens:
// slash commands and clicks already handled (Slack may deliver one twice;
// not a request for help, which the store creates once per trigger_id),
// the progress of a message with files, where each offer was posted.
package slackbot
