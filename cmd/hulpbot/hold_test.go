package main

import (
	"strings"
	"testing"
)

// TestStoryHeldNote plays a teacher who names a child in the terminal
// chat: nothing reaches a helper until she chooses; "Verstuur zonder
// toelichting" sends Anne the offer without the note, and the name is
// nowhere but in what the teacher typed.
func TestStoryHeldNote(t *testing.T) {
	script := `
/hulp groep 5 Daan slaat
/als anne
/hulp wie
/als juf.marie
/knop 1
/knop 2
/als anne
/knop 4
/stop
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp groep 5 Daan slaat",
		"[→ juf.marie] ⏸ Je hulpvraag voor groep 5 is nog niet verstuurd",
		"[1] Verstuur zonder toelichting   [2] Verstuur toch   [3] Annuleer",
		"anne> /hulp wie",
		"Anne (jeugdhulpverlener): beschikbaar",
		"juf.marie> /knop 1",
		"[bericht aan juf.marie bijgewerkt] Verstuurd zonder toelichting.",
		"[→ anne] Kun je even helpen? Hulpvraag voor groep 5",
		"[4] Ik kom eraan   [5] Kan nu niet",
		"juf.marie> /knop 2",
		"Knop 2 is al gebruikt",
		"anne> /knop 4",
		"[→ juf.marie] ✅ Anne komt eraan voor groep 5.",
	)
	before, _, _ := strings.Cut(out, "juf.marie> /knop 1")
	if strings.Contains(before, "Kun je even helpen") || strings.Contains(before, "[#") {
		t.Errorf("a helper or channel heard of the request before the teacher chose:\n%s", before)
	}
	if n := strings.Count(out, "Daan"); n != 1 {
		t.Errorf("the name appears %d times; only where the teacher typed it:\n%s", n, out)
	}
}

// TestStoryHeldSuccess: a success story with a child's name is not shared
// until its author presses Deel toch; Annuleer drops it.
func TestStoryHeldSuccess(t *testing.T) {
	script := `
/hulp succes Daan bleef de hele gym in de groep
/knop 2
/knop 1
/hulp succes Fleur las voor aan de klas
/knop 3
/stop
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp succes Daan bleef de hele gym in de groep",
		"⏸ Je succesverhaal is nog niet gedeeld",
		"[1] Deel toch   [2] Annuleer",
		"juf.marie> /knop 2",
		"Niet gedeeld: je verhaal is weggegooid.",
		"juf.marie> /knop 1",
		"Knop 1 is al gebruikt",
		"juf.marie> /hulp succes Fleur las voor aan de klas",
		"[3] Deel toch   [4] Annuleer",
		"juf.marie> /knop 3",
		"Gedeeld: je verhaal komt in het overzicht van de week.",
	)
}
