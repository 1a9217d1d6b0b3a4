package engineio

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrBadPacket reports bytes from a client that are not an Engine.IO packet.
var ErrBadPacket = errors.New("engineio: malformed packet")

// DecodePacket decodes one packet received as a WebSocket text frame or as one
// part of a polling payload (without the 'b' binary form).
func DecodePacket(b []byte) (Packet, error) {
	if len(b) == 0 {
		return Packet{}, fmt.Errorf("%w: empty", ErrBadPacket)
	}
	t := b[0]
	if t < '0' || t > '0'+byte(Noop) {
		return Packet{}, fmt.Errorf("%w: unknown type %q", ErrBadPacket, t)
	}
	p := Packet{Type: PacketType(t - '0')}
	if len(b) > 1 {
		p.Data = append([]byte(nil), b[1:]...)
	}
	return p, nil
}

// DecodePayload splits an HTTP long-polling request body into packets. Parts
// are separated by 0x1e; a part starting with 'b' is a base64 binary message.
func DecodePayload(body []byte) ([]Packet, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrBadPacket)
	}
	pkts := make([]Packet, 0, bytes.Count(body, []byte{payloadSeparator})+1)
	for part := range bytes.SplitSeq(body, []byte{payloadSeparator}) {
		if len(part) > 0 && part[0] == 'b' {
			data := make([]byte, base64.StdEncoding.DecodedLen(len(part)-1))
			n, err := base64.StdEncoding.Decode(data, part[1:])
			if err != nil {
				return nil, fmt.Errorf("%w: bad base64: %w", ErrBadPacket, err)
			}
			if n == 0 {
				data = nil // one spelling of "no bytes", so decoded packets compare equal
			}
			pkts = append(pkts, BinaryMessage(data[:n:n]))
			continue
		}
		p, err := DecodePacket(part)
		if err != nil {
			return nil, err
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}
