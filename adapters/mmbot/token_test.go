package mmbot

import (
	"strings"
	"testing"
)

func TestCommandTokens(t *testing.T) {
	c, err := newCommandTokens(map[string]string{"De-Vaart": "tok-vaart", "klim": "tok-klim"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token, team string
		ok          bool
	}{
		{"tok-vaart", "de-vaart", true},
		{"tok-klim", "klim", true},
		{"tok-vaar", "", false},
		{"tok-vaartt", "", false},
		{"TOK-VAART", "", false},
		{"", "", false},
	} {
		team, ok := c.team(tc.token)
		if team != tc.team || ok != tc.ok {
			t.Errorf("team(%q) = %q, %v; want %q, %v", tc.token, team, ok, tc.team, tc.ok)
		}
	}

	// A token bound to no team (no school has one yet).
	c, err = newCommandTokens(map[string]string{"": "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if team, ok := c.team("tok"); team != "" || !ok {
		t.Errorf("team(tok) = %q, %v; want no team, ok", team, ok)
	}
}

func TestCommandTokensRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tokens map[string]string
		want   string
	}{
		{"none", nil, "empty"},
		{"an empty token", map[string]string{"de-vaart": ""}, "empty"},
		{"one token for two teams", map[string]string{"de-vaart": "tok", "klim": "tok"}, "the same command token"},
		{"a team twice", map[string]string{"de-vaart": "a", "De-Vaart": "b"}, "two command tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newCommandTokens(tc.tokens)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newCommandTokens = %v, want an error about %q", err, tc.want)
			}
		})
	}
}
