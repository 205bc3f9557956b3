package handlers

import (
	"strings"
	"unicode"

	"github.com/hulpbot/hulpbot/internal/chattext"
)

// LooksLikeName reports whether a note seems to name someone: a word with a
// capital that is not a known group, place, role word, weekday or month,
// organisation, abbreviation in capitals, one of known (the school's groups
// and the names of its helpers and coordinators), nor one of the common
// words a note starts with ("Onrust na gym", "Boos kind"). "Tim slaat" is
// caught; "tim slaat" is not: this is a kind reminder, not a filter.
//
// A capitalised word right after juf, meester, mevrouw or meneer is a
// colleague, not a child, and passes.
func LooksLikeName(note string, known ...string) bool {
	return NewKnownWords(known...).LooksLikeName(note)
}

// KnownWords are a school's own words that are no child's name, folded
// once: a school checks every note against the same set.
type KnownWords map[string]bool

// NewKnownWords folds the words of known (phrases split into words).
func NewKnownWords(known ...string) KnownWords {
	kw := KnownWords{}
	for _, k := range known {
		for _, w := range chattext.Fields(k) {
			kw[fold(strings.Trim(w, namePunct))] = true
		}
	}
	return kw
}

// LooksLikeName is the package's LooksLikeName with these known words.
func (knownWords KnownWords) LooksLikeName(note string) bool {
	afterTitle := false
	for _, tok := range chattext.Fields(note) {
		w := strings.Trim(tok, namePunct)
		if w == "" {
			continue
		}
		if nameLike(w, afterTitle, knownWords) {
			return true
		}
		afterTitle = titleWords[fold(w)]
	}
	return false
}

// Sensitive reports whether a note (or a success story) must be held
// before it reaches anyone else: it seems to name a child or to hold health
// data (a diagnosis, medication).
func (knownWords KnownWords) Sensitive(note string) bool {
	return knownWords.LooksLikeName(note)
}

// namePunct is what may stick to a word without being part of it.
const namePunct = ".,;:!?()[]{}\"'“”‘’«»…-–—/*_#@<>"

func nameLike(w string, afterTitle bool, known KnownWords) bool {
	rs := []rune(w)
	if len(rs) < 2 || !unicode.IsUpper(rs[0]) || afterTitle {
		return false
	}
	upper := true
	for _, r := range rs {
		if unicode.IsDigit(r) {
			return false // lokaal B12, 5B
		}
		if unicode.IsLower(r) {
			upper = false
		}
	}
	if upper {
		return false // IB, CJG, BSO, WC
	}
	f := fold(w)
	f = strings.TrimSuffix(strings.TrimSuffix(f, "'s"), "'er") // pm'er, IB'er
	if known[f] || known[fold(w)] || notNames[f] || notNames[fold(w)] {
		return false
	}
	// A compound of ordinary words: "Time-out", "Schoolplein-ruzie".
	if parts := strings.Split(f, "-"); len(parts) > 1 {
		for _, p := range parts {
			if !notNames[p] && !known[p] {
				return true
			}
		}
		return false
	}
	return true
}

// titleWords come before a colleague's name.
var titleWords = map[string]bool{
	"juf": true, "juffrouw": true, "meester": true, "mevrouw": true, "meneer": true, "mevr": true, "dhr": true, "mw": true,
	"mr": true, "mrs": true, "ms": true, "miss": true,
}

