package handlers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/internal/chattext"
	"github.com/hulpbot/hulpbot/internal/fuzzy"
)

// Errors of the grammar. The handler puts each in words for the school.
var (
	// ErrTooLong: the text is over MaxInput bytes; nothing was parsed.
	ErrTooLong = errors.New("command too long")
	// ErrInvalidText: invalid UTF-8 or control characters.
	ErrInvalidText = errors.New("command contains invalid UTF-8 or control characters")
	// ErrUnknownCommand: the first word is neither a command nor a group.
	// A *CommandError carries a suggestion.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrBadTime: what follows bezet or afwezig is not a time or duration.
	ErrBadTime = errors.New("not a time")
	// ErrTimePassed: the time is earlier today than now.
	ErrTimePassed = errors.New("time has passed")
	// ErrEmptyStory: "/hulp succes" without a story.
	ErrEmptyStory = errors.New("empty success story")
	// ErrEmptyQuestion: "/hulp meedenken" without a group and a question.
	ErrEmptyQuestion = errors.New("consult without a question")
	// ErrEmptyMoment: "/hulp moment" without the moment.
	ErrEmptyMoment = errors.New("moment without a time")
)

// CommandError is an unknown command, with the command word that looks
// most like it when one does. It matches ErrUnknownCommand with errors.Is.
type CommandError struct {
	Suggest string // e.g. "beschikbaar"; "" when nothing is close
}

func (e *CommandError) Error() string { return ErrUnknownCommand.Error() }

// Unwrap makes errors.Is(err, ErrUnknownCommand) hold.
func (e *CommandError) Unwrap() error { return ErrUnknownCommand }

// Cmd is a parsed "/hulp" command: one of the types below.
type Cmd interface{ cmdName() string }

// RequestHelpCmd is "/hulp groep 5 [toelichting]": ask for help for a group.
type RequestHelpCmd struct {
	Group     string // a configured group id
	Note      string // trimmed, at most bot.MaxNoteLen runes
	Shortened bool   // the note was cut to bot.MaxNoteLen
}

// AcceptCmd is "/hulp ok": accept the offer the helper holds.
type AcceptCmd struct{}

// DeclineCmd is "/hulp kan niet": pass the offer on.
type DeclineCmd struct{}

// DoneCmd is "/hulp klaar [toelichting]": close the accepted request.
type DoneCmd struct {
	Note      string
	Shortened bool
}

// CancelCmd is "/hulp annuleer": withdraw one's own latest request.
type CancelCmd struct{}

// SetStatusCmd is "/hulp beschikbaar", "bezet [tot 13:30]" or "afwezig [tot 13:30]".
type SetStatusCmd struct {
	Status bot.Status
	Until  *Until // nil: no end given
}

// WhoCmd is "/hulp wie": who can help now.
type WhoCmd struct{}

// WhoIsWhoCmd is "/hulp wie-is-wie": each helper and what they offer.
type WhoIsWhoCmd struct{}

// SuccessCmd is "/hulp succes <verhaal>": a success story for the weekly post.
type SuccessCmd struct {
	Story     string
	Shortened bool
}

// SummaryCmd is "/hulp overzicht [csv|web]": this week so far, for
// coordinators; with "web" a personal link to the year overview in the
// browser.
type SummaryCmd struct {
	CSV bool // "csv" asked: the weekly figures for the steering group
	Web bool // "web" (or "browser", "jaar"): the year overview's link
}

// AgendaCmd is "/hulp agenda [onderwerp]" (show the kernteam's agenda, or
// put a theme on it) or "/hulp agenda klaar 2" (take item 2 off).
type AgendaCmd struct {
	Theme     string // the theme to add; "" with Close 0: show the agenda
	Shortened bool
	Close     int // the number of the item to take off; 0 for none
}

// ConsultCmd is "/hulp meedenken groep 5 <vraag>": a calm question to
// think along, without an offer clock.
type ConsultCmd struct {
	Group     string // a configured group id
	Question  string // trimmed, at most bot.MaxNoteLen runes, never empty
	Shortened bool
}

// MomentCmd is "/hulp moment do 14:00": the helper proposes a moment for
// the oldest consult they have not answered.
type MomentCmd struct {
	Moment string // never empty
}

// HelpCmd is "/hulp help", "/hulp ?" or "/hulp" alone.
type HelpCmd struct{}

