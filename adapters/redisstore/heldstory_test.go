package redisstore

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// TestHeldStory: a held story is in no week's list until its author
// shares it; shared once, signed or not as held; dropped, it is gone; a
// second press hears the first decision; someone else changes nothing;
// an expired hold is gone, unshared.
func TestHeldStory(t *testing.T) {
	f := newFixture(t)
	hold := func(id string, st bot.Story) {
		t.Helper()
		if err := f.s.HoldStory(f.ctx, t0, school, id, week, month, marie, st, retention, bot.HoldFor); err != nil {
			t.Fatal(err)
		}
	}
	hold("s1", bot.Story{Text: "Daan bleef de hele gym in de groep"})
	hold("s2", bot.Story{Text: "Fleur las voor", By: "juf Marie"})
	hold("s3", bot.Story{Text: "Mo hielp Daan"})
	hold("s4", bot.Story{Text: "Sem lachte"})
	f.checkTTL("story:s1", bot.HoldFor)
	if got, _ := f.s.Stories(f.ctx, school, week); len(got) != 0 {
		t.Fatalf("held stories are shared already: %v", got)
	}

	other := bot.Address{Platform: mattermost, Handle: "joost"}
	before := f.snapshot()
	if _, err := f.s.DecideStory(f.ctx, t0, school, "s1", other, true); !errors.Is(err, bot.ErrNotYours) {
		t.Errorf("someone else's press: %v, want ErrNotYours", err)
	}
	sameSnapshot(t, before, f.snapshot())

	for _, c := range []struct {
		id    string
		share bool
	}{{"s1", true}, {"s2", true}, {"s3", false}} {
		shared, err := f.s.DecideStory(f.ctx, t0, school, c.id, marie, c.share)
		if err != nil || shared != c.share {
			t.Errorf("%s: shared %v, %v; want %v", c.id, shared, err, c.share)
		}
		// Pressed again, either button: the first decision stands.
		for _, again := range []bool{true, false} {
			if shared, err := f.s.DecideStory(f.ctx, t0, school, c.id, marie, again); !errors.Is(err, bot.ErrNotHeld) || shared != c.share {
				t.Errorf("%s again: %v, %v; want ErrNotHeld, shared %v", c.id, shared, err, c.share)
			}
		}
		if h := f.hash("story:" + c.id); h["entry"] != "" {
			t.Errorf("%s: the decided story is still kept: %v", c.id, h)
		}
	}
	if got, _ := f.s.Stories(f.ctx, school, week); !slices.Equal(got, []string{"Daan bleef de hele gym in de groep"}) {
		t.Errorf("stories = %v", got)
	}
	if got, _ := f.s.SignedStories(f.ctx, school, week); len(got) != 1 || got[0] != (bot.Story{Text: "Fleur las voor", By: "juf Marie"}) {
		t.Errorf("signed stories = %v", got)
	}
	// Nobody chose within the hold: the key expired with the story.
	f.rdb.Del(f.ctx, f.key("story:s4"))
	if _, err := f.s.DecideStory(f.ctx, t0.Add(3*time.Minute), school, "s4", marie, true); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("after the hold: %v, want ErrNotFound", err)
	}
	st := f.stats()
	if st["held_story"] != 4 || st["held_story_shared"] != 2 || st["held_story_cancelled"] != 1 {
		t.Errorf("counters = %v", st)
	}
}
