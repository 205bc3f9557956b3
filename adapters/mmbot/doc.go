// Package mmbot is hulpbot on Mattermost: the slash command and button
// endpoints Mattermost calls (inbound), and a message.Sender that posts
// direct messages and channel posts through the REST API v4 as hulpbot's
// bot account (outbound).
//
// The package is named mmbot so it does not shadow Mattermost's own
// packages; the Mattermost library is imported as model.
//
// Inbound, every request is verified before anything acts on it:
//
//   - POST /mattermost/command: the slash command's token (header
//     "Authorization: Token …" and/or form field token) is compared in
//     constant time with the configured tokens, each bound to its team
//     (each team's /hulp has its own token): a token with another team's id
//     or name is 401, like a wrong one. The team is mapped to the school
//     whose mattermost_team it is (team names resolved to ids through the
//     API and cached); the command goes to handlers and the answer is an
//     ephemeral model.CommandResponse.
//   - POST /mattermost/action: Mattermost does not sign button clicks, so
//     every button hulpbot renders carries in its integration context the
//     action, request, offer and school, for whom it works (the user id of
//     the account its message went to, or the channel a pick-up was posted
//     in) and until when (an offer's deadline and a grace, a request's
//     retention, else a day), and an HMAC-SHA256 over them with a secret
//     only hulpbot knows (Signer). A click whose context does not verify
//     (or predates this layout), by another account or from another
//     channel, after its expiry, or from another school's team, changes
//     nothing and gets a Dutch ephemeral note. A verified click goes to
//     handlers; its answer rewrites the post for everyone (buttons gone) or
//     is ephemeral.
//
// Buttons on a command's answer sit on an ephemeral post, which Mattermost
// never stores: their clicks come through the button's cookie, and an
// "update" in the answer fails the click (the post cannot be found) after
// hulpbot has acted. Such clicks are answered through the command's
// response URL instead, as a new ephemeral post with the next buttons
// (ephemeral.go); the pressed post keeps its buttons until the page is
// reloaded, and a second press is told what happened.
//
// The person is always the account of user_id, which Mattermost sets,
// resolved to its username through the API (cached ten minutes, and for a
// day while the API cannot be asked); user_name is not taken on its word.
//
// Outbound, Sender resolves usernames and channel names to ids (cached,
// refreshed on a miss), opens the direct channel bot↔person, uploads
// attachments and creates the post, with the marker of the message's key in
// the post property hulpbot_key; Delivered (message.Checker) looks for that
// marker in the channel's recent posts. Each API call is made once, and its
// failure classified for the outbox in front, which retries:
// message.ErrPermanent for unknown people and channels and refused posts,
// *message.RetryAfterError on HTTP 429, plain errors otherwise. The lapse
// of an offer rewrites the offer post (text, no buttons) instead of
// sending a new DM. A post to a direct channel that Mattermost refuses
// with 403 is tried once more after renewing Mattermost's cache of the
// bot's memberships, which a direct channel opened at the same moment as
// another request of the bot's can leave without that channel
// (Sender.refresh).
//
// Rendering (Render*) is pure and golden-tested: user text is escaped so a
// note shows as typed and never pings (@all, @channel, @here, @someone);
// a bare http(s) address keeps its _ * ~ unescaped, because Mattermost
// makes it a link first and a backslash would become part of the link.
//
// Small adapter state lives in Redis under <redis_prefix>:mm: — the
// generated action secret (shared by replicas) and the post ids of offers,
// so an offer's buttons can be taken away when the request moves on
// without a click, and its text rewritten when the offer lapses.
//
// Logs carry ids and counts only, never message text, notes or names.
package mmbot
