package socketio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrBadPacket reports bytes from a client that are not a valid Socket.IO
// packet. The spec requires closing the connection that sent them.
var ErrBadPacket = errors.New("socketio: malformed packet")

// MaxAttachments bounds the binary attachments one packet may announce.
const MaxAttachments = 64

// Decode parses one Socket.IO packet and checks its payload's shape for its
// type: CONNECT carries an object or nothing, DISCONNECT nothing,
// CONNECT_ERROR an object or string, EVENT a non-empty array starting with
// the event name, ACK an array and an id.
func Decode(b []byte) (Packet, error) {
	if len(b) == 0 {
		return Packet{}, fmt.Errorf("%w: empty", ErrBadPacket)
	}
	if b[0] < '0' || b[0] > '0'+byte(BinaryAck) {
		return Packet{}, fmt.Errorf("%w: unknown type %q", ErrBadPacket, b[0])
	}
	p := Packet{Type: PacketType(b[0] - '0'), Namespace: "/"}
	i := 1
	if p.Type.binary() {
		start := i
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			n = n*10 + int(b[i]-'0')
			if n > MaxAttachments {
				return Packet{}, fmt.Errorf("%w: too many attachments", ErrBadPacket)
			}
			i++
		}
		if i == start || i >= len(b) || b[i] != '-' {
			return Packet{}, fmt.Errorf("%w: bad attachment count", ErrBadPacket)
		}
		p.Attachments = n
		i++
	}
	if i < len(b) && b[i] == '/' {
		end := bytes.IndexByte(b[i:], ',')
		if end < 0 {
			p.Namespace = string(b[i:])
			i = len(b)
		} else {
			p.Namespace = string(b[i : i+end])
			i += end + 1
		}
	}
	if i < len(b) && b[i] >= '0' && b[i] <= '9' {
		var id uint64
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			d := uint64(b[i] - '0')
			if id > (math.MaxUint64-d)/10 {
				return Packet{}, fmt.Errorf("%w: ack id overflows", ErrBadPacket)
			}
			id = id*10 + d
			i++
		}
		p.HasID, p.ID = true, id
	}
	if i < len(b) {
		p.Data = json.RawMessage(append([]byte(nil), b[i:]...))
		if !json.Valid(p.Data) {
			return Packet{}, fmt.Errorf("%w: payload is not JSON", ErrBadPacket)
		}
	}
	if err := p.checkPayload(); err != nil {
		return Packet{}, err
	}
	return p, nil
}

// checkPayload applies the spec's rule for each type's payload.
func (p Packet) checkPayload() error {
	kind := jsonKind(p.Data)
	ok := false
	switch p.Type {
	case Connect:
		ok = kind == 0 || kind == '{'
	case Disconnect:
		ok = kind == 0
	case ConnectError:
		ok = kind == '{' || kind == '"'
	case Event, BinaryEvent:
		_, _, err := EventArgs(p.Data)
		ok = err == nil
	case Ack, BinaryAck:
		ok = kind == '[' && p.HasID
	}
	if p.Attachments > 0 && !p.Type.binary() {
		ok = false
	}
	if !ok {
		return fmt.Errorf("%w: bad payload for %v", ErrBadPacket, p.Type)
	}
	return nil
}

// jsonKind returns the first significant byte of a valid JSON value, 0 for none.
func jsonKind(d []byte) byte {
	d = bytes.TrimLeft(d, " \t\r\n")
	if len(d) == 0 {
		return 0
	}
	return d[0]
}

// EventArgs splits an EVENT payload into the event name and its arguments.
// The payload must be a JSON array whose first element is a string.
func EventArgs(data []byte) (string, []json.RawMessage, error) {
	if jsonKind(data) != '[' {
		return "", nil, fmt.Errorf("%w: event payload is not an array", ErrBadPacket)
	}
	var all []json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrBadPacket, err)
	}
	if len(all) == 0 {
		return "", nil, fmt.Errorf("%w: empty event", ErrBadPacket)
	}
	var name string
	if err := json.Unmarshal(all[0], &name); err != nil {
		return "", nil, fmt.Errorf("%w: event name is not a string", ErrBadPacket)
	}
	return name, all[1:], nil
}
