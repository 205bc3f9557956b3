package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// What help was given, at closing: after "/hulp klaar" the helper taps the
// kind of support given and then the outcome. Only counts are kept, per
// week and month of the request (PrefixSupport, PrefixOutcome); the record
// only notes that the question was answered, so a second tap counts
// nothing.

// ClosingStep is one of the two questions at closing.
type ClosingStep string

// The steps; their names start the counters (PrefixSupport, PrefixOutcome).
const (
	StepSupport ClosingStep = "support" // the kind of support given
	StepOutcome ClosingStep = "outcome" // what became of it
	// StepSkip answers neither: nothing is counted, and neither question
	// can be answered afterwards.
	StepSkip ClosingStep = "skip"
)

// Choice is one answer a school offers at closing. Key is stable (it names
// the counter); Labels are the school's own words by language, empty for
// the catalogue's words of a default key.
type Choice struct {
	Key    string
	Labels map[string]string
}

// The default keys; the catalogue has their words.
var (
	// DefaultSupportKinds: kort gesprek, even naar buiten / wandeling,
	// meegedraaid in de klas, tips voor de leerkracht, rustruimte, contact
	// met ouders, vervolg nodig.
	DefaultSupportKinds = []string{"gesprek", "wandeling", "meegedraaid", "tips", "rustruimte", "ouders", "vervolg"}
	// DefaultOutcomes: kon in de groep blijven, even uit de groep, and a
	// follow-up with the parents, the CJG, external help or special
	// education.
	DefaultOutcomes = []string{"in_groep", "uit_groep", "vervolg_ouders", "vervolg_cjg", "vervolg_extern", "vervolg_so"}
)

// Closing is what a school asks at closing; empty lists mean the defaults.
type Closing struct {
	Support  []Choice
	Outcomes []Choice
}

// Choices are the answers of step at school s.
func (s *School) Choices(step ClosingStep) []Choice {
	var mine []Choice
	var def []string
	switch step {
	case StepSupport:
		mine, def = s.Closing.Support, DefaultSupportKinds
	case StepOutcome:
		mine, def = s.Closing.Outcomes, DefaultOutcomes
	default:
		return nil
	}
	if len(mine) > 0 {
		return mine
	}
	out := make([]Choice, len(def))
	for i, k := range def {
		out[i] = Choice{Key: k}
	}
	return out
}

// HasChoice reports whether key is an answer of step at s.
func (s *School) HasChoice(step ClosingStep, key string) bool {
	for _, c := range s.Choices(step) {
		if c.Key == key {
			return true
		}
	}
	return false
}

// ClosingLog is what closing answers need of the store.
type ClosingLog interface {
	// RecordClosing counts the answer to step for a resolved request, of
	// helperID who helped, or (helperID "") of picker (Address.Identity),
	// who is no helper and took it from the fallback channel; once per
	// step: a second answer is ErrDuplicate, someone else's request
	// ErrNotYours, one not resolved ErrClosed, an expired one ErrNotFound.
	// StepSkip answers both steps and counts nothing.
	RecordClosing(ctx context.Context, now time.Time, school, requestID, helperID, picker string, step ClosingStep, key string) error
}

// Closings runs the answers at closing.
type Closings struct {
	store ClosingLog
	log   *slog.Logger
}

// NewClosings returns the closing use cases on store.
func NewClosings(store ClosingLog, log *slog.Logger) *Closings {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Closings{store: store, log: log.With("component", "closing")}
}

// Answer counts the answer to a step of the closing question of whoever
// closed the request: the helper, or the person who is no helper and took
// it from the fallback channel. A key the school does not offer is
// ErrNotFound.
func (c *Closings) Answer(ctx context.Context, now time.Time, s *School, by Actor, requestID string, step ClosingStep, key string) error {
	if step != StepSkip && !s.HasChoice(step, key) {
		return fmt.Errorf("closing %s %q: %w", step, key, ErrNotFound)
	}
	if step == StepSkip {
		key = ""
	}
	helperID, picker := "", by.Identity()
	if h, ok := s.Helper(by.Address); ok {
		helperID, picker = h.ID, ""
	}
	if err := c.store.RecordClosing(ctx, now, s.ID, requestID, helperID, picker, step, key); err != nil {
		return fmt.Errorf("closing %s: %w", step, err)
	}
	c.log.Info("closing answered", "school", s.ID, "request", requestID, "step", step)
	return nil
}
