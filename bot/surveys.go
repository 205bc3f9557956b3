package bot

// The surveys: a monthly pulse to staff who asked for help that month, and
// each quarter a survey of the collaboration in both directions. Answers
// are 1 … 5 and kept as counts per school, survey, period and question:
// who answered is kept only to let each person answer once per period.
const (
	SurveyPulse         = "pulse"          // monthly, to staff who asked for help
	SurveyCollabStaff   = "collab.staff"   // quarterly, staff about the youth care they work with
	SurveyCollabHelpers = "collab.helpers" // quarterly, helpers about the school
)

// Surveys lists the surveys in the order reports show them.
var Surveys = []string{SurveyPulse, SurveyCollabStaff, SurveyCollabHelpers}

// SurveyQuestions are the question keys of each survey, in order; their
// words are in the catalogue.
func SurveyQuestions(survey string) []string {
	switch survey {
	case SurveyPulse:
		return []string{"supported", "confident"}
	case SurveyCollabStaff:
		return []string{"reachable", "helpful"}
	case SurveyCollabHelpers:
		return []string{"welcome", "agreements"}
	}
	return nil
}

// Monthly reports whether survey's period is a month ("2026-09"); the
// others' is a quarter ("2026-Q4").
func Monthly(survey string) bool { return survey == SurveyPulse }
