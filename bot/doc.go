// Package bot is the domain of hulpbot: schools and their groups, helpers
// with roles and schedules, their availability, a request for help
// (hulpvraag) and its life cycle, the routing policy that picks who is asked,
// and the use cases that teachers, helpers and coordinators trigger.
//
// It knows nothing of Slack, Mattermost, Redis or the terminal. A Platform is
// a name each chat adapter declares for itself; a person's accounts and a
// school's teams are data the configuration fills and the adapters read, so
// another platform adds an adapter, not a field here. What it needs from the
// outside world it asks through the small ports in ports.go: a Store that
// makes every state change of a request atomic, and a Notifier that tells
// people what happened. Time is always a parameter (now), so every decision is
// a pure function that tests can drive across weekdays, day parts and DST.
//
// The story of one request:
//
//	teacher: /hulp groep 5      → RequestHelp: created and offered to the best
//	                              available helper in one atomic step
//	helper:  Ik kom eraan       → Accept: the teacher hears "Anne komt eraan"
//	helper:  Kan nu niet        → Decline: offered to the next helper, or
//	                              escalated to the school's fallback channel
//	helper:  /hulp klaar        → Resolve: the helper is free again
package bot
