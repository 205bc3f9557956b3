package mmbot

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

func TestContextRoundTrip(t *testing.T) {
	s := NewSigner([]byte(testSecret))
	for _, ref := range []ButtonRef{
		{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1},
		{SchoolID: "de-vaart", Action: "decline", RequestID: "abcdefghijk2", OfferNo: 12},
		{SchoolID: "x", Action: "pickup", RequestID: "abcdefghijk2", OfferNo: 0},
		{SchoolID: "x", Action: "pulse:yes", RequestID: "", OfferNo: 0},
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
	ref := ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1}
	good := s.Context(ref)
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	for name, c := range map[string]map[string]any{
		"nil":                   nil,
		"empty":                 {},
		"no signature":          with(ctxSig, nil),
		"other request":         with(ctxRequest, "abcdefghijk3"),
		"other offer":           with(ctxOffer, "2"),
		"offer with zero":       with(ctxOffer, "01"),
		"offer with plus":       with(ctxOffer, "+1"),
		"negative offer":        with(ctxOffer, "-1"),
		"offer as number":       with(ctxOffer, float64(1)),
		"other action":          with(ctxAction, "decline"),
		"other school":          with(ctxSchool, "de-klim"),
		"other version":         with(ctxVersion, "2"),
		"signature not base64":  with(ctxSig, "!!!"),
		"signature cut":         with(ctxSig, good[ctxSig].(string)[:20]),
		"long field":            with(ctxRequest, string(make([]byte, maxField+1))),
		"empty school":          NewSigner([]byte(testSecret)).Context(ButtonRef{Action: "accept", OfferNo: 1}),
		"another secret":        NewSigner([]byte("another-secret-0123456789")).Context(ref),
		"verbatim payload (MM)": {"groep": "5", "request_id": "req-42"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s.Verify(c)
			if !errors.Is(err, ErrBadContext) {
				t.Errorf("Verify = %+v, %v; want ErrBadContext", got, err)
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
	signed, _ := json.Marshal(map[string]any{"user_name": "anne", "context": s.Context(ButtonRef{SchoolID: "de-vaart", Action: "accept", RequestID: "abcdefghijk2", OfferNo: 1})})
	f.Add(signed)
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
