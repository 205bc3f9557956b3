package handlers

import (
	"github.com/hulpbot/hulpbot/notecheck"
)

// LooksLikeName reports whether a note seems to name someone (see package
// notecheck): a first name in any case and place ("daan slaat", "ruzie met
// Ayoub"), or a capitalised word that is no ordinary word, no place and
// none of known (the school's groups and the names of its helpers and
// coordinators). A colleague after juf or meester is no child.
func LooksLikeName(note string, known ...string) bool {
	return NewKnownWords(known...).LooksLikeName(note)
}

// KnownWords are a school's own words that are no child's name, read once:
// a school checks every note against the same detector.
type KnownWords struct{ d *notecheck.Detector }

// NewKnownWords makes the detector for a school with these own words
// (phrases are split into words).
func NewKnownWords(known ...string) KnownWords {
	return KnownWords{d: notecheck.New(known...)}
}

func (knownWords KnownWords) detector() *notecheck.Detector {
	if knownWords.d == nil {
		return notecheck.New()
	}
	return knownWords.d
}

// LooksLikeName is the package's LooksLikeName with these known words.
func (knownWords KnownWords) LooksLikeName(note string) bool {
	for _, f := range knownWords.detector().All(note) {
		if f.Kind == notecheck.Name {
			return true
		}
	}
	return false
}

// Sensitive reports whether a note (or a success story) must be held
// before it reaches anyone else: it seems to name a child or to hold health
// data (a diagnosis, medication).
func (knownWords KnownWords) Sensitive(note string) bool {
	return knownWords.Check(note).Kind != notecheck.None
}

// Check is what makes a note sensitive, with the word that did, so a
// message can say which; Kind None when nothing does.
func (knownWords KnownWords) Check(note string) notecheck.Finding {
	return knownWords.detector().Check(note)
}
