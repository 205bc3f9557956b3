package handlers

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hulpbot/hulpbot/bot"
)

func until(h, m int) *Until { return &Until{Hour: h, Minute: m} }

func TestParse(t *testing.T) {
	school := NewGroupIndex(testGroups())
	// Two combination groups and two letters: short forms fit several.
	lettered := NewGroupIndex([]bot.Group{{ID: "1-2a"}, {ID: "1-2b"}, {ID: "5a"}, {ID: "5b"}})
	// Groups configured with slashes; an alias that is a command word.
	slashed := NewGroupIndex([]bot.Group{{ID: "1/2"}, {ID: "3/4"}, {ID: "Klaar", Aliases: []string{"ok"}}})
	// A school with a combination group 1-2 and a 5 without letters.
	onetwo := NewGroupIndex([]bot.Group{{ID: "1-2"}, {ID: "3"}, {ID: "4"}, {ID: "5"}, {ID: "6"}})

	tests := []struct {
		name     string
		in       string
		ix       *GroupIndex
		noIndex  bool
		want     Cmd
		wantErr  error
		wantAmb  []string
		wantSug  []string
		wantNote bool
	}{
		// Help.
		{name: "empty", in: "", want: HelpCmd{}},
		{name: "only spaces", in: " \t  ", want: HelpCmd{}},
		{name: "help", in: "help", want: HelpCmd{}},
		{name: "help upper", in: "HELP", want: HelpCmd{}},
		{name: "question mark", in: "?", want: HelpCmd{}},
		{name: "hulp", in: "hulp", want: HelpCmd{}},
		{name: "command name typed too", in: "/hulp help", want: HelpCmd{}},

		// Asking for help: the ways to write a group.
		{name: "groep 5", in: "groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "groep 5 with note", in: "groep 5 onrust na gym", want: RequestHelpCmd{Group: "5", Note: "onrust na gym"}},
		{name: "number", in: "5", want: RequestHelpCmd{Group: "5"}},
		{name: "gr5", in: "gr5", want: RequestHelpCmd{Group: "5"}},
		{name: "gr. 5", in: "gr. 5 onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "gr.5", in: "gr.5", want: RequestHelpCmd{Group: "5"}},
		{name: "gr 5", in: "gr 5", want: RequestHelpCmd{Group: "5"}},
		{name: "g5", in: "g5", want: RequestHelpCmd{Group: "5"}},
		{name: "G5 upper", in: "G5", want: RequestHelpCmd{Group: "5"}},
		{name: "Groep capital", in: "Groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "groep5 glued", in: "groep5 boos", want: RequestHelpCmd{Group: "5", Note: "boos"}},
		{name: "group english", in: "group 5", want: RequestHelpCmd{Group: "5"}},
		{name: "spaces and tabs", in: "  GROEP \t 5 \t onrust   na\tgym ", want: RequestHelpCmd{Group: "5", Note: "onrust na gym"}},
		{name: "line break", in: "groep 5\nonrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "5b", in: "5b", want: RequestHelpCmd{Group: "5b"}},
		{name: "groep 5B", in: "groep 5B", want: RequestHelpCmd{Group: "5b"}},
		{name: "groep 5 b split", in: "groep 5 b ruzie", want: RequestHelpCmd{Group: "5b", Note: "ruzie"}},
		{name: "5 then note starting with b", in: "groep 5 boos", want: RequestHelpCmd{Group: "5", Note: "boos"}},
		{name: "groep 1/2", in: "groep 1/2", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "1-2 unique prefix", in: "1-2", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "1/2", in: "1/2 huilt", want: RequestHelpCmd{Group: "1-2a", Note: "huilt"}},
		{name: "groep 1 / 2 spaced", in: "groep 1 / 2", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "groep 1 2", in: "groep 1 2 kinderen", want: RequestHelpCmd{Group: "1-2a", Note: "kinderen"}},
		{name: "1-2a exact", in: "groep 1-2A", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "alias", in: "kleuters", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "alias capital with note", in: "Kleuters huilen", want: RequestHelpCmd{Group: "1-2a", Note: "huilen"}},
		{name: "multi-word alias", in: "de dolfijnen ruzie", want: RequestHelpCmd{Group: "Dolfijnen", Note: "ruzie"}},
		{name: "name", in: "Dolfijnen", want: RequestHelpCmd{Group: "Dolfijnen"}},
		{name: "name prefix", in: "dolfijn", want: RequestHelpCmd{Group: "Dolfijnen"}},
		{name: "groep before a name", in: "groep dolfijnen", want: RequestHelpCmd{Group: "Dolfijnen"}},
		{name: "bso", in: "BSO", want: RequestHelpCmd{Group: "bso"}},
		{name: "colon after group", in: "groep 5: onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "dash after group", in: "groep 5 - onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "comma glued", in: "groep 5, onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "urgency first", in: "spoed groep 5 gym", want: RequestHelpCmd{Group: "5", Note: "spoed gym"}},
		{name: "note keeps case and accents", in: "groep 5 Café-ruzie één kind", want: RequestHelpCmd{Group: "5", Note: "Café-ruzie één kind"}},
		{name: "emoji right after the group", in: "groep 5 😀👍🏽 hulp", want: RequestHelpCmd{Group: "5", Note: "😀👍🏽 hulp"}},
		{name: "emoji words after the group", in: "groep 5 😀 👍🏽 hulp", want: RequestHelpCmd{Group: "5", Note: "😀 👍🏽 hulp"}},
		{name: "only emoji", in: "groep 5 🙏", want: RequestHelpCmd{Group: "5", Note: "🙏"}},
		{name: "emoji after an alias", in: "de dolfijnen 😢 ruzie", want: RequestHelpCmd{Group: "Dolfijnen", Note: "😢 ruzie"}},
		{name: "emoji after a prefix", in: "dolf 😢", want: RequestHelpCmd{Group: "Dolfijnen", Note: "😢"}},
		{name: "1 / 2 with spaces", in: "groep 1 / 2 😢", want: RequestHelpCmd{Group: "1-2a", Note: "😢"}},
		{name: "slashed config, dashed input", in: "groep 1-2", ix: slashed, want: RequestHelpCmd{Group: "1/2"}},
		{name: "en between numbers", in: "groep 3 en 4", ix: slashed, want: RequestHelpCmd{Group: "3/4"}},

		// What teachers type that is not quite a command: read as meant.
		{name: "hulp groep 5", in: "hulp groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "help groep 5", in: "help groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "Hulp groep 5 with note", in: "Hulp groep 5 onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "hulp nodig in groep 5", in: "hulp nodig in groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "graag hulp in groep 5", in: "graag hulp in groep 5", want: RequestHelpCmd{Group: "5"}},
		{name: "graag hulp in groep 5 with note", in: "graag hulp in groep 5, onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "graag snel hulp keeps the urgency", in: "graag snel hulp bij groep 5", want: RequestHelpCmd{Group: "5", Note: "snel"}},
		{name: "ik heb hulp nodig bij de kleuters", in: "ik heb hulp nodig bij de kleuters", want: RequestHelpCmd{Group: "1-2a"}},
		{name: "please help in group 5", in: "please help in group 5", want: RequestHelpCmd{Group: "5"}},
		{name: "groep vijf", in: "groep vijf", want: RequestHelpCmd{Group: "5"}},
		{name: "Groep Vijf with note", in: "Groep Vijf onrust", want: RequestHelpCmd{Group: "5", Note: "onrust"}},
		{name: "group three", in: "group three", want: RequestHelpCmd{Group: "3"}},
		{name: "groep een en twee", in: "groep een en twee", ix: slashed, want: RequestHelpCmd{Group: "1/2"}},
		{name: "groep 1 twee kinderen is group 1", in: "groep 3 twee kinderen", want: RequestHelpCmd{Group: "3", Note: "twee kinderen"}},
		{name: "hulp alone is help", in: "hulp", want: HelpCmd{}},
		{name: "help me is help", in: "help me", want: HelpCmd{}},
		{name: "hulp with unknown group", in: "hulp groep 9", wantErr: bot.ErrUnknownGroup},
		{name: "graag alone", in: "graag", wantErr: ErrUnknownCommand},

		// Helpers answering.
		{name: "ok", in: "ok", want: AcceptCmd{}},
		{name: "OK!", in: "OK!", want: AcceptCmd{}},
		{name: "oké accent", in: "Oké", want: AcceptCmd{}},
		{name: "oké combining accent", in: "oke\u0301", want: AcceptCmd{}},
		{name: "ja", in: "ja", want: AcceptCmd{}},
		{name: "accept", in: "accept", want: AcceptCmd{}},
		{name: "button words", in: "Ik kom eraan", want: AcceptCmd{}},
		{name: "kan niet", in: "kan niet", want: DeclineCmd{}},
		{name: "kan nu niet", in: "Kan nu niet, in gesprek", want: DeclineCmd{}},
		{name: "kan niét accent", in: "kan niét", want: DeclineCmd{}},
		{name: "nee", in: "nee", want: DeclineCmd{}},
		{name: "decline", in: "decline", want: DeclineCmd{}},
		{name: "klaar", in: "klaar", want: DoneCmd{}},
		{name: "klaar with note", in: "klaar  rustig gepraat ", want: DoneCmd{Note: "rustig gepraat"}},
		{name: "done", in: "done walked and talked", want: DoneCmd{Note: "walked and talked"}},
		{name: "annuleer", in: "annuleer", want: CancelCmd{}},
		{name: "annuleren", in: "annuleren", want: CancelCmd{}},
		{name: "cancel", in: "Cancel", want: CancelCmd{}},

		// Status.
		{name: "beschikbaar", in: "beschikbaar", want: SetStatusCmd{Status: bot.Available}},
		{name: "available", in: "available", want: SetStatusCmd{Status: bot.Available}},
		{name: "bezet", in: "bezet", want: SetStatusCmd{Status: bot.Busy}},
		{name: "busy", in: "busy", want: SetStatusCmd{Status: bot.Busy}},
		{name: "bezet tot 13:30", in: "bezet tot 13:30", want: SetStatusCmd{Status: bot.Busy, Until: until(13, 30)}},
		{name: "afwezig tot 13.30", in: "afwezig tot 13.30", want: SetStatusCmd{Status: bot.Away, Until: until(13, 30)}},
		{name: "afwezig tot 14", in: "afwezig tot 14", want: SetStatusCmd{Status: bot.Away, Until: until(14, 0)}},
		{name: "away tot 13u30", in: "away tot 13u30", want: SetStatusCmd{Status: bot.Away, Until: until(13, 30)}},
		{name: "busy until 1:30pm", in: "busy until 1:30pm", want: SetStatusCmd{Status: bot.Busy, Until: until(13, 30)}},
		{name: "bezet 30 min", in: "bezet 30 min", want: SetStatusCmd{Status: bot.Busy, Until: &Until{For: 30 * time.Minute}}},
		{name: "afwezig 1 uur", in: "afwezig 1 uur", want: SetStatusCmd{Status: bot.Away, Until: &Until{For: time.Hour}}},
		{name: "bezet tot 2 loose", in: "bezet tot 2", want: SetStatusCmd{Status: bot.Busy, Until: &Until{Hour: 2, Loose: true}}},
		{name: "bezet with words", in: "bezet in gesprek", wantErr: ErrBadTime},
		{name: "afwezig morgen", in: "afwezig morgen", wantErr: ErrBadTime},
		{name: "afwezig tot morgen", in: "afwezig tot morgen", want: SetStatusCmd{Status: bot.Away, Until: &Until{Days: 1}}},
		{name: "afwezig tot maandag", in: "afwezig tot maandag", want: SetStatusCmd{Status: bot.Away, Until: &Until{Weekday: time.Monday, ByWeekday: true}}},
		{name: "bezet tot morgen", in: "bezet tot morgen", want: SetStatusCmd{Status: bot.Busy, Until: &Until{Days: 1}}},
		{name: "away until tomorrow", in: "away until tomorrow", want: SetStatusCmd{Status: bot.Away, Until: &Until{Days: 1}}},
		{name: "bezet tot 25:00", in: "bezet tot 25:00", wantErr: ErrBadTime},

		// The rest.
		{name: "wie", in: "wie", want: WhoCmd{}},
		{name: "wie?", in: "Wie?", want: WhoCmd{}},
		{name: "who", in: "who", want: WhoCmd{}},
		{name: "wie-is-wie", in: "wie-is-wie", want: WhoIsWhoCmd{}},
		{name: "wie is wie", in: "Wie is wie?", want: WhoIsWhoCmd{}},
		{name: "who is who", in: "who is who", want: WhoIsWhoCmd{}},
		{name: "succes", in: "succes  fijn gesprek, kind weer rustig", want: SuccessCmd{Story: "fijn gesprek, kind weer rustig"}},
		{name: "success", in: "success great talk", want: SuccessCmd{Story: "great talk"}},
		{name: "succes empty", in: "succes", wantErr: ErrEmptyStory},
		{name: "overzicht", in: "overzicht", want: SummaryCmd{}},
		{name: "summary csv", in: "summary CSV", want: SummaryCmd{CSV: true}},
		{name: "overzicht web", in: "overzicht web", want: SummaryCmd{Web: true}},
		{name: "summary browser", in: "Summary Browser", want: SummaryCmd{Web: true}},
		{name: "agenda", in: "agenda", want: AgendaCmd{}},
		{name: "agenda theme", in: "Agenda: ouderavond over prestatiedruk", want: AgendaCmd{Theme: "ouderavond over prestatiedruk"}},
		{name: "agenda close", in: "agenda klaar 2", want: AgendaCmd{Close: 2}},
		{name: "agenda close with hash", in: "agenda besproken #12", want: AgendaCmd{Close: 12}},
		{name: "agenda close in English", in: "agenda done 3", want: AgendaCmd{Close: 3}},
		{name: "agenda klaar without number is a theme", in: "agenda klaar voor de kerst", want: AgendaCmd{Theme: "klaar voor de kerst"}},
		{name: "agenda close zero is a theme", in: "agenda klaar 0", want: AgendaCmd{Theme: "klaar 0"}},
		{name: "done for the kernteam", in: "klaar kernteam", want: DoneCmd{Note: "kernteam"}},
		{name: "meedenken", in: "meedenken groep 5 hoe help ik een stil kind?", want: ConsultCmd{Group: "5", Question: "hoe help ik een stil kind?"}},
		{name: "overleg, short group", in: "Overleg gr5: zorgen over de sfeer", want: ConsultCmd{Group: "5", Question: "zorgen over de sfeer"}},
		{name: "consult in English", in: "consult group 5 worried about the mood", want: ConsultCmd{Group: "5", Question: "worried about the mood"}},
		{name: "denk mee", in: "denk mee 5 sfeer in de klas", want: ConsultCmd{Group: "5", Question: "sfeer in de klas"}},
		{name: "meedenken without a question", in: "meedenken groep 5", wantErr: ErrEmptyQuestion},
		{name: "meedenken alone", in: "meedenken", wantErr: ErrEmptyQuestion},
		{name: "meedenken unknown group", in: "meedenken groep 9 vraag", wantErr: bot.ErrUnknownGroup},
		{name: "moment", in: "moment do 14:00", want: MomentCmd{Moment: "do 14:00"}},
		{name: "moment alone", in: "moment", wantErr: ErrEmptyMoment},

		// Commands win over groups; groups stay reachable with "groep".
		{name: "command word over alias", in: "ok", ix: slashed, want: AcceptCmd{}},
		{name: "command word over group", in: "klaar", ix: slashed, want: DoneCmd{}},
		{name: "group behind groep", in: "groep klaar", ix: slashed, want: RequestHelpCmd{Group: "Klaar"}},

		// Groups that are not there, or fit several.
		{name: "unknown number", in: "groep 9", wantErr: bot.ErrUnknownGroup},
		{name: "unknown bare number", in: "9 onrust", wantErr: bot.ErrUnknownGroup},
		{name: "groep alone", in: "groep", wantErr: bot.ErrUnknownGroup},
		{name: "urgency without group", in: "spoed", wantErr: bot.ErrUnknownGroup},
		{name: "1 is not 12", in: "groep 1", ix: NewGroupIndex([]bot.Group{{ID: "12"}}), wantErr: bot.ErrUnknownGroup},
		{name: "ambiguous letter", in: "groep 5", ix: lettered, wantErr: bot.ErrUnknownGroup, wantAmb: []string{"5a", "5b"}},
		{name: "ambiguous combination", in: "1-2 onrust", ix: lettered, wantErr: bot.ErrUnknownGroup, wantAmb: []string{"1-2a", "1-2b"}, wantNote: true},
		{name: "exact among letters", in: "groep 5B", ix: lettered, want: RequestHelpCmd{Group: "5b"}},
		{name: "no index", in: "groep 5", noIndex: true, wantErr: bot.ErrUnknownGroup},
		{name: "groep 2 suggests 1-2", in: "groep 2", ix: onetwo, wantErr: bot.ErrUnknownGroup, wantSug: []string{"1-2"}},
		{name: "2 suggests 1-2", in: "2 huilt", ix: onetwo, wantErr: bot.ErrUnknownGroup, wantSug: []string{"1-2"}, wantNote: true},
		{name: "groep 1 is the only 1-2", in: "groep 1", ix: onetwo, want: RequestHelpCmd{Group: "1-2"}},
		{name: "Groep 5b suggests 5", in: "Groep 5b", ix: onetwo, wantErr: bot.ErrUnknownGroup, wantSug: []string{"5"}},
		{name: "5c suggests 5a and 5b", in: "groep 5c", ix: lettered, wantErr: bot.ErrUnknownGroup, wantSug: []string{"5a", "5b"}},
		{name: "2 suggests both 1-2s", in: "groep 2", ix: lettered, wantErr: bot.ErrUnknownGroup, wantSug: []string{"1-2a", "1-2b"}},
		{name: "typo in a name", in: "dolfijen ruzie", wantErr: bot.ErrUnknownGroup, wantSug: []string{"Dolfijnen"}, wantNote: true},
		{name: "typo in an alias", in: "kleutrs", wantErr: bot.ErrUnknownGroup, wantSug: []string{"1-2a"}},
		{name: "graag hulp in groep 2", in: "graag hulp in groep 2", ix: onetwo, wantErr: bot.ErrUnknownGroup, wantSug: []string{"1-2"}},
		{name: "groep 9 suggests nothing", in: "groep 9", ix: onetwo, wantErr: bot.ErrUnknownGroup},

		// Not a command at all.
		{name: "unknown word", in: "onzin", wantErr: ErrUnknownCommand},
		{name: "note without group", in: "onrust na gym", wantErr: ErrUnknownCommand},

		// Text hulpbot will not read.
		{name: "too long", in: strings.Repeat("a", MaxInput+1), wantErr: ErrTooLong},
		{name: "too long request", in: "groep 5 " + strings.Repeat("x", MaxInput), wantErr: ErrTooLong},
		{name: "at the cap", in: "groep 5 " + strings.Repeat("x", MaxInput-8), want: RequestHelpCmd{Group: "5", Note: strings.Repeat("x", bot.MaxNoteLen), Shortened: true}},
		{name: "NUL", in: "groep 5\x00", wantErr: ErrInvalidText},
		{name: "escape sequence", in: "groep 5 \x1b[31mrood", wantErr: ErrInvalidText},
		{name: "DEL", in: "ok\x7f", wantErr: ErrInvalidText},
		{name: "C1 control", in: "groep 5 \u0085", wantErr: ErrInvalidText},
		{name: "bidi override", in: "groep 5 \u202egym", wantErr: ErrInvalidText},
		{name: "invalid UTF-8", in: "groep 5 \xff\xfe", wantErr: ErrInvalidText},
		{name: "cut UTF-8", in: "groep 5 caf\xc3", wantErr: ErrInvalidText},

		// Notes are capped.
		{name: "long note", in: "groep 5 " + strings.Repeat("x", 300), want: RequestHelpCmd{Group: "5", Note: strings.Repeat("x", bot.MaxNoteLen), Shortened: true}},
		{name: "long note multibyte", in: "groep 5 " + strings.Repeat("é", 300), want: RequestHelpCmd{Group: "5", Note: strings.Repeat("é", bot.MaxNoteLen), Shortened: true}},
		{name: "note of exactly the cap", in: "groep 5 " + strings.Repeat("x", bot.MaxNoteLen), want: RequestHelpCmd{Group: "5", Note: strings.Repeat("x", bot.MaxNoteLen)}},
		{name: "long story", in: "succes " + strings.Repeat("y", 400), want: SuccessCmd{Story: strings.Repeat("y", bot.MaxNoteLen), Shortened: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := school
			if tt.ix != nil || tt.noIndex {
				ix = tt.ix
			}
			got, err := Parse(tt.in, ix)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q) = %#v, %v; want error %v", tt.in, got, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Parse(%q) = %#v with an error; want no command", tt.in, got)
				}
				var ge *GroupError
				if errors.As(err, &ge) && !slices.Equal(ge.Ambiguous, tt.wantAmb) {
					t.Errorf("Parse(%q) ambiguous = %v; want %v", tt.in, ge.Ambiguous, tt.wantAmb)
				}
				if ge != nil && (!slices.Equal(ge.Suggest, tt.wantSug) || ge.HasNote != tt.wantNote) {
					t.Errorf("Parse(%q) suggests %v (note %v); want %v (note %v)", tt.in, ge.Suggest, ge.HasNote, tt.wantSug, tt.wantNote)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error %v; want %#v", tt.in, err, tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %#v; want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseUnknownGroupCarriesGroups(t *testing.T) {
	_, err := Parse("groep 9", NewGroupIndex(testGroups()))
	var ge *GroupError
	if !errors.As(err, &ge) {
		t.Fatalf("Parse(groep 9) error = %v; want a *GroupError", err)
	}
	if got, want := len(ge.Groups), len(testGroups()); got != want {
		t.Errorf("GroupError carries %d groups; want %d", got, want)
	}
}

func TestParseSuggests(t *testing.T) {
	tests := []struct{ in, want string }{
		{"beschikbr", "beschikbaar"},
		{"besch", "beschikbaar"},
		{"overzcht", "overzicht"},
		{"anuleer", "annuleer"},
		{"availble", "available"},
		{"onrust", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in, NewGroupIndex(testGroups()))
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) error = %v; want a *CommandError", tt.in, err)
			}
			if ce.Suggest != tt.want {
				t.Errorf("Parse(%q) suggests %q; want %q", tt.in, ce.Suggest, tt.want)
			}
		})
	}
}

func TestGroupIndexLookupAndShadowed(t *testing.T) {
	ix := NewGroupIndex([]bot.Group{{ID: "1-2a", Aliases: []string{"kleuters"}}, {ID: "Wie", Aliases: []string{"klaar"}}})
	g, err := ix.Lookup("Groep 1/2")
	if err != nil || g.ID != "1-2a" {
		t.Errorf("Lookup(Groep 1/2) = %v, %v; want 1-2a", g.ID, err)
	}
	if _, err := ix.Lookup("groep 1/2 extra"); !errors.Is(err, bot.ErrUnknownGroup) {
		t.Errorf("Lookup with extra words error = %v; want ErrUnknownGroup", err)
	}
	if got, want := ix.Shadowed(), []string{"Wie", "klaar"}; !slices.Equal(got, want) {
		t.Errorf("Shadowed() = %v; want %v", got, want)
	}
}

func TestParseUntil(t *testing.T) {
	tests := []struct {
		in      string
		want    Until
		wantErr bool
	}{
		{in: "tot 13:30", want: Until{Hour: 13, Minute: 30}},
		{in: "13:30", want: Until{Hour: 13, Minute: 30}},
		{in: "tot 13.30", want: Until{Hour: 13, Minute: 30}},
		{in: "tot 14", want: Until{Hour: 14}},
		{in: "Tot 14 uur", want: Until{Hour: 14}},
		{in: "tot 13u30", want: Until{Hour: 13, Minute: 30}},
		{in: "tot 13u", want: Until{Hour: 13}},
		{in: "tot 13h30", want: Until{Hour: 13, Minute: 30}},
		{in: "until 1:30pm", want: Until{Hour: 13, Minute: 30}},
		{in: "until 1:30 PM", want: Until{Hour: 13, Minute: 30}},
		{in: "until 1 p.m.", want: Until{Hour: 13}},
		{in: "until 11am", want: Until{Hour: 11}},
		{in: "until 12pm", want: Until{Hour: 12}},
		{in: "until 12am", want: Until{Hour: 0}},
		{in: "tot 2", want: Until{Hour: 2, Loose: true}},
		{in: "tot 2 uur", want: Until{Hour: 2, Loose: true}},
		{in: "tot 02:00", want: Until{Hour: 2}},
		{in: "tot 9", want: Until{Hour: 9}},
		{in: "tot half 2", want: Until{Hour: 1, Minute: 30, Loose: true}},
		{in: "tot half twee", want: Until{Hour: 1, Minute: 30, Loose: true}},
		{in: "tot half een", want: Until{Hour: 12, Minute: 30}},
		{in: "tot kwart voor 3", want: Until{Hour: 2, Minute: 45, Loose: true}},
		{in: "tot kwart over 10", want: Until{Hour: 10, Minute: 15}},
		{in: "until half past one", want: Until{Hour: 1, Minute: 30, Loose: true}},
		{in: "9 uur", want: Until{Hour: 9}},
		{in: "30 min", want: Until{For: 30 * time.Minute}},
		{in: "30min", want: Until{For: 30 * time.Minute}},
		{in: "45 minuten", want: Until{For: 45 * time.Minute}},
		{in: "1 uur", want: Until{For: time.Hour}},
		{in: "2u", want: Until{For: 2 * time.Hour}},
		{in: "1,5 uur", want: Until{For: 90 * time.Minute}},
		{in: "1.5 uur", want: Until{For: 90 * time.Minute}},
		{in: "anderhalf uur", want: Until{For: 90 * time.Minute}},
		{in: "een uur", want: Until{For: time.Hour}},
		{in: "een kwartier", want: Until{For: 15 * time.Minute}},
		{in: "half uur", want: Until{For: 30 * time.Minute}},
		{in: "voor 1u30", want: Until{For: 90 * time.Minute}},
		{in: "for 2 hours", want: Until{For: 2 * time.Hour}},
		{in: "an hour", want: Until{For: time.Hour}},
		{in: "nog 20 min", want: Until{For: 20 * time.Minute}},
		{in: "tot 13:30.", want: Until{Hour: 13, Minute: 30}},

		{in: "", wantErr: true},
		{in: "tot", wantErr: true},
		{in: "14", wantErr: true}, // a bare number needs "tot"
		{in: "tot 13:", wantErr: true},
		{in: "tot 24:00", wantErr: true},
		{in: "tot 13:60", wantErr: true},
		{in: "tot 13pm", wantErr: true},
		{in: "tot 0am", wantErr: true},
		{in: "tot 1.5 uur", wantErr: true},
		{in: "tot half uur", wantErr: true},
		{in: "tot half dertien", wantErr: true},
		{in: "0 min", wantErr: true},
		{in: "600 min", wantErr: true},
		{in: "9 hours", wantErr: true},
		{in: "morgen", wantErr: true},
		{in: "tot morgen", want: Until{Days: 1}},
		{in: "Tot morgen!", want: Until{Days: 1}},
		{in: "tot overmorgen", want: Until{Days: 2}},
		{in: "tot maandag", want: Until{Weekday: time.Monday, ByWeekday: true}},
		{in: "tot Vrijdag", want: Until{Weekday: time.Friday, ByWeekday: true}},
		{in: "until tomorrow", want: Until{Days: 1}},
		{in: "until monday", want: Until{Weekday: time.Monday, ByWeekday: true}},
		{in: "maandag", wantErr: true},
		{in: "tot gisteren", wantErr: true},
		{in: "tot 13:30 \x00", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUntil(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("ParseUntil(%q) = %+v; want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseUntil(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestUntilTime(t *testing.T) {
	loc := amsterdam(t)
	now := testNow(t) // 10:41
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, loc) }
	tests := []struct {
		name    string
		u       Until
		now     time.Time
		want    time.Time
		wantErr error
	}{
		{name: "later today", u: Until{Hour: 13, Minute: 30}, now: now, want: at(13, 30)},
		{name: "passed", u: Until{Hour: 9}, now: now, wantErr: ErrTimePassed},
		{name: "now is passed", u: Until{Hour: 10, Minute: 41}, now: now, wantErr: ErrTimePassed},
		{name: "loose hour in the afternoon", u: Until{Hour: 2, Loose: true}, now: now, want: at(14, 0)},
		{name: "loose hour still ahead", u: Until{Hour: 7, Loose: true}, now: at(6, 30), want: at(7, 0)},
		{name: "loose hour both passed", u: Until{Hour: 2, Loose: true}, now: at(14, 5), wantErr: ErrTimePassed},
		{name: "strict hour passed", u: Until{Hour: 2}, now: now, wantErr: ErrTimePassed},
		{name: "duration", u: Until{For: 30 * time.Minute}, now: now, want: at(11, 11)},
		{name: "duration past midnight", u: Until{For: time.Hour}, now: at(23, 30), want: at(24, 30)},
		{name: "duration too long", u: Until{For: 9 * time.Hour}, now: now, wantErr: ErrBadTime},
		{name: "hour out of range", u: Until{Hour: 24}, now: now, wantErr: ErrBadTime},
		{name: "from UTC now", u: Until{Hour: 13, Minute: 30}, now: now.UTC(), want: at(13, 30)},
		{name: "tomorrow", u: Until{Days: 1}, now: now, want: at(24, 0)},
		{name: "monday from thursday", u: Until{Weekday: time.Monday, ByWeekday: true}, now: now, want: time.Date(2026, 11, 30, 0, 0, 0, 0, loc)},
		{name: "thursday on thursday is next week", u: Until{Weekday: time.Thursday, ByWeekday: true}, now: now, want: time.Date(2026, 12, 3, 0, 0, 0, 0, loc)},
		{name: "friday from thursday", u: Until{Weekday: time.Friday, ByWeekday: true}, now: now, want: time.Date(2026, 11, 27, 0, 0, 0, 0, loc)},
		{name: "too many days", u: Until{Days: 9}, now: now, wantErr: ErrBadTime},
		{
			name: "DST spring forward",
			u:    Until{Hour: 3},
			now:  time.Date(2026, 3, 29, 1, 30, 0, 0, loc),
			want: time.Date(2026, 3, 29, 3, 0, 0, 0, loc),
		},
		{
			name: "DST fall back",
			u:    Until{Hour: 13},
			now:  time.Date(2026, 10, 25, 10, 0, 0, 0, loc),
			want: time.Date(2026, 10, 25, 13, 0, 0, 0, loc),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.u.Time(tt.now, loc)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Time = %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("Time = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// Spring forward: 03:00 CEST is 30 minutes after 01:30 CET.
	got, _ := Until{Hour: 3}.Time(time.Date(2026, 3, 29, 1, 30, 0, 0, loc), loc)
	if d := got.Sub(time.Date(2026, 3, 29, 1, 30, 0, 0, loc)); d != 30*time.Minute {
		t.Errorf("01:30 CET to 03:00 CEST = %v; want 30m", d)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Oké", "oke"},
		{"KAN NIÉT", "kan niet"},
		{"e\u0301e\u0300", "ee"},
		{"Ĳsselmeer", "ijsselmeer"},
		{"can’t", "can't"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := fold(tt.in); got != tt.want {
				t.Errorf("fold(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGroupKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"groep 5", "5"},
		{"Groep 1/2", "1-2"},
		{"1 / 2", "1-2"},
		{"1 en 2", "1-2"},
		{"gr. 5B", "5b"},
		{"g5", "5"},
		{"De Dolfijnen", "dolfijnen"},
		{"baby's", "babys"},
		{"gym", "gym"},
		{"groepje", "groepje"},
		{"groep", "groep"},
		{"groep vijf", "5"},
		{"groep een en twee", "1-2"},
		{"een", "een"},
		{"groep 5 twee", "5twee"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := groupKey(tt.in); got != tt.want {
				t.Errorf("groupKey(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// seedInputs are real and nasty inputs for the fuzzers.
var seedInputs = []string{
	"", "help", "?", "groep 5", "groep 5 onrust na gym", "5", "gr5", "gr. 5", "g5", "groep 1/2", "1-2", "1/2", "5b",
	"groep 5B", "de dolfijnen ruzie", "kleuters", "spoed groep 5 gym", "ok", "Oké", "kan niet", "kan nu niet",
	"klaar rustig gepraat", "annuleer", "beschikbaar", "bezet tot 13:30", "afwezig tot 13.30", "afwezig tot 14",
	"away tot 13u30", "busy until 1:30pm", "bezet 30 min", "afwezig 1 uur", "wie", "succes fijn gesprek",
	"overzicht csv", "overzicht web", "agenda", "agenda klaar 2", "agenda done #3", "agenda ouderavond", "klaar kernteam", "meedenken groep 5 sfeer", "overleg gr5", "consult 5 x", "moment do 14:00", "moment", "groep 9", "onzin", "groep 5 \xff", "groep 5\x00", "groep 1 2 3 4 5 6 7 8 9",
	"groep 5 " + strings.Repeat("é", 300), "tot half 2", "\u202e5", "g", "gr.", "1-", "-1", "5 5 5",
	"hulp groep 5", "help groep 5", "groep 2", "Groep 5c", "groep vijf", "graag hulp in groep 5", "afwezig tot morgen",
	"bezet tot maandag", "dolfijen", "wie-is-wie", "wie is wie", "help me", "graag", "groep een en twee", "hulp hulp hulp groep",
}

func FuzzParse(f *testing.F) {
	for _, s := range seedInputs {
		f.Add(s)
	}
	ix := NewGroupIndex(testGroups())
	f.Fuzz(func(t *testing.T, in string) {
		cmd, err := Parse(in, ix)
		if (cmd == nil) == (err == nil) {
			t.Fatalf("Parse(%q) = %#v, %v; want exactly one of a command and an error", in, cmd, err)
		}
		checkText := func(what, s string) {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > bot.MaxNoteLen {
				t.Fatalf("Parse(%q): %s %q is invalid UTF-8 or over %d runes", in, what, s, bot.MaxNoteLen)
			}
		}
		switch c := cmd.(type) {
		case RequestHelpCmd:
			if _, ok := groupByID(ix, c.Group); !ok {
				t.Fatalf("Parse(%q) asks help for %q, which is no group of the school", in, c.Group)
			}
			checkText("note", c.Note)
		case DoneCmd:
			checkText("note", c.Note)
		case SuccessCmd:
			checkText("story", c.Story)
			if c.Story == "" {
				t.Fatalf("Parse(%q) gives an empty story", in)
			}
		case ConsultCmd:
			checkText("question", c.Question)
			if c.Question == "" {
				t.Fatalf("Parse(%q) gives a consult without a question", in)
			}
			if _, ok := groupByID(ix, c.Group); !ok {
				t.Fatalf("Parse(%q) consults about %q, which is no group of the school", in, c.Group)
			}
		case MomentCmd:
			if c.Moment == "" || utf8.RuneCountInString(c.Moment) > bot.MaxMomentLen {
				t.Fatalf("Parse(%q) gives the moment %q", in, c.Moment)
			}
		case AgendaCmd:
			checkText("theme", c.Theme)
			if c.Close < 0 || (c.Close > 0 && c.Theme != "") {
				t.Fatalf("Parse(%q) = %#v: closes a negative item, or closes and adds at once", in, c)
			}
		case SetStatusCmd:
			if c.Until != nil {
				checkUntil(t, in, *c.Until)
			}
		}
		// repeatSafe, asked before Parse, agrees with what Parse makes of
		// the text: a command that changes something is never called safe
		// to run twice.
		if err == nil {
			var want bool
			switch cmd.(type) {
			case RequestHelpCmd, HelpCmd, WhoCmd, WhoIsWhoCmd:
				want = true
			}
			if got := repeatSafe(in); got != want {
				t.Fatalf("repeatSafe(%q) = %v, but Parse gives %T", in, got, cmd)
			}
		}
	})
}

func FuzzParseUntil(f *testing.F) {
	for _, s := range []string{
		"tot 13:30", "13:30", "tot 13.30", "tot 14", "tot 13u30", "until 1:30pm", "until 12am", "tot 2", "tot half 2",
		"kwart voor 3", "30 min", "1 uur", "1,5 uur", "anderhalf uur", "een kwartier", "voor 1u30", "for 2 hours",
		"tot 24:00", "tot 13:", "999 min", "tot 99", "half past twelve", "\xff", "tot 0:00", "tot morgen", "tot maandag", "until sunday",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := ParseUntil(in)
		if err != nil {
			return
		}
		checkUntil(t, in, u)
	})
}

// checkUntil checks a parsed time is in range and resolves to a moment
// after now and within the day's reach, or to an error.
func checkUntil(t *testing.T, in string, u Until) {
	t.Helper()
	if u.OnDay() {
		loc := amsterdam(t)
		now := time.Date(2026, 11, 26, 10, 41, 0, 0, loc)
		got, err := u.Time(now, loc)
		if err != nil || got.Hour() != 0 || got.Minute() != 0 || !got.After(now.Add(13*time.Hour)) || got.Sub(now) > 7*24*time.Hour {
			t.Fatalf("ParseUntil(%q).Time = %v, %v; want the start of a day within a week", in, got, err)
		}
		return
	}
	if u.For != 0 {
		if u.For <= 0 || u.For > MaxUntilFor || u.For%time.Minute != 0 {
			t.Fatalf("ParseUntil(%q) = %+v: duration out of range", in, u)
		}
	} else if u.Hour < 0 || u.Hour > 23 || u.Minute < 0 || u.Minute > 59 {
		t.Fatalf("ParseUntil(%q) = %+v: clock out of range", in, u)
	}
	loc := amsterdam(t)
	now := time.Date(2026, 11, 26, 10, 41, 0, 0, loc)
	got, err := u.Time(now, loc)
	if err != nil {
		if !errors.Is(err, ErrTimePassed) {
			t.Fatalf("ParseUntil(%q).Time = %v; want a time or ErrTimePassed", in, err)
		}
		return
	}
	if !got.After(now) || got.Sub(now) > 14*time.Hour {
		t.Fatalf("ParseUntil(%q).Time = %v; want after %v and today", in, got, now)
	}
}

func groupByID(ix *GroupIndex, id string) (bot.Group, bool) { return ix.group(id) }