// notNames are capitalised words that are no name: places, role words,
// days and months, organisations, feasts and languages, and the common
// Dutch and English words a note starts with. Lower case, no accents.
var notNames = setOf(
	// Places in and around school.
	"gym", "gymzaal", "plein", "schoolplein", "speelplaats", "speelplein", "speelzaal", "lokaal", "klas", "klaslokaal",
	"gang", "aula", "hal", "trap", "wc", "wc's", "toilet", "toiletten", "kantine", "bibliotheek", "bieb", "keuken",
	"kleedkamer", "personeelskamer", "teamkamer", "kamer", "kantoor", "ingang", "hek", "fietsenstalling", "zandbak",
	"tuin", "buiten", "binnen", "stilteruimte", "time-outplek", "bso", "opvang", "peuterspeelzaal", "kdv", "gebouw",
	"playground", "classroom", "hall", "hallway", "toilets", "canteen", "library", "office", "gate", "yard",
	// Role words.
	"juf", "juffrouw", "meester", "mevrouw", "meneer", "leerkracht", "leerkrachten", "ib", "ib'er", "ibber", "intern",
	"begeleider", "cjg", "cjg-coach", "coach", "pm", "pm'er", "pmer", "directeur", "directie", "adjunct", "conciërge",
	"concierge", "jeugdhulpverlener", "jeugdhulp", "hulpverlener", "gedragswetenschapper", "orthopedagoog",
	"psycholoog", "brugfunctionaris", "zorgcoordinator", "onderwijsassistent", "stagiair", "stagiaire", "invaller",
	"vakleerkracht", "gymleerkracht", "gymjuf", "gymmeester", "pedagogisch", "medewerker", "ouder", "ouders",
	"teacher", "teachers", "head", "principal", "assistant", "caretaker", "parent", "parents",
	// Organisations and meetings.
	"kernteam", "jeugdteam", "wijkteam", "ondersteuningsteam", "mdo", "ggd", "veilig", "thuis", "politie", "jeugdzorg",
	"samenwerkingsverband", "swv", "kansencirkel", "hulpbot",
	// Days, months, feasts, languages.
	"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
	"ma", "di", "wo", "do", "vr", "za", "zo",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
	"jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec",
	"january", "february", "march", "may", "june", "july", "august", "october",
	"kerst", "kerstmis", "pasen", "sinterklaas", "sint", "koningsdag", "carnaval", "ramadan", "suikerfeest", "offerfeest",
	"halloween", "christmas", "easter",
	"nederlands", "engels", "frans", "duits", "turks", "arabisch", "pools", "marokkaans", "oekraiens", "dutch", "english",
	// Common words a Dutch note starts with.
	"de", "het", "een", "ik", "we", "wij", "hij", "zij", "ze", "er", "hier", "daar", "dit", "dat", "die", "deze",
	"wie", "wat", "waar", "wanneer", "hoe", "waarom", "kan", "kun", "kunnen", "kunt", "wil", "wilt", "willen",
	"graag", "even", "nu", "snel", "spoed", "dringend", "urgent", "help", "hulp", "hulpvraag", "vraag", "nood",
	"kind", "kinderen", "kindje", "leerling", "leerlingen", "jongen", "jongens", "meisje", "meisjes", "groep", "groepje",
	"onrust", "onrustig", "ruzie", "boos", "woedend", "verdrietig", "huilen", "huilt", "huilend", "paniek", "agressie",
	"agressief", "vechten", "vecht", "vechtpartij", "gevecht", "slaan", "slaat", "schoppen", "schopt", "bijten", "bijt",
	"pesten", "pest", "gepest", "pestgedrag", "bang", "angstig", "angst", "overstuur", "ontregeld", "escalatie",
	"escaleert", "incident", "conflict", "druk", "drukte", "weglopen", "weggelopen", "loopt", "rent", "zit", "ligt",
	"weigert", "weigering", "gooit", "gooien", "scheldt", "schelden", "dreigt", "dreigen", "stil", "teruggetrokken",
	"niet", "geen", "na", "voor", "tijdens", "in", "op", "bij", "met", "zonder", "naar", "over", "om", "tussen",
	"pauze", "lunch", "buitenspelen", "overblijf", "overblijven", "ochtend", "middag", "morgen", "vandaag", "gisteren",
	"straks", "alles", "iemand", "niemand", "twee", "drie", "vier", "paar", "hele", "heel", "erg", "veel", "weer",
	"opnieuw", "nog", "ook", "al", "moeder", "vader", "mama", "papa", "oma", "opa", "broer", "broertje", "zus",
	"zusje", "situatie", "gedrag", "probleem", "zorg", "zorgen", "melding", "gesprek", "crisis", "zelf", "mijn",
	"onze", "ons", "jullie", "jij", "je", "u", "is", "was", "wordt", "heeft", "hebben", "gaat", "gaan", "komt", "komen",
	"klaar", "dank", "bedankt", "prima", "goed", "fijn", "lukt", "gelukt", "samen", "rustig", "rust", "time-out",
	"prikkels", "overprikkeld", "toets", "les", "rekenen", "taal", "lezen", "spelling", "kring", "kringgesprek",
	"gezocht", "kom", "komen", "eraan", "alsjeblieft", "aub", "graag", "liefst", "mogelijk", "direct", "meteen",
	"kort", "lang", "eerst", "later", "toen", "daarna", "sinds", "vanaf", "tot", "tegen", "door", "omdat", "want",
	"maar", "en", "of", "als", "dus", "sorry", "hoi", "hallo", "hey", "dag", "goedemorgen", "goedemiddag",
	"succes", "super", "mooi", "trots", "blij", "vrolijk", "gezellig", "gesprekje", "wandeling", "wandelen",
	"uitgelegd", "geholpen", "opgelost", "afgerond", "besproken", "nagesproken", "teruggekoppeld",
	// Common words an English note starts with.
	"the", "a", "an", "i", "we", "he", "she", "they", "it", "this", "that", "there", "here", "who", "what", "where",
	"when", "how", "why", "can", "could", "please", "need", "needs", "urgent", "now", "child", "children", "kid",
	"kids", "pupil", "pupils", "boy", "boys", "girl", "girls", "class", "group", "fight", "fighting", "upset",
	"angry", "crying", "cries", "panic", "hitting", "hits", "kicking", "bullying", "scared", "after", "before",
	"during", "at", "on", "with", "without", "to", "from", "no", "not", "again", "still", "break", "lunchtime",
	"talked", "walked", "helped", "solved", "great", "good", "thanks", "thank", "mum", "mom", "dad", "calm",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
