package engineio

import (
	"encoding/base64"
	"fmt"
)

// PacketType is the Engine.IO packet type, sent as one ASCII digit.
type PacketType byte

// Engine.IO packet types.
const (
	Open PacketType = iota
	Close
	Ping
	Pong
	Message
	Upgrade
	Noop
)

var packetTypeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the protocol's name of t.
func (t PacketType) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return fmt.Sprintf("PacketType(%d)", byte(t))
}

// Packet is one Engine.IO packet. Binary packets are always of type Message
// and carry raw bytes in Data.
type Packet struct {
	Type   PacketType
	Data   []byte
	Binary bool
}

// TextMessage returns a message packet carrying a string payload.
func TextMessage(data []byte) Packet { return Packet{Type: Message, Data: data} }

// BinaryMessage returns a message packet carrying raw bytes.
func BinaryMessage(data []byte) Packet { return Packet{Type: Message, Data: data, Binary: true} }

// payloadSeparator joins packets in one HTTP long-polling body.
const payloadSeparator = 0x1e

// appendText appends p's text form: the type digit and the data. Binary
// packets are written as 'b' followed by base64, the polling encoding.
func (p Packet) appendText(b []byte) []byte {
	if p.Binary {
		b = append(b, 'b')
		return base64.StdEncoding.AppendEncode(b, p.Data)
	}
	b = append(b, '0'+byte(p.Type))
	return append(b, p.Data...)
}

// size is what p costs in a queue: its bytes and its type.
func (p Packet) size() int { return len(p.Data) + 1 }

// EncodePayload joins packets for an HTTP long-polling response body.
func EncodePayload(pkts []Packet) []byte {
	n := 0
	for _, p := range pkts {
		n += 2 + base64.StdEncoding.EncodedLen(len(p.Data))
	}
	b := make([]byte, 0, n)
	for i, p := range pkts {
		if i > 0 {
			b = append(b, payloadSeparator)
		}
		b = p.appendText(b)
	}
	return b
}

// typeDigits are the packet types' digits, to write without allocating.
var typeDigits = []byte("0123456")
