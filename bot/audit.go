package bot

import "time"

// AuditEntry records one look at what a school's people did: who viewed an
// overview or exported its figures, when, for which school. The school
// keeps it for its privacy officer; it is kept for its own retention
// (privacy.audit_retention).
type AuditEntry struct {
	At     time.Time
	Who    Address     // the accountable person: a coordinator, a samenwerkingsverband's reader
	Action AuditAction // what they looked at
	Detail string      // which part: a week, a school year
}

// AuditAction is what an AuditEntry records.
type AuditAction string

// What an audit entry records.
const (
	AuditOverview    AuditAction = "overview"     // /hulp overzicht: this week so far
	AuditOverviewCSV AuditAction = "overview_csv" // /hulp overzicht csv: the last weeks' figures
	AuditYearPage    AuditAction = "year_page"    // the year overview web page
	AuditYearCSV     AuditAction = "year_csv"     // the year overview's CSV download
)
