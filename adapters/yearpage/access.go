package yearpage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hulpbot/hulpbot/bot"
)

// Access: a coordinator gets a personal link (a pass of kind "link",
// minutes long) by direct message; opening it trades it for a session
// cookie (a pass of kind "session", hours long) bound to the same scope,
// and the browser is sent on to the page without the token in its
// address. Both are HMAC-SHA256 signed by one key; nothing is kept per
// link, so any replica verifies it.
//
// A link is not single-use on purpose: chat platforms fetch links to show
// a preview, which would use it up before the coordinator clicks.

// Scope kinds: one school, or a samenwerkingsverband and all its schools.
const (
	ScopeSchool = "school"
	ScopeSWV    = "swv"
)

// Pass kinds.
const (
	passLink    = "link"
	passSession = "session"
)

// Errors of Verify; callers answer both with 403.
var (
	ErrBadPass = errors.New("yearpage: pass altered or malformed")
	ErrExpired = errors.New("yearpage: pass expired")
)

// Scope is what a pass opens.
type Scope struct {
	Kind string // ScopeSchool or ScopeSWV
	ID   string // the school's or the samenwerkingsverband's id
}

// Path is the page's path of the scope: "/overzicht/school/de-vaart/".
func (s Scope) Path() string { return "/overzicht/" + s.Kind + "/" + s.ID + "/" }

// Pass is what a link or a session cookie proves.
type Pass struct {
	Kind    string      `json:"k"`
	Scope   Scope       `json:"s"`
	Who     bot.Address `json:"w"`
	Expires int64       `json:"e"` // Unix seconds
	// Lang is the language chosen for the page: on a link, the one kept
	// for the person it was made for; on a session, that or the one the
	// switch chose. "" when none is: the browser's preference decides.
	Lang string `json:"l,omitempty"`
}

// maxPass bounds what Verify reads: a pass is well under 300 bytes.
const maxPass = 1024

// Signer signs and verifies passes with one key.
type Signer struct{ key []byte }

// NewSigner returns a Signer with key.
func NewSigner(key []byte) *Signer { return &Signer{key: append([]byte(nil), key...)} }

// Sign returns p as a token: base64url(JSON) "." base64url(MAC).
func (s *Signer) Sign(p Pass) string {
	body, _ := json.Marshal(p) // plain strings and an int: cannot fail
	b := base64.RawURLEncoding.EncodeToString(body)
	return b + "." + base64.RawURLEncoding.EncodeToString(s.mac(b))
}

func (s *Signer) mac(body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("hulpbot-yearpage-v1\x00"))
	m.Write([]byte(body))
	return m.Sum(nil)
}

// Verify checks token's signature, kind and expiry at now.
func (s *Signer) Verify(token, kind string, now time.Time) (Pass, error) {
	if len(token) > maxPass {
		return Pass{}, ErrBadPass
	}
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Pass{}, ErrBadPass
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(body)) {
		return Pass{}, ErrBadPass
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Pass{}, ErrBadPass
	}
	var p Pass
	if err := json.Unmarshal(raw, &p); err != nil {
		return Pass{}, fmt.Errorf("%w: %v", ErrBadPass, err)
	}
	if p.Kind != kind || (p.Scope.Kind != ScopeSchool && p.Scope.Kind != ScopeSWV) || p.Scope.ID == "" || p.Who.Handle == "" {
		return Pass{}, ErrBadPass
	}
	if now.Unix() >= p.Expires {
		return p, ErrExpired
	}
	return p, nil
}
