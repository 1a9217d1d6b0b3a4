package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// A frame on disk is [length uint32][crc32c uint32][payload], little endian,
// where length counts the payload and the CRC covers it. The payload is
// [version byte][uvarint id length][id][seq uint64][data...]: data runs to
// the end of the payload, so it needs no length of its own.
const (
	frameHeaderSize = 8
	recordVersion   = 1
	// MaxSessionIDLen bounds a record's SessionID in bytes.
	MaxSessionIDLen = 1024
	// minPayload is the smallest payload that can decode: version, a one-byte
	// id length, a one-byte id and the seq. It also rejects the all-zero
	// header a crash can leave behind (the CRC of nothing is zero).
	minPayload = 1 + 1 + 1 + 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Reasons a frame does not decode. Recovery treats them all alike: the
// journal ends before the frame.
var (
	errShortFrame = errors.New("short frame")
	errBadLength  = errors.New("frame length out of range")
	errBadCRC     = errors.New("crc mismatch")
	errBadPayload = errors.New("payload does not decode")
)

// validRecord reports why rec cannot be journaled, if it cannot.
func validRecord(rec Record, maxData int) error {
	switch {
	case rec.SessionID == "":
		return fmt.Errorf("empty session id: %w", ErrInvalidRecord)
	case len(rec.SessionID) > MaxSessionIDLen:
		return fmt.Errorf("session id of %d bytes: %w", len(rec.SessionID), ErrInvalidRecord)
	case len(rec.Data) > maxData:
		return fmt.Errorf("record of %d bytes over the %d limit: %w", len(rec.Data), maxData, ErrInvalidRecord)
	}
	return nil
}

// appendFrame appends rec, framed, to dst.
func appendFrame(dst []byte, rec Record) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, frameHeaderSize)...)
	dst = append(dst, recordVersion)
	dst = binary.AppendUvarint(dst, uint64(len(rec.SessionID)))
	dst = append(dst, rec.SessionID...)
	dst = binary.LittleEndian.AppendUint64(dst, rec.Seq)
	dst = append(dst, rec.Data...)
	payload := dst[start+frameHeaderSize:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.Checksum(payload, castagnoli))
	return dst
}

// decodeFrame decodes the frame at the start of b and returns the record and
// the bytes it took. The record's Data aliases b. maxPayload bounds the
// length field, so garbage cannot ask for a huge allocation.
func decodeFrame(b []byte, maxPayload int) (Record, int, error) {
	if len(b) < frameHeaderSize {
		return Record{}, 0, errShortFrame
	}
	length, sum, err := parseHeader(b, maxPayload)
	if err != nil {
		return Record{}, 0, err
	}
	if uint64(len(b)-frameHeaderSize) < uint64(length) {
		return Record{}, 0, errShortFrame
	}
	payload := b[frameHeaderSize : frameHeaderSize+int(length)]
	rec, err := decodePayload(payload, sum)
	if err != nil {
		return Record{}, 0, err
	}
	return rec, frameHeaderSize + int(length), nil
}

// readFrame reads the next frame from r; remaining is how many bytes r still
// holds. It returns io.EOF at a clean end. The record owns its Data.
func readFrame(r *bufio.Reader, remaining int64, maxPayload int) (Record, int64, error) {
	var h [frameHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return Record{}, 0, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Record{}, 0, errShortFrame
		}
		return Record{}, 0, err
	}
	length, sum, err := parseHeader(h[:], maxPayload)
	if err != nil {
		return Record{}, 0, err
	}
	if remaining-frameHeaderSize < int64(length) {
		return Record{}, 0, errShortFrame
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Record{}, 0, errShortFrame
		}
		return Record{}, 0, err
	}
	rec, err := decodePayload(payload, sum)
	if err != nil {
		return Record{}, 0, err
	}
	return rec, frameHeaderSize + int64(length), nil
}

func parseHeader(h []byte, maxPayload int) (length, sum uint32, err error) {
	length = binary.LittleEndian.Uint32(h)
	sum = binary.LittleEndian.Uint32(h[4:])
	if length < minPayload || uint64(length) > uint64(maxPayload) {
		return 0, 0, fmt.Errorf("%w: %d", errBadLength, length)
	}
	return length, sum, nil
}

// decodePayload checks the CRC and splits the payload. Data aliases payload.
func decodePayload(payload []byte, sum uint32) (Record, error) {
	if crc32.Checksum(payload, castagnoli) != sum {
		return Record{}, errBadCRC
	}
	if payload[0] != recordVersion {
		return Record{}, fmt.Errorf("%w: version %d", errBadPayload, payload[0])
	}
	rest := payload[1:]
	idLen, n := binary.Uvarint(rest)
	// A non-minimal varint would decode but not re-encode to the same bytes.
	if n <= 0 || n != uvarintLen(idLen) || idLen == 0 || idLen > MaxSessionIDLen {
		return Record{}, fmt.Errorf("%w: session id length", errBadPayload)
	}
	rest = rest[n:]
	if uint64(len(rest)) < idLen+8 {
		return Record{}, fmt.Errorf("%w: truncated", errBadPayload)
	}
	id := string(rest[:idLen])
	rest = rest[idLen:]
	seq := binary.LittleEndian.Uint64(rest)
	return Record{SessionID: id, Seq: seq, Data: rest[8:]}, nil
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}
