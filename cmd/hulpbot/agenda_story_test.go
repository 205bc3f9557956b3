package main

import (
	"strings"
	"testing"
)

// TestAgendaStory plays the kernteam's agenda in the terminal chat: a
// teacher puts a theme on it (one with a name is refused and kept
// nowhere), only the kernteam takes items off, and an IB'er who picked a
// request up in the channel closes it and marks it for the kernteam.
func TestAgendaStory(t *testing.T) {
	script := `
/hulp agenda ouderavond over prestatiedruk en faalangst
/hulp agenda gesprek met Daan over thuis
/hulp agenda
/hulp agenda klaar 1
/als anne
/hulp bezet
/als bram
/hulp bezet
/als juf.marie
/hulp groep 5 ruzie op het plein
/als ib.sanne
/knop 1
/hulp klaar kernteam
/hulp klaar
/hulp agenda klaar 1
/hulp agenda klaar 1
/hulp agenda
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp agenda ouderavond over prestatiedruk en faalangst",
		"📌 Op de agenda van het kernteam, als punt 1.",
		"juf.marie> /hulp agenda gesprek met Daan over thuis",
		"Dit zet ik niet op de agenda: het lijkt een naam of iets medisch te bevatten.",
		"juf.marie> /hulp agenda\n",
		"🗓️ Agenda van het kernteam:",
		"   1. ouderavond over prestatiedruk en faalangst",
		"juf.marie> /hulp agenda klaar 1",
		"Punten van de agenda halen kan de IB'er of een hulpverlener van Demoschool De Vaart.",
		"[#kernteam] 📣 Hulpvraag voor groep 5",
		"[1] Ik pak dit op",
		"ib.sanne> /knop 1",
		"✅ Sanne pakt dit op (groep 5)",
		"ib.sanne> /hulp klaar kernteam",
		"Dank je! De hulpvraag voor groep 5 is afgesloten.",
		"📌 Staat op de agenda van het kernteam.",
		"[→ juf.marie] Sanne heeft je hulpvraag voor groep 5 afgesloten.",
		"ib.sanne> /hulp klaar\n",
		"Je hebt geen hulpvraag uit het kanaal opgepakt die nog openstaat.",
		"ib.sanne> /hulp agenda klaar 1",
		"✔️ Punt 1 is van de agenda.",
		"ib.sanne> /hulp agenda klaar 1",
		"Er staat geen punt 1 op de agenda.",
		"ib.sanne> /hulp agenda\n",
		"De agenda van het kernteam is leeg.",
	)
	if strings.Contains(out, "Daan over thuis\n   ") || strings.Count(out, "Daan") != 1 {
		t.Errorf("the theme with a name shows up beyond its own command:\n%s", out)
	}
}
