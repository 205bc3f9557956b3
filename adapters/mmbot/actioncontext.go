package mmbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/hulpbot/hulpbot/message"
)

// A button's integration context. Mattermost keeps it server-side (clients
// never see it) and posts it back verbatim when the button is pressed, but
// it does not sign the call: anyone who can reach /mattermost/action could
// post any context. So hulpbot signs what the button names — school, action,
// request, offer — with HMAC-SHA256 under a secret only it knows, and acts
// on a click only when the signature verifies.
//
// All values are strings: the context travels as JSON through Mattermost,
// where numbers would come back as floats.
const (
	ctxVersion = "v"
	ctxSchool  = "school"
	ctxAction  = "action"
	ctxRequest = "request"
	ctxOffer   = "offer"
	ctxSig     = "sig"

	// contextVersion is the layout of the signed fields; a new layout gets
	// a new version and old buttons stop verifying.
	contextVersion = "1"
	// macLabel separates our MACs from any other use of the same secret.
	macLabel = "hulpbot/mattermost/button"
	// maxField bounds every context field: ids are short, and a long value
	// is not ours.
	maxField = 128
)

// ErrBadContext is a click whose context hulpbot did not sign: forged,
// altered, from another deployment, or not a hulpbot button at all.
var ErrBadContext = errors.New("button context not signed by hulpbot")

// ButtonRef is what a signed button names.
type ButtonRef struct {
	SchoolID  string
	Action    message.Action
	RequestID string
	OfferNo   int // 0 for buttons that name no offer (a pick-up in the fallback channel)
}

// Signer signs and verifies button contexts. It is safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer with secret as the HMAC key.
func NewSigner(secret []byte) *Signer {
	return &Signer{key: append([]byte(nil), secret...)}
}

// Context is the signed integration context of a button.
func (s *Signer) Context(ref ButtonRef) map[string]any {
	return map[string]any{
		ctxVersion: contextVersion,
		ctxSchool:  ref.SchoolID,
		ctxAction:  string(ref.Action),
		ctxRequest: ref.RequestID,
		ctxOffer:   strconv.Itoa(ref.OfferNo),
		ctxSig:     base64.RawURLEncoding.EncodeToString(s.mac(ref)),
	}
}

// mac is the HMAC over the fields, each length-prefixed so that no two
// different refs share an input.
func (s *Signer) mac(ref ButtonRef) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [4]byte
	for _, f := range []string{macLabel, contextVersion, ref.SchoolID, string(ref.Action), ref.RequestID, strconv.Itoa(ref.OfferNo)} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return m.Sum(nil)
}

// Verify checks a context Mattermost posted back and returns what the
// button names. Anything but an intact context this Signer made is
// ErrBadContext (wrapped with what was wrong, for tests and debugging; the
// reason holds no context values).
func (s *Signer) Verify(c map[string]any) (ButtonRef, error) {
	get := func(k string) (string, error) {
		v, ok := c[k]
		if !ok {
			return "", fmt.Errorf("%w: no %s", ErrBadContext, k)
		}
		str, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%w: %s is not a string", ErrBadContext, k)
		}
		if len(str) > maxField {
			return "", fmt.Errorf("%w: %s too long", ErrBadContext, k)
		}
		return str, nil
	}
	var f [6]string
	for i, k := range []string{ctxVersion, ctxSchool, ctxAction, ctxRequest, ctxOffer, ctxSig} {
		v, err := get(k)
		if err != nil {
			return ButtonRef{}, err
		}
		f[i] = v
	}
	if f[0] != contextVersion {
		return ButtonRef{}, fmt.Errorf("%w: version", ErrBadContext)
	}
	offer, ok := parseOfferNo(f[4])
	if !ok {
		return ButtonRef{}, fmt.Errorf("%w: offer number", ErrBadContext)
	}
	ref := ButtonRef{SchoolID: f[1], Action: message.Action(f[2]), RequestID: f[3], OfferNo: offer}
	if ref.SchoolID == "" || ref.Action == "" {
		return ButtonRef{}, fmt.Errorf("%w: empty school or action", ErrBadContext)
	}
	sig, err := base64.RawURLEncoding.DecodeString(f[5])
	if err != nil || !hmac.Equal(sig, s.mac(ref)) {
		return ButtonRef{}, fmt.Errorf("%w: signature", ErrBadContext)
	}
	return ref, nil
}

// parseOfferNo reads an offer number exactly as Context writes it: decimal
// digits, no sign, no leading zero, at most 6 digits. A second spelling of
// the same number would be a second valid context for one signature.
func parseOfferNo(s string) (int, bool) {
	if s == "" || len(s) > 6 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
