package main

import (
	"testing"
)

// TestSuccessesStory plays a success shared in the terminal chat: kept
// without a name, signed with the button "Met mijn naam" — once.
func TestSuccessesStory(t *testing.T) {
	script := `
/hulp succes de kring ging vandaag heel rustig
/knop 1
/knop 1
`
	out := play(t, env(t, nil), script)
	inOrder(t, out,
		"juf.marie> /hulp succes de kring ging vandaag heel rustig",
		"Dank je! Je succes komt in de weekpost, zonder je naam.",
		"Wil je je naam erbij? Druk op Met mijn naam.",
		"[1] Met mijn naam",
		"juf.marie> /knop 1",
		"Dank je! Je succes komt in de weekpost, met je naam (juf.marie).",
		"juf.marie> /knop 1",
		"Knop 1 is al gebruikt",
	)
}
