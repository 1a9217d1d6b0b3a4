package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/socketio"
)

// newServer builds the server the socket.io-protocol test suite expects of
// an implementation: pingInterval 300, pingTimeout 200, maxPayload 1000000,
// connectTimeout 1000, any origin; on "/" and "/custom" a connection is
// greeted with an "auth" event echoing the handshake auth; "/" also echoes
// "message" as "message-back" and acknowledges "message-with-ack" with the
// same arguments, binary attachments included.
func newServer(log *slog.Logger) *socketio.Server {
	srv := socketio.NewServer(socketio.Config{
		Engine: engineio.Config{
			PingInterval: 300 * time.Millisecond,
			PingTimeout:  200 * time.Millisecond,
			MaxPayload:   1_000_000,
			Logger:       log,
		},
		ConnectTimeout: 1000 * time.Millisecond,
	})
	srv.Of("/").OnConnection(func(s *socketio.Socket) error {
		if err := s.Emit("auth", s.Handshake().Auth); err != nil {
			return err
		}
		s.OnBinary("message", func(args []json.RawMessage, attachments [][]byte, _ socketio.AckFunc) {
			_ = s.Emit("message-back", withBinary(args, attachments)...)
		})
		s.OnBinary("message-with-ack", func(args []json.RawMessage, attachments [][]byte, ack socketio.AckFunc) {
			if ack != nil {
				_ = ack(withBinary(args, attachments)...)
			}
		})
		return nil
	})
	srv.Of("/custom").OnConnection(func(s *socketio.Socket) error {
		return s.Emit("auth", s.Handshake().Auth)
	})
	return srv
}

// newEngineEcho builds the server the engine.io-protocol test suite expects
// of an implementation: a bare Engine.IO server with pingInterval 300,
// pingTimeout 200, maxPayload 1000000 and any origin, that echoes every
// message packet (text or binary) back to its sender.
func newEngineEcho(log *slog.Logger) *engineio.Server {
	return engineio.NewServer(engineio.Config{
		PingInterval: 300 * time.Millisecond,
		PingTimeout:  200 * time.Millisecond,
		MaxPayload:   1_000_000,
		Logger:       log,
	}, func(c *engineio.Conn) {
		c.OnMessage(func(p engineio.Packet) { _ = c.Send(p) })
	})
}

// newHandler mounts each suite's reference server where its suite looks:
// the Socket.IO server at /socket.io/, the Engine.IO echo at /engine.io/.
func newHandler(srv *socketio.Server, echo *engineio.Server) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.Handle("/engine.io/", echo)
	return mux
}

// withBinary turns top-level placeholders back into attachments, so an echo
// sends the same bytes back.
func withBinary(args []json.RawMessage, attachments [][]byte) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if n, ok := socketio.AttachmentIndex(a); ok && n < len(attachments) {
			out[i] = socketio.Binary(attachments[n])
		} else {
			out[i] = a
		}
	}
	return out
}
