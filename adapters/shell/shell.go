// Package shell is the terminal chat: hulpbot's embedded default for a first
// run and for demos. You type as one person at a time (/als anne switches),
// every message a person or channel receives is printed with the
// recipient's name, and buttons are numbered and pressed with /knop N.
//
// It reads lines until end of input, so a whole story can be piped in and
// its transcript checked.
package shell

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/handlers"
	"github.com/hulpbot/hulpbot/message"
)

// Platform is the terminal chat: people's shell names are accounts on it,
// and every school is on it without a team. Stored keys contain it; it
// never changes.
const Platform bot.Platform = "shell"

// Dispatcher is the command layer the chat hands commands and clicks to.
type Dispatcher interface {
	Command(ctx context.Context, c handlers.Command) handlers.Reply
	Click(ctx context.Context, c handlers.Click) handlers.ClickReply
}

// Chat is one terminal session for one school.
type Chat struct {
	school *bot.School
	out    io.Writer
	echo   bool // print each input line, for piped input
	log    *slog.Logger

	mu      sync.Mutex
	me      string
	buttons []pressable // numbered from 1
	// held collects messages sent while a command runs, so the person who
	// typed sees their reply first and the rest after it.
	holding bool
	held    []message.Message
}

type pressable struct {
	message.Button
	owner   bot.Recipient
	message int // index of the message the button belongs to
	spent   bool
}

var _ message.Sender = (*Chat)(nil)

// New returns a chat for school, writing to out. With echo set every input
// line is printed after the prompt, which makes a piped session read like a
// conversation.
func New(school *bot.School, out io.Writer, echo bool, log *slog.Logger) *Chat {
	return &Chat{school: school, out: out, echo: echo, me: "juf.marie", log: log.With("component", "shell")}
}

// Send prints a message for its recipient (message.Sender).
func (c *Chat) Send(_ context.Context, m message.Message) error {
	if m.To.Platform != Platform {
		return fmt.Errorf("shell cannot deliver to %s", m.To.Platform)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		c.held = append(c.held, m)
		return nil
	}
	c.print(m)
	return nil
}

// print writes one message; c.mu is held.
func (c *Chat) print(m message.Message) {
	if c.replace(m) {
		return
	}
	to := "→ " + m.To.Handle
	if m.To.Channel != "" {
		to = "#" + m.To.Channel
	}
	c.printf("[%s] %s\n", to, indent(m.Text))
	for _, a := range m.Attachments {
		c.printf("    📎 %s (%s, %d kB)\n", a.Name, a.ContentType, (len(a.Data)+1023)/1024)
	}
	c.printButtons(m.To, m.Buttons)
}

// replace shows the end of a request (withdrawn, closed unpicked) on its
// post in the fallback channel, as the platforms do: the post is updated
// and its "Ik pak dit op" is spent. It reports false when that post was
// never shown; c.mu is held.
func (c *Chat) replace(m message.Message) bool {
	if m.To.Channel == "" || m.RequestID == "" || (m.Kind != bot.NoticeCancelled && m.Kind != bot.NoticeUnpicked) {
		return false
	}
	found := false
	for i := range c.buttons {
		b := &c.buttons[i]
		if b.owner.Channel == m.To.Channel && b.RequestID == m.RequestID && b.Action == message.ActionPickup {
			b.spent, found = true, true
		}
	}
	if found {
		c.printf(c.text("updatedC"), m.To.Channel, indent(m.Text))
	}
	return found
}

func (c *Chat) printButtons(owner bot.Recipient, bs []message.Button) {
	if len(bs) == 0 {
		return
	}
	msg := len(c.buttons)
	var labels []string
	for _, b := range bs {
		c.buttons = append(c.buttons, pressable{Button: b, owner: owner, message: msg})
		labels = append(labels, fmt.Sprintf("[%d] %s", len(c.buttons), b.Label))
	}
	c.printf("    %s   %s\n", strings.Join(labels, "   "), c.text("press"))
}

func (c *Chat) printf(format string, args ...any) {
	if _, err := fmt.Fprintf(c.out, format, args...); err != nil {
		c.log.Warn("write failed", "err", err)
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

// Run reads lines from in until it ends, /stop, or ctx is done.
func (c *Chat) Run(ctx context.Context, in io.Reader, d Dispatcher) error {
	c.mu.Lock()
	c.printf(c.text("welcome"), c.school.Name)
	c.printf(c.text("you"), c.me)
	c.mu.Unlock()

	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 64*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	for {
		c.prompt()
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return fmt.Errorf("read input: %w", err)
				}
				return nil
			}
			if stop := c.handle(ctx, d, line); stop {
				return nil
			}
		}
	}
}

func (c *Chat) prompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.echo {
		c.printf("%s> ", c.me)
	}
}

