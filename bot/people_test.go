package bot

import (
	"slices"
	"testing"
	"time"
)

func TestLinkPeople(t *testing.T) {
	mm := func(h string) Address { return Address{Platform: "mattermost", Handle: h} }
	sl := func(h string) Address { return Address{Platform: "slack", Handle: h} }
	sh := func(h string) Address { return Address{Platform: "shell", Handle: h} }
	school := func(id string, hs ...Helper) *School {
		return &School{ID: id, Location: time.UTC, Groups: []Group{{ID: "5"}}, OfferTimeout: time.Minute, Retention: time.Hour, Helpers: hs}
	}
	h := func(id string, acc ...Address) Helper { return Helper{ID: id, Name: id, Accounts: acc} }
	d, err := NewDirectory([]*School{
		// Bram: the same Mattermost user (any case) at a and b; at c by his
		// Slack id, which b knows too. Anne at a and d shares only a
		// terminal name, which joins nobody.
		school("a", h("bram", mm("bram")), h("anne", sh("anne"))),
		school("b", h("b-jansen", mm("Bram"), sl("U0BRAM")), h("carla", mm("carla"))),
		school("c", h("bram", sl("U0BRAM"))),
		school("d", h("anne", sh("anne"))),
		school("e"),
	})
	if err != nil {
		t.Fatal(err)
	}
	d.LinkPeople("mattermost", "slack")
	pa, _ := d.PoolOf("a")
	if !slices.Equal(pa.Schools, []string{"a", "b", "c"}) {
		t.Errorf("pool of a = %v; want a, b, c", pa.Schools)
	}
	var bram *Person
	for i := range pa.People {
		if pa.People[i].At[0] == (HelperAt{School: "a", Helper: "bram"}) {
			bram = &pa.People[i]
		}
	}
	want := []HelperAt{{"a", "bram"}, {"b", "b-jansen"}, {"c", "bram"}}
	if bram == nil || !slices.Equal(bram.At, want) {
		t.Fatalf("Bram = %+v; want one person at %v", bram, want)
	}
	if len(pa.People) != 3 {
		t.Errorf("pool of a has %d people; want Bram, Anne, Carla", len(pa.People))
	}
	for _, c := range []struct {
		school, helper string
		also           []string
	}{
		{"a", "bram", []string{"b", "c"}}, {"b", "b-jansen", []string{"a", "c"}}, {"c", "bram", []string{"a", "b"}},
		{"a", "anne", nil}, {"b", "carla", nil}, {"d", "anne", nil},
	} {
		sc, _ := d.School(c.school)
		hh, _ := sc.HelperByID(c.helper)
		if !slices.Equal(hh.AlsoAt, c.also) {
			t.Errorf("%s/%s also at %v; want %v", c.school, c.helper, hh.AlsoAt, c.also)
		}
	}
	for _, id := range []string{"d", "e"} {
		if p, _ := d.PoolOf(id); !slices.Equal(p.Schools, []string{id}) {
			t.Errorf("pool of %s = %v; want itself alone", id, p.Schools)
		}
	}
	if n := len(d.Pools()); n != 3 {
		t.Errorf("%d pools; want 3", n)
	}
	sa, _ := d.School("a")
	sd, _ := d.School("d")
	if !sa.SharesHelpers() || sd.SharesHelpers() {
		t.Errorf("SharesHelpers: a %v, d %v; want true, false", sa.SharesHelpers(), sd.SharesHelpers())
	}
	// Without LinkPeople every school is alone.
	d2, _ := NewDirectory([]*School{school("x", h("bram", mm("bram"))), school("y", h("bram", mm("bram")))})
	if p, _ := d2.PoolOf("x"); len(p.Schools) != 1 {
		t.Errorf("unlinked pool of x = %v; want x alone", p.Schools)
	}
}