func (RequestHelpCmd) cmdName() string { return "request" }
func (AcceptCmd) cmdName() string      { return "accept" }
func (DeclineCmd) cmdName() string     { return "decline" }
func (DoneCmd) cmdName() string        { return "done" }
func (CancelCmd) cmdName() string      { return "cancel" }
func (SetStatusCmd) cmdName() string   { return "status" }
func (WhoCmd) cmdName() string         { return "who" }
func (WhoIsWhoCmd) cmdName() string    { return "whoiswho" }
func (SuccessCmd) cmdName() string     { return "success" }
func (SummaryCmd) cmdName() string     { return "summary" }
func (HelpCmd) cmdName() string        { return "help" }
func (AgendaCmd) cmdName() string      { return "agenda" }
func (ConsultCmd) cmdName() string     { return "consult" }
func (MomentCmd) cmdName() string      { return "moment" }

type verbKind int

const (
	verbNone verbKind = iota
	verbHelp
	verbAccept
	verbDecline
	verbDone
	verbCancel
	verbAvailable
	verbBusy
	verbAway
	verbWho
	verbWhoIsWho
	verbSuccess
	verbSummary
	verbAgenda
	verbConsult
	verbMoment
)

// verbs are the command words, folded (lower case, no accents). Dutch
// first, English aliases after. A group never shadows these.
var verbs = []struct {
	words []string
	kind  verbKind
}{
	{[]string{"help"}, verbHelp}, {[]string{"?"}, verbHelp}, {[]string{"hulp"}, verbHelp},
	{[]string{"uitleg"}, verbHelp},

	{[]string{"ok"}, verbAccept}, {[]string{"oke"}, verbAccept}, {[]string{"okay"}, verbAccept},
	{[]string{"ja"}, verbAccept}, {[]string{"accepteer"}, verbAccept},
	{[]string{"ik", "kom", "eraan"}, verbAccept}, {[]string{"ik", "kom"}, verbAccept},
	{[]string{"kom", "eraan"}, verbAccept},
	{[]string{"accept"}, verbAccept}, {[]string{"yes"}, verbAccept},

	{[]string{"kan", "niet"}, verbDecline}, {[]string{"kan", "nu", "niet"}, verbDecline},
	{[]string{"nee"}, verbDecline},
	{[]string{"decline"}, verbDecline}, {[]string{"no"}, verbDecline},
	{[]string{"can't"}, verbDecline}, {[]string{"cant"}, verbDecline}, {[]string{"cannot"}, verbDecline},

	{[]string{"klaar"}, verbDone}, {[]string{"afgerond"}, verbDone}, {[]string{"done"}, verbDone},

	{[]string{"annuleer"}, verbCancel}, {[]string{"annuleren"}, verbCancel},
	{[]string{"intrekken"}, verbCancel}, {[]string{"cancel"}, verbCancel},

	{[]string{"beschikbaar"}, verbAvailable}, {[]string{"vrij"}, verbAvailable},
	{[]string{"available"}, verbAvailable}, {[]string{"free"}, verbAvailable},

	{[]string{"bezet"}, verbBusy}, {[]string{"busy"}, verbBusy},

	{[]string{"afwezig"}, verbAway}, {[]string{"away"}, verbAway},

	{[]string{"wie"}, verbWho}, {[]string{"who"}, verbWho},
	{[]string{"wie-is-wie"}, verbWhoIsWho}, {[]string{"wie", "is", "wie"}, verbWhoIsWho}, {[]string{"wieiswie"}, verbWhoIsWho},
	{[]string{"whoiswho"}, verbWhoIsWho}, {[]string{"who-is-who"}, verbWhoIsWho}, {[]string{"who", "is", "who"}, verbWhoIsWho},

	{[]string{"succes"}, verbSuccess}, {[]string{"success"}, verbSuccess},

	{[]string{"overzicht"}, verbSummary}, {[]string{"summary"}, verbSummary},

	{[]string{"agenda"}, verbAgenda},

	{[]string{"meedenken"}, verbConsult}, {[]string{"overleg"}, verbConsult}, {[]string{"consult"}, verbConsult},
	{[]string{"denk", "mee"}, verbConsult},

	{[]string{"moment"}, verbMoment},
}

// webWords after "overzicht" ask for the year overview in the browser.
var webWords = map[string]bool{"web": true, "browser": true, "jaar": true, "year": true}

// commandWords checks text and splits it into words, without a leading
// "/hulp".
func commandWords(text string) ([]string, error) {
	if len(text) > MaxInput {
		return nil, ErrTooLong
	}
	if err := checkText(text); err != nil {
		return nil, err
	}
	f := chattext.Fields(text)
	if len(f) > 0 && (word(f[0]) == "/hulp" || word(f[0]) == "/help") {
		f = f[1:]
	}
	return f, nil
}

