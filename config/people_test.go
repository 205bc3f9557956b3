package config

import (
	"slices"
	"testing"
)

// TestDirectoryLinksPeople: the same Mattermost username (any case) or
// Slack member id at two schools is one person, and joins their schools;
// a terminal name alone (which defaults to the helper id) joins nobody.
func TestDirectoryLinksPeople(t *testing.T) {
	c := mustParse(t, `
redis_url: redis://localhost:6379/0
schools:
  - id: de-vaart
    name: De Vaart
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Bram, role: cjg-coach, mattermost: bram, schedule: [altijd]}
      - {name: Anne, role: jeugdhulpverlener, shell: anne, schedule: [altijd]}
  - id: de-klim
    name: De Klim
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Bram Jansen, role: cjg-coach, mattermost: Bram, slack: U0BRAM0001, schedule: [altijd]}
  - id: de-horst
    name: De Horst
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: B. Jansen, role: cjg-coach, slack: U0BRAM0001, schedule: [altijd]}
  - id: de-linde
    name: De Linde
    groups: ["5"]
    fallback_channel: kernteam
    helpers:
      - {name: Anne, role: jeugdhulpverlener, shell: anne, schedule: [altijd]}
`, nil)
	d, err := c.Directory()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.PoolOf("de-klim")
	if !slices.Equal(p.Schools, []string{"de-vaart", "de-klim", "de-horst"}) {
		t.Errorf("De Klim's pool = %v; want De Vaart, De Klim and De Horst", p.Schools)
	}
	if p, _ := d.PoolOf("de-linde"); !slices.Equal(p.Schools, []string{"de-linde"}) {
		t.Errorf("De Linde's pool = %v; want itself alone (a terminal name joins nobody)", p.Schools)
	}
	klim, _ := d.School("de-klim")
	if h, _ := klim.HelperByID("bram-jansen"); h == nil || !slices.Equal(h.AlsoAt, []string{"de-vaart", "de-horst"}) {
		t.Errorf("Bram at De Klim = %+v; want also at De Vaart and De Horst", h)
	}
}
