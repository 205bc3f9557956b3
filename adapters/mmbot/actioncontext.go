package mmbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hulpbot/hulpbot/message"
)

// A button's integration context. Mattermost keeps it server-side (clients
// never see it) and posts it back verbatim when the button is pressed, but
// it does not sign the call: anyone who can reach /mattermost/action could
// post any context. So hulpbot signs what the button names — school, action,
// request, offer — and for whom and until when it works, with HMAC-SHA256
// under a secret only it knows, and acts on a click only when the signature
// verifies, the click comes from the person (or the channel) the button was
// made for, and it has not expired.
//
// All values are strings: the context travels as JSON through Mattermost,
// where numbers would come back as floats.
const (
	ctxVersion = "v"
	ctxSchool  = "school"
	ctxAction  = "action"
	ctxRequest = "request"
	ctxOffer   = "offer"
	ctxUser    = "user"
	ctxChannel = "channel"
	ctxExpires = "exp"
	ctxSig     = "sig"
	// ctxReply is only on buttons of a command's ephemeral answer: the id
	// of the command's response URL (see ephemeral.go). Signed when
	// present; absent, the MAC is the one of the fields above, so buttons
	// made before it still verify.
	ctxReply = "reply"

	// contextVersion is the layout of the signed fields; a new layout gets
	// a new version and old buttons stop verifying.
	contextVersion = "2"
	// oldContextVersion is the layout before buttons named their person and
	// expiry: refused, with its own answer (ErrOldContext).
	oldContextVersion = "1"
	// macLabel separates our MACs from any other use of the same secret.
	macLabel = "hulpbot/mattermost/button"
	// maxField bounds every context field: ids are short, and a long value
	// is not ours.
	maxField = 128
)

// ErrBadContext is a click whose context hulpbot did not sign: forged,
// altered, from another deployment, or not a hulpbot button at all.
var ErrBadContext = errors.New("button context not signed by hulpbot")

// ErrOldContext is a button made before contexts named the person and the
// expiry (version 1): it cannot say whom it was for, so it is refused. It
// comes wrapped with ErrBadContext.
var ErrOldContext = errors.New("button context from an older hulpbot")

// Why a verified button is refused for this click (ButtonRef.Allows).
var (
	ErrNotForYou    = errors.New("button was sent to someone else")
	ErrOtherChannel = errors.New("button belongs to another channel")
	ErrExpired      = errors.New("button expired")
)

// ButtonRef is what a signed button names.
type ButtonRef struct {
	SchoolID  string
	Action    message.Action
	RequestID string
	OfferNo   int // 0 for buttons that name no offer (a pick-up in the fallback channel)
	// For is who may press the button: one person, or anyone in a channel.
	For Audience
	// Expires is when the button stops working, to the second.
	Expires time.Time
	// Reply is the id of the response URL of the slash command whose
	// ephemeral answer carries the button, "" on a stored post. A click's
	// answer to such a button cannot update the post (Mattermost never
	// stored it) and goes through that URL instead.
	Reply string
}

// Audience is who may press a button: the Mattermost user the message was
// sent to (User), or anyone in the channel it was posted in (Channel).
// Exactly one is set.
type Audience struct {
	User    string
	Channel string
}

// ForUser and ForChannel make an Audience.
func ForUser(userID string) Audience       { return Audience{User: userID} }
func ForChannel(channelID string) Audience { return Audience{Channel: channelID} }

