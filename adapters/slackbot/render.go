package slackbot

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// Limits of Block Kit and the Web API that rendering keeps to.
const (
	maxSectionText = 3000  // characters of a section's text
	maxBlocks      = 50    // blocks of one message
	maxButtonLabel = 75    // characters of a button's text
	maxFallback    = 3000  // characters of the top-level text (notifications)
	maxButtons     = 25    // elements of one actions block
	maxText        = 40000 // characters of a whole message, before it is cut
)

// actionsBlockID names the block that holds hulpbot's buttons.
const actionsBlockID = "hulpbot_actions"

// Payload is a message in the JSON shape Slack takes it: the answer to a
// slash command, a post to a response_url, and (with the channel added) the
// arguments of chat.postMessage and chat.update.
type Payload struct {
	// ResponseType is "ephemeral" or "in_channel" for answers to a command
	// or click; empty for posts.
	ResponseType string `json:"response_type,omitempty"`
	// ReplaceOriginal, for a response_url, says whether the message that
	// held the button is replaced (true) or a new message is shown (false).
	ReplaceOriginal *bool `json:"replace_original,omitempty"`
	// Text is the notification and fallback text, escaped.
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks,omitempty"`
}

// ErrRender is a message that cannot be rendered (a button hulpbot cannot
// encode): a bug, never retried.
var ErrRender = errors.New("cannot render message")

// MessagePayload renders a message for chat.postMessage: its text in
// sections (the first line bold when the message has several), its buttons
// in one actions block. Every character of the text is shown as written:
// "<!channel>" in a note never pings anyone, "*" or "_" makes nothing bold
// or italic (textSection).
func MessagePayload(m message.Message) (Payload, error) {
	blocks, err := renderBlocks(m.Text, m.Buttons, strings.Contains(strings.TrimSpace(m.Text), "\n"))
	if err != nil {
		return Payload{}, err
	}
	return Payload{Text: fallback(m.Text), Blocks: blocks}, nil
}

// CommandPayload renders the answer to a slash command, shown only to the
// person who typed it.
func CommandPayload(r handlers.Reply) (Payload, error) {
	blocks, err := renderBlocks(r.Text, r.Buttons, false)
	if err != nil {
		return Payload{}, err
	}
	return Payload{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(r.Text), Blocks: blocks}, nil
}

// ClickPayloads renders the answer to a click: update replaces the message
// that held the button for everyone (its buttons gone unless the update has
// new ones); ephemeral is shown to the clicker only and leaves the message
// as it was. Either may be nil.
func ClickPayloads(r handlers.ClickReply) (update, ephemeral *Payload, err error) {
	if r.Update != nil {
		p, err := MessagePayload(*r.Update)
		if err != nil {
			return nil, nil, err
		}
		p.ReplaceOriginal = ptr(true)
		update = &p
	}
	if r.Ephemeral != "" {
		blocks, err := renderBlocks(r.Ephemeral, nil, false)
		if err != nil {
			return nil, nil, err
		}
		ephemeral = &Payload{ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: ptr(false), Text: fallback(r.Ephemeral), Blocks: blocks}
	}
	return update, ephemeral, nil
}

func ptr[T any](v T) *T { return &v }

// escape makes text safe for Slack's mrkdwn: &, < and > as entities, so
// nothing a person typed becomes a mention, a link or a command.
func escape(s string) string { return slackutilsx.EscapeMessage(s) }

// fallback is the top-level text of a message: what a notification shows.
func fallback(text string) string {
	return escape(cutRunes(strings.TrimSpace(text), maxFallback))
}

// renderBlocks puts text into sections and buttons into an actions block.
func renderBlocks(text string, buttons []message.Button, boldTitle bool) ([]slack.Block, error) {
	text = strings.TrimSpace(text)
	var blocks []slack.Block
	if text != "" {
		rest := text
		if boldTitle {
			title, body, _ := strings.Cut(text, "\n")
			if t := strings.TrimSpace(title); t != "" && !strings.ContainsAny(t, "*_~`") && utf8.RuneCountInString(t) < 300 {
				blocks = append(blocks, section("*"+escape(t)+"*"))
				rest = strings.TrimSpace(body)
			}
		}
		for _, c := range chunks(cutRunes(rest, maxText), maxSectionText) {
			blocks = append(blocks, textSection(c))
		}
	}
	if len(blocks) > maxBlocks-1 {
		blocks = append(blocks[:maxBlocks-2], section("…"))
	}
	if len(buttons) > 0 {
		if len(buttons) > maxButtons {
			return nil, fmt.Errorf("%w: %d buttons", ErrRender, len(buttons))
		}
		els := make([]slack.BlockElement, 0, len(buttons))
		for i, b := range buttons {
			actionID, value, err := encodeButton(i, b)
			if err != nil {
				return nil, err
			}
			label := strings.TrimSpace(b.Label)
			if label == "" {
				label = string(b.Action)
			}
			el := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, cutRunes(label, maxButtonLabel), true, false))
			if b.Primary {
				el = el.WithStyle(slack.StylePrimary)
			}
			els = append(els, el)
		}
		blocks = append(blocks, slack.NewActionBlock(actionsBlockID, els...))
	}
	return blocks, nil
}

// section is a section of hulpbot's own mrkdwn (a bold title), escaped.
func section(mrkdwn string) *slack.SectionBlock {
	// verbatim: Slack links nothing by itself, so a channel name or a
	// would-be mention in the text stays plain text.
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, true), nil, nil)
}

// textSection is a section of text that may hold what people typed (a
// note, a story, a name), shown as written. As mrkdwn, &, < and > are
// escaped; but where Slack would read formatting in it — *, _, ~ or `
// anywhere, > at the start of a line — it goes as plain_text, which Slack
// shows without formatting (its Block Kit reference: "plain_text" is
// unformatted; the escaped &, < and > it shows as the characters, as in
// any text object). Slack's mrkdwn has no escape that works instead: a
// backslash shows, and a zero-width character next to the marker is to
// Slack's parser a word boundary like any other, so *bold* stays bold.
// Text without those characters stays mrkdwn, as before.
func textSection(text string) *slack.SectionBlock {
	if !formats(text) {
		return section(escape(text))
	}
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, escape(text), true, false), nil, nil)
}

// formats reports whether Slack's mrkdwn would format something in text:
// bold, italic, strike-through, code, or a quote.
func formats(text string) bool {
	if strings.ContainsAny(text, "*_~`") {
		return true
	}
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			return true
		}
	}
	return false
}

// chunks splits raw text into pieces whose escaped form has at most max
// characters, at line ends where it can and between characters where a line
// is longer than that.
func chunks(text string, max int) []string {
	var (
		out  []string
		cur  strings.Builder
		size int // escaped characters in cur
	)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
		size = 0
	}
	for i, line := range strings.Split(text, "\n") {
		sep := 0
		if i > 0 && size > 0 {
			sep = 1
		}
		n := escapedLen(line)
		if size+sep+n <= max {
			if sep == 1 {
				cur.WriteByte('\n')
			}
			cur.WriteString(line)
			size += sep + n
			continue
		}
		flush()
		for _, r := range line {
			w := escapedLen(string(r))
			if size+w > max {
				flush()
			}
			cur.WriteRune(r)
			size += w
		}
	}
	flush()
	return out
}

// escapedLen is the number of characters s has once escaped.
func escapedLen(s string) int {
	n := utf8.RuneCountInString(s)
	n += 4 * strings.Count(s, "&")
	n += 3 * (strings.Count(s, "<") + strings.Count(s, ">"))
	return n
}

// cutRunes shortens s to at most n characters, marking a cut with "…".
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