// repeatSafe reports whether text, handled a second time for the same
// delivery id, does nothing twice: it parses to a request for help (whose
// id the delivery id fixes, so the store creates it once), to help or
// "wie" (which only read), or to an error (which reaches no use case). It
// looks at the command word only, so it is cheap enough to ask before
// Parse; FuzzParse holds the two to agreement.
func repeatSafe(text string) bool {
	f, err := commandWords(text)
	if err != nil || len(f) == 0 {
		return true
	}
	switch kind, _ := matchVerb(f); kind {
	case verbNone, verbHelp, verbWho, verbWhoIsWho:
		return true
	}
	return false
}

// urgent words may come before the group ("/hulp spoed groep 5"); they
// move into the note.
var urgent = map[string]bool{"nu": true, "spoed": true, "dringend": true, "urgent": true, "snel": true, "asap": true, "now": true}

// Parse turns the text after "/hulp" into a command. It is tolerant of
// case, accents, extra spaces and tabs, and strict about what it cannot
// read: text over MaxInput bytes is ErrTooLong before anything else;
// invalid UTF-8 or control characters are ErrInvalidText. A first word that
// is no command is read as a group; a group that is not one of groups is a
// *GroupError (errors.Is bot.ErrUnknownGroup), and a word that looks like
// neither is a *CommandError (errors.Is ErrUnknownCommand).
//
// Times after bezet and afwezig are parsed but not resolved: that needs
// now and the school's time zone (Until.Time).
func Parse(text string, groups *GroupIndex) (Cmd, error) {
	f, err := commandWords(text)
	if err != nil {
		return nil, err
	}
	if len(f) == 0 {
		return HelpCmd{}, nil
	}
	kind, n := matchVerb(f)
	rest := f[n:]
	switch kind {
	case verbHelp:
		// "/hulp hulp groep 5", "/hulp help groep 5": the teacher asks for
		// help, not for the usage.
		if len(rest) > 0 {
			cmd, err := parseRequest(rest, groups)
			var ge *GroupError
			if err == nil || errors.As(err, &ge) {
				return cmd, err
			}
		}
		return HelpCmd{}, nil
	case verbAccept:
		return AcceptCmd{}, nil
	case verbDecline:
		return DeclineCmd{}, nil
	case verbDone:
		note, short := takeNote(rest)
		return DoneCmd{Note: note, Shortened: short}, nil
	case verbCancel:
		return CancelCmd{}, nil
	case verbAvailable:
		return SetStatusCmd{Status: bot.Available}, nil
	case verbBusy, verbAway:
		st := SetStatusCmd{Status: bot.Busy}
		if kind == verbAway {
			st.Status = bot.Away
		}
		if len(rest) > 0 {
			u, err := ParseUntil(strings.Join(rest, " "))
			if err != nil {
				return nil, err
			}
			st.Until = &u
		}
		return st, nil
	case verbWho:
		return WhoCmd{}, nil
	case verbWhoIsWho:
		return WhoIsWhoCmd{}, nil
	case verbSuccess:
		story, short := takeNote(rest)
		if story == "" {
			return nil, ErrEmptyStory
		}
		return SuccessCmd{Story: story, Shortened: short}, nil
	case verbSummary:
		s := SummaryCmd{}
		for _, w := range rest {
			s.CSV = s.CSV || word(w) == "csv"
			s.Web = s.Web || webWords[word(w)]
		}
		return s, nil
	case verbAgenda:
		return parseAgenda(rest), nil
	case verbConsult:
		return parseConsult(rest, groups)
	case verbMoment:
		m, _ := takeNote(rest)
		if m == "" {
			return nil, ErrEmptyMoment
		}
		m, _ = bot.CapRunes(m, bot.MaxMomentLen)
		return MomentCmd{Moment: m}, nil
	}
	return parseRequest(f, groups)
}

// parseConsult reads what follows "meedenken": a group and the question.
// A group hulpbot can only guess is named, never offered as a button: that
// button would ask for urgent help.
func parseConsult(rest []string, groups *GroupIndex) (Cmd, error) {
	if len(rest) == 0 {
		return nil, ErrEmptyQuestion
	}
	cmd, err := parseRequest(rest, groups)
	var ge *GroupError
	if errors.As(err, &ge) {
		return nil, &GroupError{Groups: ge.Groups}
	}
	if err != nil {
		return nil, err
	}
	r, ok := cmd.(RequestHelpCmd)
	if !ok || r.Note == "" {
		return nil, ErrEmptyQuestion
	}
	return ConsultCmd{Group: r.Group, Question: r.Note, Shortened: r.Shortened}, nil
}

// agendaClose are the words before a number that take an item off the
// agenda: "/hulp agenda klaar 2".
var agendaClose = map[string]bool{"klaar": true, "besproken": true, "weg": true, "af": true, "done": true, "close": true, "remove": true}