// handle runs one input line; it reports whether the session should end.
func (c *Chat) handle(ctx context.Context, d Dispatcher, line string) bool {
	line = strings.TrimSpace(line)
	c.mu.Lock()
	if c.echo && line != "" {
		c.printf("%s> %s\n", c.me, line)
	}
	me := c.me
	c.mu.Unlock()
	if line == "" || strings.HasPrefix(line, "#") { // comments make scripts readable
		return false
	}
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch w := strings.ToLower(word); {
	case w == "/hulp" || (w == "hulp" || w == "help") && rest != "":
		// Without the slash, as people type in a chat window, "hulp groep
		// 5" still asks for help; "help" alone is this terminal's help.
		c.command(ctx, d, me, rest)
	case w == "/als" || w == "/as":
		c.switchTo(rest)
	case w == "/knop" || w == "/button":
		c.press(ctx, d, me, rest)
	case w == "/mensen" || w == "/people":
		c.people()
	case w == "/help" || w == "help" || w == "hulp":
		c.say(c.text("help"))
	case w == "/stop" || w == "/exit" || w == "/quit":
		return true
	default:
		c.say(c.text("unknown"))
	}
	return false
}

func (c *Chat) say(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printf("[hulpbot] %s\n", text)
}

func (c *Chat) actor(handle string) bot.Actor {
	name := handle
	if h, ok := c.school.Helper(bot.Address{Platform: Platform, Handle: handle}); ok {
		name = h.Name
	}
	return bot.Actor{Address: bot.Address{Platform: Platform, Handle: handle}, Name: name}
}

func (c *Chat) command(ctx context.Context, d Dispatcher, me, text string) {
	c.hold()
	reply := d.Command(ctx, handlers.Command{School: c.school, From: c.actor(me), Text: text, Channel: "terminal"})
	c.release(func() {
		c.print(message.Message{To: bot.Recipient{Address: bot.Address{Platform: Platform, Handle: me}}, Text: reply.Text, Buttons: reply.Buttons})
	})
}

func (c *Chat) press(ctx context.Context, d Dispatcher, me, arg string) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	c.mu.Lock()
	if err != nil || n < 1 || n > len(c.buttons) {
		c.mu.Unlock()
		c.say(fmt.Sprintf(c.text("noButton"), arg))
		return
	}
	b := c.buttons[n-1]
	c.mu.Unlock()
	if b.owner.Channel == "" && !strings.EqualFold(b.owner.Handle, me) {
		c.say(fmt.Sprintf(c.text("notYours"), n, b.owner.Handle, b.owner.Handle, b.owner.Handle))
		return
	}
	if b.spent {
		c.say(fmt.Sprintf(c.text("spent"), n))
		return
	}
	c.hold()
	reply := d.Click(ctx, handlers.Click{School: c.school, From: c.actor(me), Action: b.Action, RequestID: b.RequestID, OfferNo: b.OfferNo})
	c.release(func() {
		if reply.Update != nil {
			// The message is rewritten for everyone: its buttons are gone.
			for i := range c.buttons {
				if c.buttons[i].message == b.message {
					c.buttons[i].spent = true
				}
			}
			c.printf(c.text("updated"), ownerName(b.owner), indent(reply.Update.Text))
			c.printButtons(b.owner, reply.Update.Buttons)
		}
		if reply.Ephemeral != "" {
			c.printf(c.text("onlyYou"), me, indent(reply.Ephemeral))
		}
	})
}

func ownerName(r bot.Recipient) string {
	if r.Channel != "" {
		return "#" + r.Channel
	}
	return r.Handle
}

// hold starts collecting sends; release prints first, then what was held.
func (c *Chat) hold() {
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

func (c *Chat) release(first func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first()
	for _, m := range c.held {
		c.print(m)
	}
	c.held, c.holding = nil, false
}

func (c *Chat) switchTo(handle string) {
	handle = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(handle)), "@")
	if handle == "" || strings.ContainsAny(handle, " \t") {
		c.say(c.text("oneName"))
		return
	}
	c.mu.Lock()
	c.me = handle
	c.mu.Unlock()
	what := c.text("teacher")
	if h, ok := c.school.Helper(bot.Address{Platform: Platform, Handle: handle}); ok {
		what = h.Name + ", " + string(h.Role)
	} else if c.school.IsCoordinator(bot.Address{Platform: Platform, Handle: handle}) {
		what = c.text("coord")
	}
	c.say(fmt.Sprintf(c.text("nowYou"), handle, what))
}

func (c *Chat) people() {
	var b strings.Builder
	b.WriteString(c.text("people"))
	for _, h := range c.school.Helpers {
		fmt.Fprintf(&b, "\n    %s — %s (%s)", h.Accounts.On(Platform), h.Name, h.Role)
	}
	for _, co := range c.school.Coordinators {
		fmt.Fprintf(&b, "\n    %s — %s (%s)", co.Accounts.On(Platform), co.Name, c.text("coord"))
	}
	b.WriteString("\n    " + c.text("others"))
	c.say(b.String())
}
