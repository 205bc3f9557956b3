package catalog

import (
	"regexp"
	"strings"
)

// The message catalogue: every text hulpbot shows, in Dutch and English.
// Placeholders are named, {like_this}; both languages of a key use the same
// placeholders (catalog_test.go checks). Dutch is written the way school and
// childcare staff say it (see the glossary): hulpvraag, doorzetten,
// kernteam, IB'er.

// Languages hulpbot speaks. A school with another or no language gets Dutch.
const (
	LangNL = "nl"
	LangEN = "en"
)

var texts = map[string]map[string]string{
	LangNL: {
		// Asking for help.
		"request.offered":             "Je hulpvraag voor {group} is doorgezet naar {helper} ({role}).",
		"request.offered.next":        "Je krijgt bericht zodra er iemand komt. Toch niet nodig? Typ /hulp annuleer.",
		"request.escalated":           "Er is nu niemand beschikbaar voor {group}. Ik heb het {channel}-kanaal ingeseind.",
		"request.escalated.nochannel": "Er is nu niemand beschikbaar voor {group}, en er is geen kanaal ingesteld om je vraag door te zetten: {when_down}.",
		"request.received":            "Je hulpvraag voor {group} is ontvangen.",
		"note.shortened":              "Je toelichting was te lang en is ingekort tot {max} tekens.",
		"note.names":                  "Tip: noem geen namen van kinderen in de chat. Vertel dat ter plekke.",

		// Helpers answering.
		"accept.ok":  "Genoteerd: je komt eraan bij {group}. De vraagsteller krijgt bericht.",
		"decline.ok": "Je hebt de hulpvraag voor {group} doorgegeven.",
		"done.ok":    "Dank je! De hulpvraag voor {group} is afgesloten.",
		"cancel.ok":  "Je hulpvraag voor {group} is ingetrokken.",

		// Status.
		"status.available":  "Je staat op beschikbaar.",
		"status.busy.until": "Je staat op bezet tot {time}.",
		"status.busy.day":   "Je staat tot het eind van de dag op bezet.",
		"status.busy.date":  "Je staat tot {day} op bezet.",
		"status.away.until": "Je staat op afwezig tot {time}.",
		"status.away.day":   "Je staat tot het eind van de dag op afwezig.",
		"status.away.date":  "Je staat tot {day} op afwezig.",
		"status.back":       "Typ /hulp beschikbaar als je weer kunt.",

		// Who can help.
		"who.title":                 "Hulpverleners van {school}:",
		"who.line":                  "• {name} ({role}): {status}",
		"who.none":                  "Voor {school} zijn nog geen hulpverleners ingesteld.",
		"who.nobody_free":           "Er is nu niemand vrij: een hulpvraag gaat dan naar het {channel}-kanaal.",
		"who.nobody_free.nochannel": "Er is nu niemand vrij.",
		"who.available":             "beschikbaar",
		"who.busy":                  "bezet",
		"who.busy.until":            "bezet tot {time}",
		"who.away":                  "afwezig",
		"who.away.until":            "afwezig tot {time}",
		"who.busy.date":             "bezet tot {day}",
		"who.away.date":             "afwezig tot {day}",
		"day.tomorrow":              "morgen",
		"weekdays.long":             "zondag,maandag,dinsdag,woensdag,donderdag,vrijdag,zaterdag",
		"who.off_duty":              "niet ingeroosterd",
		"who.engaged":               "met een hulpvraag bezig",

		// Stories and the overview.
		"story.ok":      "Dank je! Je succes komt in de weekpost, zonder je naam.",
		"summary.later": "Het overzicht van deze week komt met de wekelijkse samenvatting voor de coördinatoren. Een overzicht op verzoek kan hulpbot nog niet maken.",
		"summary.csv":   "Ook de CSV-export voor de stuurgroep komt later.",

		// The weekly rhythm: the replies (handlers) and the posts (weekly.go).
		"story.ok.signed":    "Dank je! Je succes komt in de weekpost, met je naam ({name}).",
		"story.sign_tip":     "Wil je je naam erbij? Zet #naam achter je verhaal.",
		"summary.csv.title":  "Weekcijfers van de laatste {weeks} weken (CSV, zonder namen):",
		"summary.chart":      "Grafiek bij het overzicht van week {week}.",
		"summary.chart_sent": "De grafiek staat in je privéberichten.",
		"button.kernteam":    "📌 Bespreken in kernteam",
		"agenda.marked":      "📌 Staat op de agenda van het kernteam.",
		"agenda.already":     "📌 Stond al op de agenda van het kernteam.",
		"agenda.failed":      "Op de agenda van het kernteam zetten lukte nu niet. Probeer de knop zo nog eens.",
		"pulse.question":     "Hielp het?",
		"button.pulse_up":    "👍",
		"button.pulse_down":  "👎",
		"button.pulse_self":  "Dit kan ik de volgende keer zelf",
		"pulse.thanks":       "Hielp het? {answer} — dank je voor je antwoord!",
		"pulse.already":      "Je hebt hier al op geantwoord. Dank je!",
		"pulse.not_yours":    "Deze vraag is voor wie om hulp vroeg.",

		// The question at closing (closing.go): counts only, no names.
		"closing.support.ask":            "Wat voor hulp heb je gegeven? Eén tik; alleen het aantal telt mee, zonder namen.",
		"closing.outcome.ask":            "{support}. En hoe ging het verder?",
		"closing.thanks":                 "Dank je, genoteerd: {outcome}.",
		"closing.skipped":                "Oké, overgeslagen.",
		"closing.already":                "Dit is al genoteerd; er telt niets extra mee.",
		"closing.unknown":                "Deze keuze bestaat niet (meer). Er is niets geteld.",
		"button.closing_skip":            "Overslaan",
		"closing.support.gesprek":        "Kort gesprek",
		"closing.support.wandeling":      "Even naar buiten / wandeling",
		"closing.support.meegedraaid":    "Meegedraaid in de klas",
		"closing.support.tips":           "Tips voor de leerkracht",
		"closing.support.rustruimte":     "Rustruimte",
		"closing.support.ouders":         "Contact met ouders",
		"closing.support.vervolg":        "Vervolg nodig",
		"closing.outcome.in_groep":       "Kon in de groep blijven",
		"closing.outcome.uit_groep":      "Even uit de groep",
		"closing.outcome.vervolg_ouders": "Vervolg: ouders",
		"closing.outcome.vervolg_cjg":    "Vervolg: CJG",
		"closing.outcome.vervolg_extern": "Vervolg: externe hulp",
		"closing.outcome.vervolg_so":     "Vervolg: speciaal onderwijs",

		"reminder.title":                 "🗓️ Kernteam {school}: het overleg is {meeting}.",
		"reminder.title.nomeeting":       "🗓️ Kernteam {school}: tijd om het overleg voor te bereiden.",
		"reminder.agenda":                "Agenda uit week {week} ({dates}):",
		"reminder.requests":              "• Hulpvragen: {count}, het vaakst {groups}",
		"reminder.requests.none":         "• Geen hulpvragen.",
		"reminder.group":                 "{group} ({count})",
		"reminder.escalated":             "• In het {channel}-kanaal beland: {count}",
		"reminder.requests.compare":      "• Hulpvragen: {count} (week ervoor {previous}), het vaakst {groups}",
		"reminder.requests.none.compare": "• Geen hulpvragen (week ervoor {previous}).",
		"reminder.themes":                "• Onderwerpen:",
		"reminder.items":                 "• Bespreken (aangemerkt na een hulpvraag):",
		"reminder.item":                  "   – {group}, {when} ({helper})",
		"reminder.item.nohelper":         "   – {group}, {when}",
		"reminder.footer":                "Iets voor de agenda? /hulp agenda <onderwerp>. Besproken? /hulp agenda klaar <nummer>.",
		"agenda.theme":                   "   {no}. {text}",
		"agenda.theme.consult":           "   {no}. Meedenkvraag {group} van {when}: nog geen antwoord",
		"agenda.added":                   "📌 Op de agenda van het kernteam, als punt {no}.",
		"agenda.list":                    "🗓️ Agenda van het kernteam:",
		"agenda.list.empty":              "De agenda van het kernteam is leeg. Zet er iets op met /hulp agenda <onderwerp>.",
		"agenda.list.footer":             "Besproken? /hulp agenda klaar <nummer>.",
		"agenda.closed":                  "✔️ Punt {no} is van de agenda.",
		"err.agenda.names":               "Dit zet ik niet op de agenda: het lijkt een naam of iets medisch te bevatten. Beschrijf het onderwerp zonder namen.",
		"err.agenda.no_theme":            "Er staat geen punt {no} op de agenda. Typ /hulp agenda om de agenda te zien.",
		"err.not_kernteam":               "Punten van de agenda halen kan de IB'er of een hulpverlener van {school}.",
		"err.no_active.done.picker":      "Je hebt geen hulpvraag uit het kanaal opgepakt die nog openstaat.",

		"successes.title":       "Successen van deze week 🎉",
		"successes.item":        "• {story}",
		"successes.item.signed": "• {story} — {name}",
		"successes.footer":      "Deel jouw succes met /hulp succes <verhaal>. Zonder namen van kinderen.",

		"digest.title":            "📊 Weekoverzicht {school}, week {week} ({dates})",
		"digest.title.so_far":     "📊 Overzicht {school}, week {week} tot nu toe ({dates})",
		"digest.requests":         "Hulpvragen: {count}",
		"digest.requests.compare": "Hulpvragen: {count} (vorige {weeks} schoolweken gemiddeld {average})",
		"digest.count":            "{what}: {count}",
		"digest.by_group":         "Per groep: {list}",
		"digest.by_daypart":       "Per dagdeel: {list}",
		"digest.wait":             "Wachttijd tot \"Ik kom eraan\": mediaan {median}, p90 {p90}",
		"digest.wait.compare":     "(vorige weken: mediaan {median})",
		"digest.wait.none":        "Nog geen hulpvraag aangenomen.",
		"digest.accepted":         "Aangenomen: {count}; door de eerste hulpverlener {first}, na doorzetten {moved}, opgepakt in het {channel}-kanaal {picked}",
		"digest.outcomes":         "In het {channel}-kanaal beland: {escalated} · ingetrokken: {cancelled} · gevraagd terwijl niemand ingeroosterd was: {no_cover}",
		"digest.pulse":            "Hielp het? 👍 {up} · 👎 {down} · kan ik de volgende keer zelf: {self}",
		"digest.pulse.none":       "Hielp het? Nog geen antwoorden.",
		"digest.stories":          "Successen gedeeld: {count}",
		"chart.requests":          "Hulpvragen per dagdeel",
		"chart.wait":              "Wachttijd tot aannemen (minuten)",
		"chart.median":            "mediaan",
		"chart.p90":               "p90",
		"chart.week":              "wk {week}",
		"dates.range":             "{from} t/m {to}",
		"months":                  "jan,feb,mrt,apr,mei,jun,jul,aug,sep,okt,nov,dec",
		"weekdays":                "zo,ma,di,wo,do,vr,za",
		"daypart.outside":         "buiten schooltijd",

		// Usage.
		"usage": "Zo gebruik je /hulp:\n" +
			"• /hulp groep 5 [toelichting]: vraag hulp voor een groep (ook /hulp 5, /hulp 1-2, /hulp kleuters)\n" +
			"• /hulp annuleer: trek je hulpvraag in\n" +
			"• /hulp wie: wie kan er nu helpen\n" +
			"• /hulp succes <verhaal> [#naam]: deel een succes voor de weekpost (met #naam erachter komt je naam erbij)\n" +
			"• /hulp agenda <onderwerp>: zet een onderwerp op de agenda van het kernteam (/hulp agenda: bekijk de agenda)\n" +
			"Voor hulpverleners:\n" +
			"• /hulp ok: ik kom eraan (net als de knop)\n" +
			"• /hulp kan niet: geef de hulpvraag door aan de volgende\n" +
			"• /hulp klaar [toelichting] [#kernteam]: sluit de hulpvraag af (#kernteam zet hem op de agenda van het kernteam)\n" +
			"• /hulp beschikbaar, /hulp bezet of /hulp afwezig [tot 13:30]: zet je status\n" +
			"Voor de IB'er en andere coördinatoren:\n" +
			"• /hulp overzicht: deze week tot nu toe (/hulp overzicht csv: de weekcijfers voor de stuurgroep)\n" +
			"Groepen: {groups}\n" +
			"Noem geen namen van kinderen.",
		"group.numbered": "groep {id}",
		"group.aliases":  "{id} ({aliases})",
		"or":             "of",

		// Roles.
		"role.jeugdhulpverlener":    "jeugdhulpverlener",
		"role.cjg-coach":            "CJG-coach",
		"role.gedragswetenschapper": "gedragswetenschapper",
		"role.orthopedagoog":        "orthopedagoog",
		"role.psycholoog":           "psycholoog",
		"role.brugfunctionaris":     "brugfunctionaris",
		"someone":                   "een hulpverlener",

		// Problems.
		"when_down":               "loop even binnen bij de IB'er of de directie",
		"err.too_long":            "Dat is te lang voor /hulp (hooguit {max} tekens). Houd het kort, en zonder namen.",
		"err.invalid_text":        "Je bericht bevat tekens die ik niet kan lezen, zoals stuurtekens. Typ het nog eens.",
		"err.unknown_command":     "Dat begrijp ik niet. Bedoel je /hulp {example}? Alles zien: /hulp help",
		"err.suggest":             "Dat begrijp ik niet. Bedoel je /hulp {word}?",
		"group.suggest":           "Bedoel je {choices}?",
		"group.suggest.button":    "Ja, {group}",
		"group.choose.button":     "{group}",
		"group.note_stays":        "Je toelichting gaat niet mee; vertel die ter plekke.",
		"err.unknown_group":       "Die groep ken ik niet. Groepen: {groups}. Typ bijvoorbeeld /hulp {example}.",
		"err.ambiguous_group":     "Welke groep bedoel je: {choices}?",
		"err.bad_time":            "Die tijd begrijp ik niet. Schrijf bijvoorbeeld /hulp bezet tot 13:30 of /hulp afwezig 30 min (een tijd van vandaag).",
		"err.time_passed":         "Die tijd is al voorbij. Schrijf een tijd van vandaag die nog moet komen, of laat de tijd weg.",
		"err.empty_story":         "Vertel je succes erbij: /hulp succes <verhaal>. Zonder namen.",
		"err.not_helper":          "Dit kan alleen iemand die bij {school} als hulpverlener is ingesteld.",
		"err.no_offer":            "Je hebt nu geen hulpvraag openstaan om aan te nemen of door te geven.",
		"err.already_accepted":    "Deze hulpvraag is al aangenomen.",
		"err.busy":                "Je bent al met een andere hulpvraag bezig. Sluit die eerst af met /hulp klaar.",
		"err.not_yours":           "Deze hulpvraag is aan iemand anders gevraagd.",
		"err.not_yours.cancel":    "Dit is niet jouw hulpvraag; alleen wie hem stelde kan hem intrekken.",
		"err.stale":               "Deze knop hoort bij een eerdere vraag: de hulpvraag is inmiddels verder gegaan.",
		"err.closed":              "Deze hulpvraag staat niet meer open: hij is afgesloten, ingetrokken of naar het kernteam gegaan.",
		"err.no_active.done":      "Je hebt geen aangenomen hulpvraag om af te sluiten.",
		"err.no_active.cancel":    "Je hebt geen lopende hulpvraag om in te trekken.",
		"err.unavailable.request": "hulpbot kan je vraag nu niet doorzetten — {when_down}.",
		"err.unavailable":         "hulpbot kan dit nu niet verwerken — {when_down}.",
		"err.not_coordinator":     "Het overzicht is alleen voor de IB'er en andere coördinatoren van {school}.",
		"err.not_found":           "Die hulpvraag bestaat niet (meer).",
		"err.unknown_school":      "Dit team is niet aan een school gekoppeld. Vraag de beheerder van hulpbot om het in te stellen.",
		"err.unknown_button":      "Deze knop ken ik niet.",
		"err.button_old":          "Deze knop is van voor een update van hulpbot en werkt niet meer; er is niets veranderd. Wil je een hulpvraag aannemen of doorgeven, typ dan /hulp ok of /hulp kan niet.",
		"err.button_not_yours":    "Deze knop is niet voor jou: hij hoort bij een bericht aan iemand anders. Er is niets veranderd.",
		"err.button_channel":      "Deze knop hoort bij een bericht in een ander kanaal. Er is niets veranderd.",
		"err.button_expired":      "Deze knop is verlopen: de tijd om hierop te reageren is voorbij. Er is niets veranderd.",
		"err.who":                 "hulpbot kan niet nagaan wie je bent; er is niets veranderd. Vraag de beheerder van hulpbot om het na te kijken.",
		"err.internal":            "Er ging iets mis. Probeer het zo nog eens.",

		// After a button press.
		"click.accepted":  "✅ {helper} komt eraan ({group}) — {time}",
		"click.declined":  "Je hebt de hulpvraag voor {group} doorgegeven.",
		"click.picked_up": "✅ {helper} pakt dit op ({group}) — {time}",

		// Notices.
		"notice.offer":                         "Kun je even helpen? Hulpvraag voor {group}, {time}.",
		"notice.from":                          "Gevraagd door {requester}.",
		"notice.note":                          "Toelichting: {note}",
		"notice.offer.deadline":                "Reageer vóór {deadline}, anders gaat de vraag naar de volgende.",
		"button.accept":                        "Ik kom eraan",
		"button.decline":                       "Kan nu niet",
		"button.pickup":                        "Ik pak dit op",
		"notice.accepted":                      "✅ {helper} komt eraan voor {group}.",
		"notice.moved_on":                      "Je hulpvraag voor {group} is nu doorgezet naar {helper} ({role}).",
		"notice.nobody":                        "Er is nu niemand beschikbaar voor je hulpvraag voor {group}. Ik heb het {channel}-kanaal ingeseind.",
		"notice.nobody.nochannel":              "Er is nu niemand beschikbaar voor je hulpvraag voor {group}: {when_down}.",
		"notice.escalated":                     "📣 Hulpvraag voor {group}, {time}: er is nu geen hulpverlener beschikbaar. Kan iemand van jullie helpen?",
		"notice.follow_up.offered":             "Je hulpvraag voor {group} van {time} is nog niet aangenomen. Hij ligt nu bij {helper}; je hoort het zodra er iemand komt.",
		"notice.follow_up.escalated":           "Je hulpvraag voor {group} van {time}: nog niemand gevonden; de {channel}-groep is ingeseind. Is het dringend? {when_down}.",
		"notice.offer_lapsed":                  "De hulpvraag voor {group} van {time} is doorgegeven aan de volgende, omdat er geen reactie kwam.",
		"notice.offer_lapsed.to":               "⏱ Geen reactie op tijd — de hulpvraag voor {group} van {time} is doorgegeven aan {helper}.",
		"notice.offer_lapsed.channel":          "⏱ Geen reactie op tijd — de hulpvraag voor {group} van {time} is doorgegeven aan de {channel}-groep.",
		"notice.follow_up.escalated.nochannel": "Je hulpvraag voor {group} van {time}: nog niemand gevonden. {when_down}.",
		"notice.passed_on_late":                "Je hulpvraag voor {group} van {time} is toch doorgezet, naar {helper} ({role}).",
		"notice.passed_on_late.nobody":         "Je hulpvraag voor {group} van {time} is toch doorgezet: er is nu niemand beschikbaar, de {channel}-groep is ingeseind.",
		"notice.passed_on_late.nochannel":      "Je hulpvraag voor {group} van {time} is toch doorgezet, maar er is nu niemand beschikbaar: {when_down}.",
		"notice.cancelled":                     "De hulpvraag voor {group} van {time} is ingetrokken. Je hoeft niet meer te komen.",
		"notice.cancelled.channel":             "De hulpvraag voor {group} van {time} is ingetrokken.",
		"notice.resolved":                      "{helper} heeft je hulpvraag voor {group} afgesloten.",
		"notice.other":                         "Er is iets veranderd aan de hulpvraag voor {group}.",
		"notice.escalated.note_by_dm":          "Wie dit oppakt, krijgt de toelichting in een privébericht.",
		"notice.picked_note":                   "Je hebt de hulpvraag voor {group} van {time} opgepakt. De toelichting, alleen voor jou:",

		// The year overview in the browser (adapters/yearpage) and its link.
		"year.title":                  "Jaaroverzicht {name}",
		"year.school_year":            "Schooljaar {year}",
		"year.intro":                  "Wat er gevraagd werd, welke hulp er kwam, wat het opleverde en hoe gesteund het team zich voelt. Alleen aantallen: geen namen, geen toelichtingen.",
		"year.intro.swv":              "Alle scholen van {name} samen, en per school.",
		"year.other_years":            "Ander schooljaar:",
		"year.download":               "Download als CSV (Excel)",
		"year.print":                  "Afdrukken of bewaren als pdf: kies Afdrukken in je browser.",
		"year.generated":              "Gemaakt op {date}.",
		"year.key":                    "Kerncijfers",
		"year.requests":               "Hulpvragen",
		"year.consults":               "Meedenkvragen",
		"year.in_time":                "Geholpen binnen de aanbodtijd",
		"year.median_wait":            "Tijd tot er iemand kwam (mediaan)",
		"year.escalated":              "Doorgezet naar het kanaal",
		"year.no_cover":               "Niemand ingeroosterd",
		"year.resolved":               "Afgesloten",
		"year.stories":                "Succesverhalen gedeeld",
		"year.minutes":                "{n} min",
		"year.seconds":                "{n} sec",
		"year.per_month":              "Hulpvragen per maand",
		"year.by_group":               "Hulpvragen per groep",
		"year.by_daypart":             "Hulpvragen per dagdeel",
		"year.wait_month":             "Tijd tot er iemand kwam, per maand (mediaan)",
		"year.in_time_month":          "Geholpen binnen de aanbodtijd, per maand",
		"year.support":                "Soort begeleiding",
		"year.outcome":                "Wat het opleverde",
		"year.pulse":                  "Hielp het? (antwoorden van wie om hulp vroeg)",
		"year.pulse.up":               "Ja",
		"year.pulse.down":             "Nee",
		"year.pulse.self":             "Dit kan ik de volgende keer zelf",
		"year.surveys":                "Hoe gesteund voelt het team zich",
		"year.survey.too_few":         "te weinig antwoorden",
		"year.survey.scale":           "Gemiddelde op een schaal van 1 (helemaal niet) tot 5 (helemaal); bij minder dan {min} antwoorden tonen we geen gemiddelde.",
		"year.survey.answers":         "{n} antwoorden",
		"year.survey.none":            "Nog geen antwoorden op de vragenlijsten.",
		"year.survey.pulse":           "Maandelijkse peiling",
		"year.survey.collab.staff":    "Samenwerking, team",
		"year.survey.collab.helpers":  "Samenwerking, hulpverleners",
		"year.period":                 "Periode",
		"year.question":               "Vraag",
		"year.average":                "Gemiddelde",
		"year.compare":                "Vergelijking met vorig schooljaar",
		"year.compare.month":          "Hulpvragen per maand, dit en vorig schooljaar",
		"year.schools":                "Per school",
		"year.total":                  "Totaal",
		"year.month":                  "Maand",
		"year.what":                   "Wat",
		"year.count":                  "Aantal",
		"year.nothing":                "Nog geen gegevens in dit schooljaar.",
		"year.none":                   "geen",
		"year.open":                   "Je wordt doorgestuurd naar het overzicht.",
		"year.open.link":              "Open het overzicht",
		"year.err.title":              "Geen toegang",
		"year.err.expired":            "Deze link is verlopen. Typ in de chat /hulp overzicht web voor een nieuwe link.",
		"year.err.altered":            "Deze link klopt niet: hij is veranderd of onvolledig. Typ in de chat /hulp overzicht web voor een nieuwe link.",
		"year.err.no_session":         "Open het jaaroverzicht met je persoonlijke link: typ in de chat /hulp overzicht web.",
		"year.err.not_allowed":        "Je hebt geen toegang tot dit overzicht. Coördinatoren van een school zien alleen hun eigen school.",
		"year.err.not_found":          "Deze pagina bestaat niet.",
		"year.err.unavailable":        "Het overzicht kan nu niet worden gemaakt. Probeer het zo nog eens.",
		"year.err.bad_year":           "Van dat schooljaar zijn geen cijfers.",
		"year.link.dm":                "Je persoonlijke link naar het jaaroverzicht van {name} (geldig tot {time}, niet doorsturen):\n{url}",
		"year.link.sent":              "Ik heb je een persoonlijke link naar het jaaroverzicht gestuurd (privébericht). Hij is {minutes} minuten geldig.",
		"year.link.off":               "Het jaaroverzicht in de browser is niet ingesteld.",
		"year.link.failed":            "De link kon nu niet worden verstuurd. Probeer het zo nog eens.",
		"year.csv.school":             "school",
		"year.csv.month":              "maand",
		"year.csv.requests":           "hulpvragen",
		"year.csv.consults":           "meedenkvragen",
		"year.csv.accepted":           "geaccepteerd",
		"year.csv.in_time":            "binnen aanbodtijd",
		"year.csv.in_time_pct":        "binnen aanbodtijd (%)",
		"year.csv.median_wait":        "mediaan wachttijd (min)",
		"year.csv.escalated":          "doorgezet naar kanaal",
		"year.csv.cancelled":          "ingetrokken",
		"year.csv.resolved":           "afgesloten",
		"year.csv.no_cover":           "niemand ingeroosterd",
		"year.csv.stories":            "succesverhalen",
		"year.csv.pulse_up":           "hielp: ja",
		"year.csv.pulse_down":         "hielp: nee",
		"year.csv.pulse_self":         "kan ik zelf",
		"year.csv.group":              "groep {group}",
		"year.csv.daypart":            "dagdeel {part}",
		"year.csv.support":            "begeleiding: {kind}",
		"year.csv.outcome":            "uitkomst: {kind}",
		"year.csv.total":              "totaal",
		"year.csv.survey":             "vragenlijst",
		"year.csv.period":             "periode",
		"year.csv.question":           "vraag",
		"year.csv.answers":            "antwoorden",
		"year.csv.mean":               "gemiddelde (1-5)",
		"year.csv.legend":             "toelichting",
		"year.csv.legend.month":       "kalendermaand (JJJJ-MM); het schooljaar loopt van 1 augustus tot en met 31 juli",
		"year.csv.legend.requests":    "hulpvragen met /hulp groep …",
		"year.csv.legend.consults":    "rustige meedenkvragen zonder aanbodtijd",
		"year.csv.legend.accepted":    "hulpvragen waar iemand op kwam",
		"year.csv.legend.in_time":     "waarvan de hulpverlener binnen de tijd van het eerste aanbod \"Ik kom eraan\" zei",
		"year.csv.legend.median_wait": "mediaan van de tijd tussen de hulpvraag en \"Ik kom eraan\", in minuten",
		"year.csv.legend.escalated":   "hulpvragen die naar het kanaal van de school gingen omdat niemand kon",
		"year.csv.legend.no_cover":    "hulpvragen op een moment dat niemand was ingeroosterd",
		"year.csv.legend.pulse":       "antwoorden op \"Hielp het?\" na het afsluiten",
		"year.csv.legend.columns":     "groep …, dagdeel …, begeleiding: …, uitkomst: … tellen hulpvragen of afsluitingen per soort",
		"year.csv.legend.survey":      "vragenlijsten: aantal antwoorden en gemiddelde; onder {min} antwoorden geen gemiddelde (te weinig antwoorden)",
	},
	LangEN: {
		"request.offered":             "Your request for help for {group} has gone to {helper} ({role}).",
		"request.offered.next":        "You'll hear as soon as someone is on the way. Not needed after all? Type /hulp cancel.",
		"request.escalated":           "Nobody is available for {group} right now. I've alerted the {channel} channel.",
		"request.escalated.nochannel": "Nobody is available for {group} right now, and no channel is set up to pass your request on to: {when_down}.",
		"request.received":            "Your request for help for {group} has been received.",
		"note.shortened":              "Your note was too long and has been cut to {max} characters.",
		"note.names":                  "Tip: please don't use children's names in chat. Share them in person.",

		"accept.ok":  "Noted: you're on your way to {group}. The person who asked will be told.",
		"decline.ok": "You've passed on the request for {group}.",
		"done.ok":    "Thank you! The request for {group} is closed.",
		"cancel.ok":  "Your request for help for {group} has been withdrawn.",

		"status.available":  "You're available.",
		"status.busy.until": "You're busy until {time}.",
		"status.busy.day":   "You're busy until the end of the day.",
		"status.busy.date":  "You're busy until {day}.",
		"status.away.until": "You're away until {time}.",
		"status.away.day":   "You're away until the end of the day.",
		"status.away.date":  "You're away until {day}.",
		"status.back":       "Type /hulp available when you're free again.",

		"who.title":                 "Helpers at {school}:",
		"who.line":                  "• {name} ({role}): {status}",
		"who.none":                  "No helpers have been set up for {school} yet.",
		"who.nobody_free":           "Nobody is free right now: a request would go to the {channel} channel.",
		"who.nobody_free.nochannel": "Nobody is free right now.",
		"who.available":             "available",
		"who.busy":                  "busy",
		"who.busy.until":            "busy until {time}",
		"who.away":                  "away",
		"who.away.until":            "away until {time}",
		"who.busy.date":             "busy until {day}",
		"who.away.date":             "away until {day}",
		"day.tomorrow":              "tomorrow",
		"weekdays.long":             "Sunday,Monday,Tuesday,Wednesday,Thursday,Friday,Saturday",
		"who.off_duty":              "not on duty",
		"who.engaged":               "helping with a request",

		"story.ok":      "Thank you! Your success goes into the weekly post, without your name.",
		"summary.later": "This week's overview comes with the weekly digest for coordinators. hulpbot cannot make an overview on request yet.",
		"summary.csv":   "The CSV export for the steering group comes later too.",

		"story.ok.signed":    "Thank you! Your success goes into the weekly post, with your name ({name}).",
		"story.sign_tip":     "Want your name with it? End your story with #name.",
		"summary.csv.title":  "Weekly figures of the last {weeks} weeks (CSV, no names):",
		"summary.chart":      "Chart for the overview of week {week}.",
		"summary.chart_sent": "The chart is in your direct messages.",
		"button.kernteam":    "📌 Discuss in kernteam",
		"agenda.marked":      "📌 On the kernteam's agenda.",
		"agenda.already":     "📌 Already on the kernteam's agenda.",
		"agenda.failed":      "Putting it on the kernteam's agenda didn't work just now. Please try the button again in a moment.",
		"pulse.question":     "Did it help?",
		"button.pulse_up":    "👍",
		"button.pulse_down":  "👎",
		"button.pulse_self":  "I can do this myself next time",
		"pulse.thanks":       "Did it help? {answer} — thank you for answering!",
		"pulse.already":      "You've answered this already. Thank you!",
		"pulse.not_yours":    "This question is for the person who asked for help.",

		// The question at closing (closing.go): counts only, no names.
		"closing.support.ask":            "What kind of help did you give? One tap; only the count is kept, without names.",
		"closing.outcome.ask":            "{support}. And what came of it?",
		"closing.thanks":                 "Thank you, noted: {outcome}.",
		"closing.skipped":                "Okay, skipped.",
		"closing.already":                "This was noted already; nothing more is counted.",
		"closing.unknown":                "This choice does not exist (any more). Nothing was counted.",
		"button.closing_skip":            "Skip",
		"closing.support.gesprek":        "Short talk",
		"closing.support.wandeling":      "A moment outside / a walk",
		"closing.support.meegedraaid":    "Joined in the class",
		"closing.support.tips":           "Tips for the teacher",
		"closing.support.rustruimte":     "Quiet room",
		"closing.support.ouders":         "Contact with parents",
		"closing.support.vervolg":        "Follow-up needed",
		"closing.outcome.in_groep":       "Could stay in the group",
		"closing.outcome.uit_groep":      "Out of the group for a while",
		"closing.outcome.vervolg_ouders": "Follow-up: parents",
		"closing.outcome.vervolg_cjg":    "Follow-up: CJG",
		"closing.outcome.vervolg_extern": "Follow-up: external help",
		"closing.outcome.vervolg_so":     "Follow-up: special education",

		"reminder.title":                 "🗓️ Kernteam {school}: the meeting is {meeting}.",
		"reminder.title.nomeeting":       "🗓️ Kernteam {school}: time to prepare the meeting.",
		"reminder.agenda":                "Agenda from week {week} ({dates}):",
		"reminder.requests":              "• Requests for help: {count}, most often {groups}",
		"reminder.requests.none":         "• No requests for help.",
		"reminder.group":                 "{group} ({count})",
		"reminder.escalated":             "• Ended up in the {channel} channel: {count}",
		"reminder.requests.compare":      "• Requests for help: {count} (week before {previous}), most often {groups}",
		"reminder.requests.none.compare": "• No requests for help (week before {previous}).",
		"reminder.themes":                "• Topics:",
		"reminder.items":                 "• To discuss (marked after a request):",
		"reminder.item":                  "   – {group}, {when} ({helper})",
		"reminder.item.nohelper":         "   – {group}, {when}",
		"reminder.footer":                "Something for the agenda? /hulp agenda <topic>. Discussed? /hulp agenda done <number>.",
		"agenda.theme":                   "   {no}. {text}",
		"agenda.theme.consult":           "   {no}. Consult for {group} from {when}: not answered yet",
		"agenda.added":                   "📌 On the kernteam's agenda, as item {no}.",
		"agenda.list":                    "🗓️ The kernteam's agenda:",
		"agenda.list.empty":              "The kernteam's agenda is empty. Add something with /hulp agenda <topic>.",
		"agenda.list.footer":             "Discussed? /hulp agenda done <number>.",
		"agenda.closed":                  "✔️ Item {no} is off the agenda.",
		"err.agenda.names":               "I won't put this on the agenda: it seems to contain a name or something medical. Describe the topic without names.",
		"err.agenda.no_theme":            "There is no item {no} on the agenda. Type /hulp agenda to see it.",
		"err.not_kernteam":               "Taking items off the agenda is for the IB'er or a helper of {school}.",
		"err.no_active.done.picker":      "You haven't picked up a request from the channel that is still open.",

		"successes.title":       "Successes this week 🎉",
		"successes.item":        "• {story}",
		"successes.item.signed": "• {story} — {name}",
		"successes.footer":      "Share yours with /hulp success <story>. Without children's names.",

		"digest.title":            "📊 Weekly overview {school}, week {week} ({dates})",
		"digest.title.so_far":     "📊 Overview {school}, week {week} so far ({dates})",
		"digest.requests":         "Requests for help: {count}",
		"digest.requests.compare": "Requests for help: {count} (previous {weeks} school weeks: {average} on average)",
		"digest.count":            "{what}: {count}",
		"digest.by_group":         "By group: {list}",
		"digest.by_daypart":       "By part of the day: {list}",
		"digest.wait":             "Wait until \"I'm on my way\": median {median}, p90 {p90}",
		"digest.wait.compare":     "(previous weeks: median {median})",
		"digest.wait.none":        "No request accepted yet.",
		"digest.accepted":         "Accepted: {count}; by the first helper {first}, after moving on {moved}, taken in the {channel} channel {picked}",
		"digest.outcomes":         "Ended up in the {channel} channel: {escalated} · withdrawn: {cancelled} · asked while nobody was on duty: {no_cover}",
		"digest.pulse":            "Did it help? 👍 {up} · 👎 {down} · can do it myself next time: {self}",
		"digest.pulse.none":       "Did it help? No answers yet.",
		"digest.stories":          "Successes shared: {count}",
		"chart.requests":          "Requests for help by part of the day",
		"chart.wait":              "Wait until accepted (minutes)",
		"chart.median":            "median",
		"chart.p90":               "p90",
		"chart.week":              "wk {week}",
		"dates.range":             "{from} to {to}",
		"months":                  "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
		"weekdays":                "Sun,Mon,Tue,Wed,Thu,Fri,Sat",
		"daypart.outside":         "outside school hours",

		"usage": "How to use /hulp:\n" +
			"• /hulp group 5 [note]: ask for help for a group (also /hulp 5, /hulp 1-2, /hulp kleuters)\n" +
			"• /hulp cancel: withdraw your request\n" +
			"• /hulp who: who can help right now\n" +
			"• /hulp success <story> [#name]: share a success for the weekly post (#name at the end signs it)\n" +
			"• /hulp agenda <topic>: put a topic on the kernteam's agenda (/hulp agenda: see the agenda)\n" +
			"For helpers:\n" +
			"• /hulp accept: I'm on my way (same as the button)\n" +
			"• /hulp decline: pass the request on to the next helper\n" +
			"• /hulp done [note] [#kernteam]: close the request (#kernteam puts it on the kernteam's agenda)\n" +
			"• /hulp available, /hulp busy or /hulp away [until 13:30]: set your status\n" +
			"For the IB'er and other coordinators:\n" +
			"• /hulp summary: this week so far (/hulp summary csv: the weekly figures for the steering group)\n" +
			"Groups: {groups}\n" +
			"Please don't use children's names.",
		"group.numbered": "group {id}",
		"group.aliases":  "{id} ({aliases})",
		"or":             "or",

		"role.jeugdhulpverlener":    "youth care worker",
		"role.cjg-coach":            "CJG coach",
		"role.gedragswetenschapper": "behavioural scientist",
		"role.orthopedagoog":        "remedial educationalist",
		"role.psycholoog":           "psychologist",
		"role.brugfunctionaris":     "bridge worker",
		"someone":                   "a helper",

		"when_down":               "please walk over to the IB'er or the school office",
		"err.too_long":            "That is too long for /hulp (at most {max} characters). Keep it short, and without names.",
		"err.invalid_text":        "Your message contains characters I can't read, such as control characters. Please type it again.",
		"err.unknown_command":     "I don't understand that. Did you mean /hulp {example}? To see everything: /hulp help",
		"err.suggest":             "I don't understand that. Did you mean /hulp {word}?",
		"group.suggest":           "Did you mean {choices}?",
		"group.suggest.button":    "Yes, {group}",
		"group.choose.button":     "{group}",
		"group.note_stays":        "Your note won't go with it; share it in person.",
		"err.unknown_group":       "I don't know that group. Groups: {groups}. For example, type /hulp {example}.",
		"err.ambiguous_group":     "Which group do you mean: {choices}?",
		"err.bad_time":            "I don't understand that time. Write for example /hulp busy until 13:30 or /hulp away 30 min (a time today).",
		"err.time_passed":         "That time has already passed. Give a time later today, or leave the time out.",
		"err.empty_story":         "Tell your success too: /hulp success <story>. Without names.",
		"err.not_helper":          "Only someone set up as a helper at {school} can do this.",
		"err.no_offer":            "You have no open request to accept or pass on.",
		"err.already_accepted":    "This request has already been accepted.",
		"err.busy":                "You're already working on another request. Close it first with /hulp klaar.",
		"err.not_yours":           "This request was offered to someone else.",
		"err.not_yours.cancel":    "This is not your request; only the person who asked can withdraw it.",
		"err.stale":               "This button belongs to an earlier offer: the request has moved on.",
		"err.closed":              "This request is no longer open: it was closed, withdrawn or passed to the kernteam.",
		"err.no_active.done":      "You have no accepted request to close.",
		"err.no_active.cancel":    "You have no open request to withdraw.",
		"err.unavailable.request": "hulpbot can't pass on your request right now — {when_down}.",
		"err.unavailable":         "hulpbot can't handle this right now — {when_down}.",
		"err.not_coordinator":     "The overview is only for the IB'er and other coordinators of {school}.",
		"err.not_found":           "That request does not exist (any more).",
		"err.unknown_school":      "This team is not linked to a school. Ask whoever runs hulpbot to set it up.",
		"err.unknown_button":      "I don't know this button.",
		"err.button_old":          "This button dates from before an update of hulpbot and no longer works; nothing has changed. To accept or pass on a request, type /hulp ok or /hulp kan niet.",
		"err.button_not_yours":    "This button is not for you: it belongs to a message sent to someone else. Nothing has changed.",
		"err.button_channel":      "This button belongs to a message in another channel. Nothing has changed.",
		"err.button_expired":      "This button has expired: the time to answer it is over. Nothing has changed.",
		"err.who":                 "hulpbot cannot tell who you are; nothing has changed. Ask whoever runs hulpbot to look into it.",
		"err.internal":            "Something went wrong. Please try again in a moment.",

		"click.accepted":  "✅ {helper} is on the way ({group}) — {time}",
		"click.declined":  "You've passed on the request for {group}.",
		"click.picked_up": "✅ {helper} is taking this ({group}) — {time}",

		"notice.offer":                         "Can you help? Request for help for {group}, {time}.",
		"notice.from":                          "Asked by {requester}.",
		"notice.note":                          "Note: {note}",
		"notice.offer.deadline":                "Please answer before {deadline}, or the request goes to the next helper.",
		"button.accept":                        "I'm on my way",
		"button.decline":                       "Can't right now",
		"button.pickup":                        "I'll take this",
		"notice.accepted":                      "✅ {helper} is on the way to {group}.",
		"notice.moved_on":                      "Your request for help for {group} has now gone to {helper} ({role}).",
		"notice.nobody":                        "Nobody is available for your request for {group} right now. I've alerted the {channel} channel.",
		"notice.nobody.nochannel":              "Nobody is available for your request for {group} right now: {when_down}.",
		"notice.escalated":                     "📣 Request for help for {group}, {time}: no helper is available right now. Can one of you help?",
		"notice.follow_up.offered":             "Your request for {group} from {time} hasn't been accepted yet. It is with {helper} now; you'll hear as soon as someone is coming.",
		"notice.follow_up.escalated":           "Your request for {group} from {time}: nobody found yet; the {channel} group has been alerted. Urgent? {when_down}.",
		"notice.offer_lapsed":                  "The request for {group} from {time} has gone to the next helper, as there was no answer.",
		"notice.offer_lapsed.to":               "⏱ No answer in time — the request for {group} from {time} has gone to {helper}.",
		"notice.offer_lapsed.channel":          "⏱ No answer in time — the request for {group} from {time} has gone to the {channel} group.",
		"notice.follow_up.escalated.nochannel": "Your request for {group} from {time}: nobody found yet. {when_down}.",
		"notice.passed_on_late":                "Your request for {group} from {time} did go through after all, to {helper} ({role}).",
		"notice.passed_on_late.nobody":         "Your request for {group} from {time} did go through after all: nobody is available right now, and the {channel} group has been alerted.",
		"notice.passed_on_late.nochannel":      "Your request for {group} from {time} did go through after all, but nobody is available right now: {when_down}.",
		"notice.cancelled":                     "The request for {group} from {time} has been withdrawn. You don't need to come any more.",
		"notice.cancelled.channel":             "The request for {group} from {time} has been withdrawn.",
		"notice.resolved":                      "{helper} has closed your request for {group}.",
		"notice.other":                         "Something changed in the request for {group}.",
		"notice.escalated.note_by_dm":          "Whoever takes this gets the note in a direct message.",
		"notice.picked_note":                   "You took the request for {group} from {time}. The note, for you only:",

		// The year overview in the browser (adapters/yearpage) and its link.
		"year.title":                  "Year overview {name}",
		"year.school_year":            "School year {year}",
		"year.intro":                  "What was asked, what help was given, what it changed and how supported the staff feel. Counts only: no names, no notes.",
		"year.intro.swv":              "All schools of {name} together, and per school.",
		"year.other_years":            "Other school year:",
		"year.download":               "Download as CSV (Excel)",
		"year.print":                  "To print or save as PDF: choose Print in your browser.",
		"year.generated":              "Made on {date}.",
		"year.key":                    "Key figures",
		"year.requests":               "Requests for help",
		"year.consults":               "Consultation questions",
		"year.in_time":                "Helped within the offer time",
		"year.median_wait":            "Time until someone came (median)",
		"year.escalated":              "Passed on to the channel",
		"year.no_cover":               "Nobody on duty",
		"year.resolved":               "Closed",
		"year.stories":                "Success stories shared",
		"year.minutes":                "{n} min",
		"year.seconds":                "{n} sec",
		"year.per_month":              "Requests per month",
		"year.by_group":               "Requests by group",
		"year.by_daypart":             "Requests by day part",
		"year.wait_month":             "Time until someone came, per month (median)",
		"year.in_time_month":          "Helped within the offer time, per month",
		"year.support":                "Kind of support",
		"year.outcome":                "What it changed",
		"year.pulse":                  "Did it help? (answers of those who asked)",
		"year.pulse.up":               "Yes",
		"year.pulse.down":             "No",
		"year.pulse.self":             "I can do this myself next time",
		"year.surveys":                "How supported the staff feel",
		"year.survey.too_few":         "too few answers",
		"year.survey.scale":           "Average on a scale of 1 (not at all) to 5 (completely); with fewer than {min} answers no average is shown.",
		"year.survey.answers":         "{n} answers",
		"year.survey.none":            "No survey answers yet.",
		"year.survey.pulse":           "Monthly pulse",
		"year.survey.collab.staff":    "Collaboration, staff",
		"year.survey.collab.helpers":  "Collaboration, helpers",
		"year.period":                 "Period",
		"year.question":               "Question",
		"year.average":                "Average",
		"year.compare":                "Compared with the previous school year",
		"year.compare.month":          "Requests per month, this and the previous school year",
		"year.schools":                "Per school",
		"year.total":                  "Total",
		"year.month":                  "Month",
		"year.what":                   "What",
		"year.count":                  "Count",
		"year.nothing":                "No figures in this school year yet.",
		"year.none":                   "none",
		"year.open":                   "Taking you to the overview.",
		"year.open.link":              "Open the overview",
		"year.err.title":              "No access",
		"year.err.expired":            "This link has expired. Type /hulp overzicht web in the chat for a new link.",
		"year.err.altered":            "This link is not valid: it was changed or cut short. Type /hulp overzicht web in the chat for a new link.",
		"year.err.no_session":         "Open the year overview with your personal link: type /hulp overzicht web in the chat.",
		"year.err.not_allowed":        "You have no access to this overview. A school's coordinators see their own school only.",
		"year.err.not_found":          "This page does not exist.",
		"year.err.unavailable":        "The overview cannot be made right now. Try again in a moment.",
		"year.err.bad_year":           "There are no figures for that school year.",
		"year.link.dm":                "Your personal link to the year overview of {name} (valid until {time}, do not forward):\n{url}",
		"year.link.sent":              "I've sent you a personal link to the year overview (direct message). It is valid for {minutes} minutes.",
		"year.link.off":               "The year overview in the browser is not set up.",
		"year.link.failed":            "The link could not be sent right now. Try again in a moment.",
		"year.csv.school":             "school",
		"year.csv.month":              "month",
		"year.csv.requests":           "requests",
		"year.csv.consults":           "consultations",
		"year.csv.accepted":           "accepted",
		"year.csv.in_time":            "within offer time",
		"year.csv.in_time_pct":        "within offer time (%)",
		"year.csv.median_wait":        "median wait (min)",
		"year.csv.escalated":          "passed to channel",
		"year.csv.cancelled":          "withdrawn",
		"year.csv.resolved":           "closed",
		"year.csv.no_cover":           "nobody on duty",
		"year.csv.stories":            "success stories",
		"year.csv.pulse_up":           "helped: yes",
		"year.csv.pulse_down":         "helped: no",
		"year.csv.pulse_self":         "can do it myself",
		"year.csv.group":              "group {group}",
		"year.csv.daypart":            "day part {part}",
		"year.csv.support":            "support: {kind}",
		"year.csv.outcome":            "outcome: {kind}",
		"year.csv.total":              "total",
		"year.csv.survey":             "survey",
		"year.csv.period":             "period",
		"year.csv.question":           "question",
		"year.csv.answers":            "answers",
		"year.csv.mean":               "average (1-5)",
		"year.csv.legend":             "legend",
		"year.csv.legend.month":       "calendar month (YYYY-MM); the school year runs from 1 August to 31 July",
		"year.csv.legend.requests":    "requests for help with /hulp groep …",
		"year.csv.legend.consults":    "calm consultation questions without an offer time",
		"year.csv.legend.accepted":    "requests someone came to",
		"year.csv.legend.in_time":     "of which the helper said \"I'm coming\" within the first offer's time",
		"year.csv.legend.median_wait": "median of the time between the request and \"I'm coming\", in minutes",
		"year.csv.legend.escalated":   "requests passed to the school's channel because nobody could come",
		"year.csv.legend.no_cover":    "requests at a time nobody was on duty",
		"year.csv.legend.pulse":       "answers to \"Did it help?\" after closing",
		"year.csv.legend.columns":     "group …, day part …, support: …, outcome: … count requests or closings per kind",
		"year.csv.legend.survey":      "surveys: number of answers and average; below {min} answers no average (too few answers)",
	},
}

// Text returns the catalogue text for key in lang (Dutch when lang is not
// one hulpbot speaks), with each {name} replaced by the value that follows
// name in vars: Text("nl", "who.title", "school", "De Vaart"). Values are
// inserted once, never scanned for placeholders themselves. A key missing
// from the catalogue comes back as the key, so a mistake shows instead of
// an empty message.
func Text(lang, key string, vars ...string) string {
	m, ok := texts[lang]
	if !ok {
		m = texts[LangNL]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(vars) < 2 || !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		name, val, ok := s[open+1:open+end], "", false
		for i := 0; i+1 < len(vars); i += 2 {
			if vars[i] == name {
				val, ok = vars[i+1], true
				break
			}
		}
		b.WriteString(s[:open])
		if ok {
			b.WriteString(val)
		} else {
			b.WriteString(s[open : open+end+1])
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Lang is the language a school speaks (bot.School.Language): its own when
// hulpbot knows it, else Dutch.
func Lang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if _, ok := texts[l]; ok {
		return l
	}
	return LangNL
}

var placeholderRe = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholders lists the {names} a catalogue text uses.
func placeholders(s string) []string { return placeholderRe.FindAllString(s, -1) }