// parseAgenda reads what follows "agenda": nothing, "klaar 2" (also "klaar
// #2"), or a theme.
func parseAgenda(rest []string) AgendaCmd {
	if len(rest) == 2 && agendaClose[word(rest[0])] {
		if n, err := strconv.Atoi(strings.TrimPrefix(rest[1], "#")); err == nil && n > 0 && n < 1000 {
			return AgendaCmd{Close: n}
		}
	}
	theme, short := takeNote(rest)
	return AgendaCmd{Theme: theme, Shortened: short}
}

// polite words may come before the group ("graag hulp in groep 5", "ik
// heb hulp nodig bij de kleuters"); they are dropped.
var polite = map[string]bool{
	"graag": true, "hulp": true, "help": true, "nodig": true, "in": true, "bij": true, "voor": true, "naar": true,
	"ik": true, "heb": true, "wil": true, "we": true, "wij": true, "kan": true, "kun": true, "kunnen": true, "iemand": true,
	"komen": true, "even": true, "aub": true, "a.u.b": true, "svp": true, "alsjeblieft": true, "alstublieft": true, "pls": true,
	"please": true, "need": true, "needed": true, "i": true, "at": true, "for": true, "to": true, "someone": true, "can": true, "come": true,
}

// parseRequest reads "[spoed] [graag hulp in] groep 5 [toelichting]".
func parseRequest(f []string, groups *GroupIndex) (Cmd, error) {
	lead := 0
	for lead < len(f) && urgent[word(f[lead])] {
		lead++
	}
	id, n, amb := groups.match(f[lead:])
	var sug []string
	if id == "" && len(amb) == 0 {
		sug, n = groups.near(f[lead:])
		j := lead
		for j < len(f) && (polite[word(f[j])] || urgent[word(f[j])]) {
			j++
		}
		if j > lead && j < len(f) {
			if id2, n2, amb2 := groups.match(f[j:]); id2 != "" || len(amb2) > 0 {
				lead, id, n, amb, sug = j, id2, n2, amb2, nil
			} else if len(sug) == 0 {
				if sug2, n2 := groups.near(f[j:]); len(sug2) > 0 {
					lead, sug, n = j, sug2, n2
				}
			}
		}
	}
	// The urgent words before the group go into the note; polite ones not.
	var noteWords []string
	for _, w := range f[:lead] {
		if urgent[word(w)] {
			noteWords = append(noteWords, w)
		}
	}
	if id == "" {
		if len(sug) > 0 {
			note, _ := takeNote(append(noteWords, f[lead+n:]...))
			return nil, &GroupError{Suggest: sug, Groups: groups.Groups(), HasNote: note != ""}
		}
		if len(amb) > 0 || lead > 0 || (lead < len(f) && looksLikeGroup(f[lead])) {
			note, _ := takeNote(append(noteWords, f[lead+n:]...))
			return nil, &GroupError{Ambiguous: amb, Groups: groups.Groups(), HasNote: len(amb) > 0 && note != ""}
		}
		return nil, &CommandError{Suggest: suggest(word(f[0]))}
	}
	note, short := takeNote(append(noteWords, f[lead+n:]...))
	return RequestHelpCmd{Group: id, Note: note, Shortened: short}, nil
}

// matchVerb finds the longest command at the start of f, and how many words
// it took.
func matchVerb(f []string) (verbKind, int) {
	var ws [3]string // no command is longer
	for i := range min(len(f), len(ws)) {
		ws[i] = word(f[i])
	}
	best, n := verbNone, 0
	for _, v := range verbs {
		if len(v.words) <= n || len(v.words) > len(f) {
			continue
		}
		ok := true
		for i, w := range v.words {
			if ws[i] != w {
				ok = false
				break
			}
		}
		if ok {
			best, n = v.kind, len(v.words)
		}
	}
	return best, n
}

// takeNote joins what is left into a note: single spaces, without the
// dash or colon that may follow the group, capped at bot.MaxNoteLen runes.
func takeNote(f []string) (string, bool) {
	s := strings.TrimLeft(strings.Join(f, " "), "-–—:;,. ")
	return bot.CapRunes(strings.TrimSpace(s), bot.MaxNoteLen)
}

// suggest returns the command word closest to w, or "" when none is close:
// a word it starts (three letters at least) or one a typo or two away.
func suggest(w string) string {
	if len([]rune(w)) < 3 {
		return ""
	}
	best, bestD := "", 3
	for _, v := range verbs {
		c := strings.Join(v.words, " ")
		if len(v.words) > 1 || len(c) < 3 {
			continue
		}
		if strings.HasPrefix(c, w) {
			return c
		}
		limit := 1
		if len(c) >= 7 {
			limit = 2
		}
		if d := fuzzy.Distance(w, c, limit+1); d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
