package main

import (
	"strings"
	"testing"
)

// TestForgivingChat plays, in the terminal chat, what teachers and helpers
// type that is not quite a command: each does what was meant, or asks one
// short question with the likely answer as a button.
func TestForgivingChat(t *testing.T) {
	script := `
/hulp groep 2
/knop 1
/knop 1
/hulp annuleer
/hulp hulp groep 5
/hulp annuleer
/hulp help groep 5
/hulp annuleer
/hulp graag hulp in groep 5
/hulp annuleer
/hulp groep vijf
/hulp annuleer
/hulp Groep 5b onrust
/hulp vliegtuig
/hulp beschikbr
/als anne
/hulp afwezig tot morgen
/hulp bezet
/hulp afwezig tot maandag
/hulp beschikbaar
/stop
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp groep 2",
		"[→ juf.marie] Bedoel je groep 1-2?",
		"[1] Ja, groep 1-2",
		"juf.marie> /knop 1",
		"[bericht aan juf.marie bijgewerkt] Je hulpvraag voor groep 1-2",
		"juf.marie> /knop 1",
		"Knop 1 is al gebruikt",
		"juf.marie> /hulp annuleer",
		"Je hulpvraag voor groep 1-2 is ingetrokken.",
		"juf.marie> /hulp hulp groep 5",
		"[→ juf.marie] Je hulpvraag voor groep 5 is doorgezet naar",
		"juf.marie> /hulp help groep 5",
		"[→ juf.marie] Je hulpvraag voor groep 5 is doorgezet naar",
		"juf.marie> /hulp graag hulp in groep 5",
		"[→ juf.marie] Je hulpvraag voor groep 5 is doorgezet naar",
		"juf.marie> /hulp groep vijf",
		"[→ juf.marie] Je hulpvraag voor groep 5 is doorgezet naar",
		"juf.marie> /hulp Groep 5b onrust",
		"[→ juf.marie] Bedoel je groep 5?\n    Je toelichting gaat niet mee; vertel die ter plekke.",
		"Ja, groep 5",
		"juf.marie> /hulp vliegtuig",
		"[→ juf.marie] Dat begrijp ik niet. Bedoel je /hulp groep 5? Alles zien: /hulp help\n",
		"juf.marie> /hulp beschikbr",
		"[→ juf.marie] Dat begrijp ik niet. Bedoel je /hulp beschikbaar?\n",
		"anne> /hulp afwezig tot morgen",
		"[→ anne] Je staat tot het eind van de dag op afwezig.",
		"anne> /hulp bezet",
		"[→ anne] Je staat tot het eind van de dag op bezet.",
		"anne> /hulp afwezig tot maandag",
		"[→ anne] Je staat tot ",
		" op afwezig.",
	)
	if strings.Contains(out, "Zo gebruik je /hulp") {
		t.Errorf("an input got the whole usage:\n%s", out)
	}
}
