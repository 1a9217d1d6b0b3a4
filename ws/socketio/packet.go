package socketio

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// PacketType is the Socket.IO packet type.
type PacketType byte

// Socket.IO packet types.
const (
	Connect PacketType = iota
	Disconnect
	Event
	Ack
	ConnectError
	BinaryEvent
	BinaryAck
)

var packetTypeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the protocol's name of t.
func (t PacketType) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return fmt.Sprintf("PacketType(%d)", byte(t))
}

func (t PacketType) binary() bool { return t == BinaryEvent || t == BinaryAck }

// Packet is one Socket.IO packet without its binary attachments.
type Packet struct {
	Type PacketType
	// Namespace is "/" for the main namespace.
	Namespace string
	// HasID says the packet carries an acknowledgement id (ID may be 0).
	HasID bool
	ID    uint64
	// Data is the JSON payload exactly as sent, or nil.
	Data json.RawMessage
	// Attachments is the number of binary attachments that follow a
	// BINARY_EVENT or BINARY_ACK.
	Attachments int
}

// Encode returns p's wire form (without the Engine.IO "4" prefix).
func (p Packet) Encode() []byte {
	b := p.appendHeader(make([]byte, 0, 16+len(p.Namespace)+len(p.Data)))
	return append(b, p.Data...)
}

// appendHeader appends everything before the payload: type, attachment
// count, namespace and ack id.
func (p Packet) appendHeader(b []byte) []byte {
	b = append(b, '0'+byte(p.Type))
	if p.Type.binary() {
		b = strconv.AppendInt(b, int64(p.Attachments), 10)
		b = append(b, '-')
	}
	if p.Namespace != "" && p.Namespace != "/" {
		b = append(b, p.Namespace...)
		b = append(b, ',')
	}
	if p.HasID {
		b = strconv.AppendUint(b, p.ID, 10)
	}
	return b
}