// Allows reports whether a click by userID in channelID at now may act on
// the button: nil, or ErrNotForYou, ErrOtherChannel or ErrExpired.
func (r ButtonRef) Allows(userID, channelID string, now time.Time) error {
	switch {
	case r.For.User != "" && r.For.User != userID:
		return ErrNotForYou
	case r.For.Channel != "" && r.For.Channel != channelID:
		return ErrOtherChannel
	case !now.Before(r.Expires):
		return ErrExpired
	}
	return nil
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
	c := map[string]any{
		ctxVersion: contextVersion,
		ctxSchool:  ref.SchoolID,
		ctxAction:  string(ref.Action),
		ctxRequest: ref.RequestID,
		ctxOffer:   strconv.Itoa(ref.OfferNo),
		ctxUser:    ref.For.User,
		ctxChannel: ref.For.Channel,
		ctxExpires: strconv.FormatInt(ref.Expires.Unix(), 10),
		ctxSig:     base64.RawURLEncoding.EncodeToString(s.mac(ref)),
	}
	if ref.Reply != "" {
		c[ctxReply] = ref.Reply
	}
	return c
}

// mac is the HMAC over the fields, each length-prefixed so that no two
// different refs share an input.
func (s *Signer) mac(ref ButtonRef) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [4]byte
	fields := []string{macLabel, contextVersion, ref.SchoolID, string(ref.Action), ref.RequestID, strconv.Itoa(ref.OfferNo),
		ref.For.User, ref.For.Channel, strconv.FormatInt(ref.Expires.Unix(), 10)}
	if ref.Reply != "" {
		fields = append(fields, ref.Reply)
	}
	for _, f := range fields {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return m.Sum(nil)
}

// Verify checks a context Mattermost posted back and returns what the
// button names. Anything but an intact context this Signer made is
// ErrBadContext (wrapped with what was wrong, for tests and debugging; the
// reason holds no context values); a context of the older layout is
// ErrOldContext as well. Verify does not look at who clicked or when: see
// ButtonRef.Allows.
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
	if v, err := get(ctxVersion); err == nil && v == oldContextVersion {
		return ButtonRef{}, fmt.Errorf("%w: %w", ErrBadContext, ErrOldContext)
	}
	var f [9]string
	for i, k := range []string{ctxVersion, ctxSchool, ctxAction, ctxRequest, ctxOffer, ctxUser, ctxChannel, ctxExpires, ctxSig} {
		v, err := get(k)
		if err != nil {
			return ButtonRef{}, err
		}
		f[i] = v
	}
	if f[0] != contextVersion {
		return ButtonRef{}, fmt.Errorf("%w: version", ErrBadContext)
	}
	offer, ok := parseDecimal(f[4], 6)
	if !ok {
		return ButtonRef{}, fmt.Errorf("%w: offer number", ErrBadContext)
	}
	exp, ok := parseDecimal(f[7], 12)
	if !ok {
		return ButtonRef{}, fmt.Errorf("%w: expiry", ErrBadContext)
	}
	ref := ButtonRef{SchoolID: f[1], Action: message.Action(f[2]), RequestID: f[3], OfferNo: int(offer),
		For: Audience{User: f[5], Channel: f[6]}, Expires: time.Unix(exp, 0)}
	if _, ok := c[ctxReply]; ok {
		// Present means a response URL's id; an empty one is not ours.
		reply, err := get(ctxReply)
		if err != nil || reply == "" {
			return ButtonRef{}, fmt.Errorf("%w: reply", ErrBadContext)
		}
		ref.Reply = reply
	}
	if ref.SchoolID == "" || ref.Action == "" {
		return ButtonRef{}, fmt.Errorf("%w: empty school or action", ErrBadContext)
	}
	if (ref.For.User == "") == (ref.For.Channel == "") {
		// hulpbot makes every button for one person or one channel.
		return ButtonRef{}, fmt.Errorf("%w: not one user or channel", ErrBadContext)
	}
	sig, err := base64.RawURLEncoding.DecodeString(f[8])
	if err != nil || !hmac.Equal(sig, s.mac(ref)) {
		return ButtonRef{}, fmt.Errorf("%w: signature", ErrBadContext)
	}
	return ref, nil
}

// parseDecimal reads a number exactly as Context writes it: decimal
// digits, no sign, no leading zero, at most maxDigits digits. A second
// spelling of the same number would be a second valid context for one
// signature.
func parseDecimal(s string, maxDigits int) (int64, bool) {
	if s == "" || len(s) > maxDigits || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}
