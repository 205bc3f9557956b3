package bot

// Masked is how a log line names a person — a helper's id (a slug of the
// name unless configured otherwise), a handle, a platform's user id — or
// repeats an id from a request that was refused. It is never written as it
// is: the program's logger writes a pseudonym in its place (a keyed hash,
// the same in every process of a deployment, so the lines about one person
// can be followed); a logger that knows no key writes "-". Log a person in
// no other way, and never a name, a note or a message's text.
type Masked struct{ s string }

// Mask marks s for a log line.
func Mask(s string) Masked { return Masked{s} }

// Unmasked is what was masked: for the logger that puts a pseudonym in
// its place, nothing else.
func (m Masked) Unmasked() string { return m.s }

// MarshalText writes "-": what any logger shows that does not replace
// Masked values (slog's text and JSON handlers use it), so an unwired
// logger cannot leak the value either.
func (Masked) MarshalText() ([]byte, error) { return []byte("-"), nil }

// String is "-", for the same reason.
func (Masked) String() string { return "-" }
