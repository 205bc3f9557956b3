package shell

// texts are the terminal chat's own lines — not hulpbot's replies, which
// the catalog words — in the school's language: Dutch, and English for a
// school that speaks English.
var texts = map[string]map[string]string{
	"nl": {
		"welcome":  "hulpbot — terminal chat voor %s.\n",
		"you":      "Je bent %s. Typ /hulp groep 5, /als anne om iemand anders te zijn, /knop 1 om op een knop te drukken, /mensen, /help of /stop.\n",
		"help":     "Typ /hulp gevolgd door een commando (bijvoorbeeld /hulp groep 5), /als <naam> om van persoon te wisselen, /knop <nummer> om op een knop te drukken, /mensen voor wie er zijn, /stop om te stoppen.",
		"unknown":  "Dat begrijp ik niet. Begin met /hulp (bijvoorbeeld /hulp groep 5) of typ /help.",
		"press":    "(druk met /knop N)",
		"updated":  "[bericht aan %s bijgewerkt] %s\n",
		"updatedC": "[bericht in #%s bijgewerkt] %s\n",
		"onlyYou":  "[→ %s, alleen voor jou] %s\n",
		"noButton": "Er is geen knop %q. Knoppen staan tussen [ ] onder een bericht.",
		"notYours": "Knop %d staat in een bericht aan %s; alleen %s ziet die. Typ eerst /als %s.",
		"spent":    "Knop %d is al gebruikt: het bericht is bijgewerkt.",
		"oneName":  "Typ /als gevolgd door één naam, bijvoorbeeld /als anne.",
		"nowYou":   "Je bent nu %s (%s).",
		"teacher":  "leerkracht of pm'er",
		"coord":    "coördinator",
		"people":   "Wie er zijn:",
		"others":   "iedereen anders — leerkracht of pm'er, bijvoorbeeld juf.marie",
	},
	"en": {
		"welcome":  "hulpbot — terminal chat for %s.\n",
		"you":      "You are %s. Type /hulp groep 5, /as anne to be someone else, /button 1 to press a button, /people, /help or /stop.\n",
		"help":     "Type /hulp and a command (for example /hulp groep 5), /as <name> to switch person, /button <number> to press a button, /people for who is who, /stop to stop.",
		"unknown":  "I don't understand that. Start with /hulp (for example /hulp groep 5) or type /help.",
		"press":    "(press with /button N)",
		"updated":  "[message to %s updated] %s\n",
		"updatedC": "[message in #%s updated] %s\n",
		"onlyYou":  "[→ %s, only for you] %s\n",
		"noButton": "There is no button %q. Buttons are shown between [ ] under a message.",
		"notYours": "Button %d is in a message to %s; only %s sees it. Type /as %s first.",
		"spent":    "Button %d was used already: the message has been updated.",
		"oneName":  "Type /as and one name, for example /as anne.",
		"nowYou":   "You are now %s (%s).",
		"teacher":  "teacher or pedagogical worker",
		"coord":    "coordinator",
		"people":   "Who is here:",
		"others":   "anyone else — teacher or pedagogical worker, for example juf.marie",
	},
}

// text is the terminal's line key in the school's language.
func (c *Chat) text(key string) string {
	if t, ok := texts[c.school.Language][key]; ok {
		return t
	}
	return texts["nl"][key]
}
