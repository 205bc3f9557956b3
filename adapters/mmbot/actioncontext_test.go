package mmbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// testExpiry is when the test contexts expire.
var testExpiry = time.Unix(1795704000, 0)

func TestContextRoundTrip(t *testing.T) {
	s := NewSigner([]byte(testSecret))
	anne, kern := ForUser("useranne000000000000000000"), ForChannel("chankernteam")
	for _, ref := range []ButtonRef{
		{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1, For: anne, Expires: testExpiry},
		{SchoolID: "de-vaart", Action: "decline", RequestID: "abcdefghijk2", OfferNo: 12, For: anne, Expires: testExpiry},
		{SchoolID: "x", Action: "pickup", RequestID: "abcdefghijk2", OfferNo: 0, For: kern, Expires: testExpiry},
		{SchoolID: "x", Action: "pulse:yes", RequestID: "", OfferNo: 0, For: anne, Expires: time.Unix(0, 0)},
	} {
		c := s.Context(ref)
		// Through JSON, as Mattermost keeps and returns it.
		b, _ := json.Marshal(c)
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, err := s.Verify(back)
		if err != nil || got != ref {
			t.Errorf("Verify(Context(%+v)) = %+v, %v; want the same ref", ref, got, err)
		}
	}
}

func TestContextRefused(t *testing.T) {
	s := NewSigner([]byte(testSecret))
	ref := ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1, For: ForUser("useranne000000000000000000"), Expires: testExpiry}
	good := s.Context(ref)
	with := func(kv ...any) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		for i := 0; i+1 < len(kv); i += 2 {
			k, v := kv[i].(string), kv[i+1]
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	for name, c := range map[string]map[string]any{
		"nil":                      nil,
		"empty":                    {},
		"no signature":             with(ctxSig, nil),
		"other request":            with(ctxRequest, "abcdefghijk3"),
		"other offer":              with(ctxOffer, "2"),
		"offer with zero":          with(ctxOffer, "01"),
		"offer with plus":          with(ctxOffer, "+1"),
		"negative offer":           with(ctxOffer, "-1"),
		"offer as number":          with(ctxOffer, float64(1)),
		"other action":             with(ctxAction, "decline"),
		"other school":             with(ctxSchool, "de-klim"),
		"other version":            with(ctxVersion, "3"),
		"other user":               with(ctxUser, "userbram000000000000000000"),
		"no user":                  with(ctxUser, nil),
		"user and channel":         with(ctxChannel, "chankernteam"),
		"neither user nor channel": NewSigner([]byte(testSecret)).Context(ButtonRef{SchoolID: "de-vaart", Action: "accept", OfferNo: 1, Expires: testExpiry}),
		"channel instead of user":  with(ctxUser, "", ctxChannel, "useranne000000000000000000"),
		"later expiry":             with(ctxExpires, "1895704000"),
		"expiry with zero":         with(ctxExpires, "0"+good[ctxExpires].(string)),
		"negative expiry":          with(ctxExpires, "-1"),
		"no expiry":                with(ctxExpires, nil),
		"signature not base64":     with(ctxSig, "!!!"),
		"signature cut":            with(ctxSig, good[ctxSig].(string)[:20]),
		"long field":               with(ctxRequest, string(make([]byte, maxField+1))),
		"empty school":             NewSigner([]byte(testSecret)).Context(ButtonRef{Action: "accept", OfferNo: 1, For: ForUser("u"), Expires: testExpiry}),
		"another secret":           NewSigner([]byte("another-secret-0123456789")).Context(ref),
		"verbatim payload (MM)":    {"groep": "5", "request_id": "req-42"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s.Verify(c)
			if !errors.Is(err, ErrBadContext) || errors.Is(err, ErrOldContext) {
				t.Errorf("Verify = %+v, %v; want ErrBadContext", got, err)
			}
		})
	}
}

// TestOldContextRefused: a button of the layout before buttons named their
// person and expiry is refused as old, whatever it holds.
func TestOldContextRefused(t *testing.T) {
	s := NewSigner([]byte(testSecret))
	for name, c := range map[string]map[string]any{
		"as hulpbot signed it": v1Sign(s, ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1}),
		"forged":               {"v": "1", "school": "de-vaart", "action": "accept", "request": "abcdefghijk2", "offer": "1", "sig": "x"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s.Verify(c)
			if !errors.Is(err, ErrOldContext) || !errors.Is(err, ErrBadContext) {
				t.Errorf("Verify = %+v, %v; want ErrOldContext (and ErrBadContext)", got, err)
			}
		})
	}
}

