package bot

import "time"

// Status is a helper's own availability.
type Status string

// Statuses a helper can set: beschikbaar, bezet, afwezig.
const (
	Available Status = "available"
	Busy      Status = "busy"
	Away      Status = "away"
)

// Availability is a status with the moment it lapses. A status other than
// Available always has an end (a time given with "tot", or the end of the
// day), so nobody is forgotten as "bezet".
type Availability struct {
	Status Status
	Until  time.Time
}

// At is the status in force at now: a lapsed status is Available again.
func (a Availability) At(now time.Time) Status {
	if a.Status == "" || a.Status == Available {
		return Available
	}
	if !a.Until.IsZero() && !now.Before(a.Until) {
		return Available
	}
	return a.Status
}

// HelperState is what the store knows of a helper right now.
type HelperState struct {
	Availability
	// Engaged is the request the helper holds an offer for or works on.
	Engaged string
	// LastAssigned is when the helper was last offered a request; routing
	// prefers whoever waited longest.
	LastAssigned time.Time
}
