package config

import (
	"fmt"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/hulpbot/hulpbot/bot"
)

// Closing is what a helper is asked after "/hulp klaar": the kind of
// support given and the outcome. Left out, the defaults (bot.DefaultSupportKinds,
// bot.DefaultOutcomes) with the catalogue's words.
type Closing struct {
	Support  []Choice `yaml:"support,omitempty"`
	Outcomes []Choice `yaml:"outcomes,omitempty"`
}

// Choice is one answer: a default key as a plain string ("gesprek"), or a
// mapping with the school's own words ({key: sova, nl: "Sova-training",
// en: "Social skills training"}). The key names the counter: keep it when
// the words change.
type Choice struct {
	Key string `yaml:"key"`
	NL  string `yaml:"nl,omitempty"`
	EN  string `yaml:"en,omitempty"`
}

// UnmarshalYAML reads a plain key or a mapping.
func (c *Choice) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = Choice{Key: n.Value}
		return nil
	}
	type plain Choice
	var p plain
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "key", "nl", "en":
			default:
				return &yaml.TypeError{Errors: []string{fmtLine(k.Line, "field %s not found in type config.Choice", k.Value)}}
			}
		}
	}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = Choice(p)
	return nil
}

// MaxChoices bounds each question's buttons: one tap must stay one look.
const MaxChoices = 8

// choiceKeyRE: a key names a counter and goes into a button's action.
var choiceKeyRE = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)

// closing checks one school's closing questions.
func (v *validator) closing(p string, c Closing) {
	check := func(field string, list []Choice, defaults []string) {
		if len(list) > MaxChoices {
			v.add(field, "%d answers: at most %d, so they fit under one message", len(list), MaxChoices)
		}
		seen := map[string]bool{}
		for i, ch := range list {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case !choiceKeyRE.MatchString(ch.Key):
				v.add(f+".key", "%q is not a key: 1 to 20 lowercase letters, digits and _", ch.Key)
			case seen[ch.Key]:
				v.add(f+".key", "%q is used twice", ch.Key)
			case ch.NL == "" && !slices.Contains(defaults, ch.Key):
				v.add(f+".nl", "empty: %q is not one of the defaults (%v), so it needs its Dutch words", ch.Key, defaults)
			}
			seen[ch.Key] = true
		}
	}
	check(p+".closing.support", c.Support, bot.DefaultSupportKinds)
	check(p+".closing.outcomes", c.Outcomes, bot.DefaultOutcomes)
}

// choices converts configured answers.
func choices(list []Choice) []bot.Choice {
	var out []bot.Choice
	for _, c := range list {
		ch := bot.Choice{Key: c.Key}
		if c.NL != "" || c.EN != "" {
			ch.Labels = map[string]string{}
			if c.NL != "" {
				ch.Labels["nl"] = c.NL
			}
			if c.EN != "" {
				ch.Labels["en"] = c.EN
			}
		}
		out = append(out, ch)
	}
	return out
}

// Surveys is when a school's surveys go out: a monthly pulse to staff who
// asked for help that month and, each quarter, the collaboration surveys
// of staff and helpers. Cron (school time zone, say every Friday
// afternoon) is when hulpbot looks for surveys that are due and not yet
// sent; empty means no surveys.
type Surveys struct {
	Cron string `yaml:"cron,omitempty"`
}