// v1Sign is a context as hulpbot signed it before buttons named their
// person and expiry (layout version 1).
func v1Sign(s *Signer, ref ButtonRef) map[string]any {
	m := hmac.New(sha256.New, s.key)
	var n [4]byte
	for _, f := range []string{macLabel, "1", ref.SchoolID, string(ref.Action), ref.RequestID, strconv.Itoa(ref.OfferNo)} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return map[string]any{"v": "1", "school": ref.SchoolID, "action": string(ref.Action), "request": ref.RequestID,
		"offer": strconv.Itoa(ref.OfferNo), "sig": base64.RawURLEncoding.EncodeToString(m.Sum(nil))}
}

func TestAllows(t *testing.T) {
	anne, bram := "useranne000000000000000000", "userbram000000000000000000"
	exp := testExpiry
	toAnne := ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1, For: ForUser(anne), Expires: exp}
	inKern := ButtonRef{SchoolID: "de-vaart", Action: "pickup", RequestID: "abcdefghijk2", For: ForChannel("chankernteam"), Expires: exp}
	for _, tc := range []struct {
		name          string
		ref           ButtonRef
		user, channel string
		now           time.Time
		want          error
	}{
		{"the person it was sent to", toAnne, anne, "dmanne", exp.Add(-time.Second), nil},
		{"anywhere she sees it", toAnne, anne, "elsewhere", exp.Add(-time.Second), nil},
		{"someone else", toAnne, bram, "dmanne", exp.Add(-time.Second), ErrNotForYou},
		{"no one", toAnne, "", "dmanne", exp.Add(-time.Second), ErrNotForYou},
		{"at its expiry", toAnne, anne, "dmanne", exp, ErrExpired},
		{"after its expiry", toAnne, anne, "dmanne", exp.Add(time.Hour), ErrExpired},
		{"anyone in the channel", inKern, bram, "chankernteam", exp.Add(-time.Second), nil},
		{"from another channel", inKern, bram, "chanelders", exp.Add(-time.Second), ErrOtherChannel},
		{"from no channel", inKern, bram, "", exp.Add(-time.Second), ErrOtherChannel},
		{"in the channel, expired", inKern, bram, "chankernteam", exp.Add(time.Second), ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.ref.Allows(tc.user, tc.channel, tc.now); got != tc.want {
				t.Errorf("Allows = %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzVerifyClick feeds click bodies to the decoder and the verifier: they
// never panic, accept nothing the signer did not make, and whatever they
// accept reads back to the same context.
func FuzzVerifyClick(f *testing.F) {
	s := NewSigner([]byte(testSecret))
	_, click := payloads(f, "hook-requests.jsonl")
	f.Add([]byte(click.RawBody))
	_, fresh := payloads(f, "hook-requests-fresh.jsonl")
	f.Add([]byte(fresh.RawBody))
	signed, _ := json.Marshal(map[string]any{"user_name": "anne", "context": s.Context(ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1,
		For: ForUser("useranne000000000000000000"), Expires: testExpiry})})
	f.Add(signed)
	old, _ := json.Marshal(map[string]any{"user_name": "anne", "context": v1Sign(s, ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1})})
	f.Add(old)
	f.Add([]byte(`{"context":{"v":"1","school":"","action":"","request":"","offer":"0","sig":""}}`))
	f.Add([]byte(`{"context":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req model.PostActionIntegrationRequest
		if err := decodeJSON(body, &req); err != nil {
			return
		}
		ref, err := s.Verify(req.Context)
		if err != nil {
			if !errors.Is(err, ErrBadContext) {
				t.Fatalf("Verify error %v is not ErrBadContext", err)
			}
			return
		}
		// Accepted: it must be exactly what the signer writes for ref.
		want := s.Context(ref)
		if !reflect.DeepEqual(pick(req.Context, want), want) {
			t.Fatalf("accepted context %v, but the signer writes %v for %+v", req.Context, want, ref)
		}
	})
}

// pick keeps the keys of c that want has.
func pick(c, want map[string]any) map[string]any {
	out := map[string]any{}
	for k := range want {
		if v, ok := c[k]; ok {
			out[k] = v
		}
	}
	return out
}
