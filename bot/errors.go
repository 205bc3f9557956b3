package bot

import "errors"

// Sentinel errors that callers branch on with errors.Is. The edge (handlers,
// HTTP adapters) maps each to one message or status.
var (
	// ErrNotFound: no such request, or it has expired.
	ErrNotFound = errors.New("not found")
	// ErrUnknownSchool: the team or workspace is not linked to a school.
	ErrUnknownSchool = errors.New("unknown school")
	// ErrUnknownGroup: the group is not one of the school's groups.
	ErrUnknownGroup = errors.New("unknown group")
	// ErrAlreadyAccepted: someone (maybe the caller) already accepted it.
	ErrAlreadyAccepted = errors.New("request already accepted")
	// ErrNotYours: the offer or request belongs to someone else.
	ErrNotYours = errors.New("not yours")
	// ErrStale: the button is from an earlier offer of this request.
	ErrStale = errors.New("offer no longer current")
	// ErrClosed: the request was resolved, cancelled or escalated meanwhile.
	ErrClosed = errors.New("request no longer open")
	// ErrNoOffer: the helper has no open offer to accept or decline.
	ErrNoOffer = errors.New("no open offer")
	// ErrNoActiveRequest: nothing to resolve or cancel.
	ErrNoActiveRequest = errors.New("no active request")
	// ErrNotHelper: the command is for configured helpers only.
	ErrNotHelper = errors.New("not a helper of this school")
	// ErrNotCoordinator: the command is for configured coordinators only.
	ErrNotCoordinator = errors.New("not a coordinator of this school")
	// ErrUnavailable: the store cannot be reached; nothing was written.
	ErrUnavailable = errors.New("store unavailable")
	// ErrDuplicate: what is asked for exists already (a retried delivery).
	// RequestHelp does not return it: a repeated request for help is
	// answered with the request as stored.
	ErrDuplicate = errors.New("duplicate request")
	// ErrBusy: the helper works on another request already.
	ErrBusy = errors.New("helper busy with another request")
	// ErrNotKernteam: the command is for the kernteam's members — the
	// school's helpers and coordinators — only.
	ErrNotKernteam = errors.New("not a member of the kernteam")
	// ErrEmpty: a text that must say something (an agenda theme, a
	// question) says nothing.
	ErrEmpty = errors.New("empty text")
	// ErrNotHeld: a held request was let go already (sent, or withdrawn):
	// a second press, or the press after the hold's deadline.
	ErrNotHeld = errors.New("request no longer held")
	// ErrNoConsultHelper: the school has no helper of a role that takes
	// consults.
	ErrNoConsultHelper = errors.New("no helper takes consults")
)
