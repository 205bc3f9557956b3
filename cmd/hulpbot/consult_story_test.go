package main

import (
	"strings"
	"testing"
)

// TestConsultStory plays meedenken in the terminal chat: a calm question
// goes to the CJG coach without a stopwatch; a question with a name is
// held and, cancelled, reaches nobody; one about a diagnosis is held and
// sent anyway; the coach answers with buttons and with a moment of their
// own, the teacher hears each answer and closes the question.
func TestConsultStory(t *testing.T) {
	script := `
/hulp meedenken groep 5 hoe betrek ik een stil kind bij de kring?
/hulp overleg groep 5 Daan is zo stil
/knop 5
/knop 5
/hulp meedenken groep 3 een jongen met ADHD loopt steeds weg
/knop 6
/als bram
/knop 2
/knop 9
/als juf.marie
/knop 11
/hulp consult group 4 worried about the mood after the break
/als bram
/hulp moment do 14:00
/hulp moment vr 9:00
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp meedenken groep 5 hoe betrek ik een stil kind bij de kring?",
		"[→ juf.marie] 🤔 Je meedenkvraag over groep 5 is naar Bram (CJG-coach). Geen haast: je hoort het als er antwoord is.",
		"[→ bram] 🤔 Wil je meedenken? Vraag over groep 5",
		"Vraag: hoe betrek ik een stil kind bij de kring?",
		"[1] Vandaag   [2] Deze week   [3] Bel me even",
		"juf.marie> /hulp overleg groep 5 Daan is zo stil",
		"[→ juf.marie] ⏸ Je meedenkvraag is nog niet verstuurd",
		"[4] Verstuur toch   [5] Annuleer",
		"juf.marie> /knop 5",
		"[bericht aan juf.marie bijgewerkt] Niet verstuurd: je vraag is weggegooid.",
		"juf.marie> /knop 5",
		"Knop 5 is al gebruikt",
		"juf.marie> /hulp meedenken groep 3 een jongen met ADHD loopt steeds weg",
		"[6] Verstuur toch   [7] Annuleer",
		"juf.marie> /knop 6",
		"[bericht aan juf.marie bijgewerkt] 🤔 Je meedenkvraag over groep 3 is naar Bram (CJG-coach).",
		"[→ bram] 🤔 Wil je meedenken? Vraag over groep 3",
		"Vraag: een jongen met ADHD loopt steeds weg",
		"[8] Vandaag   [9] Deze week   [10] Bel me even",
		"bram> /knop 2",
		"[bericht aan bram bijgewerkt] ✅ Je antwoord: deze week. juf.marie krijgt bericht.",
		"[→ juf.marie] 💬 Bram denkt deze week met je mee over groep 5.",
		"[11] Afgerond",
		"bram> /knop 9",
		"[→ juf.marie] 💬 Bram denkt deze week met je mee over groep 3.",
		"juf.marie> /knop 11",
		"✔️ Meedenkvraag afgerond.",
		"juf.marie> /hulp consult group 4",
		"[→ bram] 🤔 Wil je meedenken? Vraag over groep 4",
		"bram> /hulp moment do 14:00",
		"✅ Je antwoord: do 14:00. juf.marie krijgt bericht.",
		"[→ juf.marie] 💬 Bram stelt voor: do 14:00 (over groep 4).",
		"bram> /hulp moment vr 9:00",
		"Je hebt geen meedenkvraag openstaan om te beantwoorden.",
	)
	if strings.Contains(out, "Kun je even helpen?") || strings.Contains(out, "Reageer vóór") {
		t.Errorf("a consult got the offer clock:\n%s", out)
	}
	if strings.Count(out, "Daan") != 1 {
		t.Errorf("the question with a name went further than its command:\n%s", out)
	}
}
