package slackfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// websocket is Socket Mode's connection: it says hello, then carries the
// envelopes a test sends with Envelope and reads their acknowledgements.
func (s *Server) websocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.record(Call{Method: "socket", Path: r.URL.Path, At: time.Now(), Status: http.StatusSwitchingProtocols, OK: true})
	s.mu.Lock()
	if s.socket != nil {
		_ = s.socket.Close()
	}
	s.socket = conn
	up := s.wsUp
	s.mu.Unlock()
	_ = conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0HULPBOT1"}}); err != nil {
		return
	}
	select {
	case <-up:
	default:
		close(up)
	}
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		s.mu.Lock()
		ch := s.acks[ack.EnvelopeID]
		s.mu.Unlock()
		if ch != nil {
			ch <- ack.Payload
		}
	}
}

// WaitSocket waits until a Socket Mode client is connected.
func (s *Server) WaitSocket(t testing.TB, timeout time.Duration) {
	t.Helper()
	s.mu.Lock()
	up := s.wsUp
	s.mu.Unlock()
	select {
	case <-up:
	case <-time.After(timeout):
		t.Fatalf("slackfake: no Socket Mode connection within %s", timeout)
	}
}

// Envelope sends one Socket Mode envelope (typ "slash_commands" or
// "interactive") and returns the payload of its acknowledgement and how
// long the acknowledgement took.
func (s *Server) Envelope(t testing.TB, typ string, payload any, timeout time.Duration) (json.RawMessage, time.Duration) {
	t.Helper()
	s.mu.Lock()
	s.ts++
	id := "env-" + strconv.Itoa(s.ts)
	ch := make(chan json.RawMessage, 1)
	s.acks[id] = ch
	conn := s.socket
	s.mu.Unlock()
	if conn == nil {
		t.Fatal("slackfake: no Socket Mode connection")
	}
	start := time.Now()
	s.mu.Lock()
	err := conn.WriteJSON(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ == "slash_commands"})
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("slackfake: write envelope: %v", err)
	}
	select {
	case p := <-ch:
		return p, time.Since(start)
	case <-time.After(timeout):
		t.Fatalf("slackfake: envelope %s (%s) not acknowledged within %s", id, typ, timeout)
	}
	return nil, 0
}
