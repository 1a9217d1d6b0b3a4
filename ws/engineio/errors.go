package engineio

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Sentinel errors returned by Conn.Send.
var (
	ErrClosed        = errors.New("engineio: connection closed")
	ErrSendQueueFull = errors.New("engineio: send queue full")
)

// Close reasons reported to OnClose.
const (
	ReasonPingTimeout     = "ping timeout"
	ReasonTransportClose  = "transport close"
	ReasonTransportError  = "transport error"
	ReasonParseError      = "parse error"
	ReasonForcedClose     = "forced close"
	ReasonQueueOverflow   = "send queue overflow"
	ReasonPayloadTooLarge = "payload too large"
	ReasonDuplicatePoll   = "duplicate poll"
)

// wireError is one reason the server refuses an HTTP request, with the code
// numbering the reference server uses, so clients see familiar values.
type wireError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	status  int
}

var (
	errUnknownTransport = wireError{0, "Transport unknown", http.StatusBadRequest}
	errUnknownSID       = wireError{1, "Session ID unknown", http.StatusBadRequest}
	errBadHandshake     = wireError{2, "Bad handshake method", http.StatusBadRequest}
	errBadRequest       = wireError{3, "Bad request", http.StatusBadRequest}
	errBadVersion       = wireError{5, "Unsupported protocol version", http.StatusBadRequest}
	errTooLarge         = wireError{3, "Payload too large", http.StatusRequestEntityTooLarge}
	errShuttingDown     = wireError{3, "Server shutting down", http.StatusServiceUnavailable}
)

// write sends e as the JSON body the reference server uses for refusals.
func (e wireError) write(w http.ResponseWriter) {
	body, _ := json.Marshal(e) // two plain fields: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
