package jsonx

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// Field is one member of a JSON object as read: its name, unquoted, and
// its value as it appeared in the input (no surrounding space).
type Field struct {
	Name  string
	Value []byte
}

// Errors of ReadObject.
var (
	ErrNotObject = errors.New("want a JSON object")
	ErrSyntax    = errors.New("not valid JSON")
	ErrDuplicate = errors.New("a field is given twice")
	ErrTrailing  = errors.New("want a single JSON value")
)

// reader is a pooled tokenizer over a byte slice.
type reader struct {
	src bytes.Reader
	dec *jsontext.Decoder
}

var readers = sync.Pool{New: func() any {
	r := &reader{}
	r.dec = jsontext.NewDecoder(&r.src)
	return r
}}

// ReadObject reads data, which must be one JSON object and nothing more,
// into its members in order, appended to out. Values are slices of data,
// not copies: they stay valid as long as data does. Strict: invalid UTF-8,
// a repeated name or trailing bytes are errors, so that no two readers of
// the same bytes can see different requests.
func ReadObject(data []byte, out []Field) ([]Field, error) {
	r := readers.Get().(*reader)
	defer readers.Put(r)
	r.src.Reset(data)
	r.dec.Reset(&r.src)
	dec := r.dec

	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return out, ErrSyntax
		}
		return out, ErrNotObject
	}
	if _, err := dec.ReadToken(); err != nil {
		return out, ErrSyntax
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue() // the name, quoted
		if err != nil {
			return out, readError(err)
		}
		key, ok := names[string(name[1:len(name)-1])] // no copy to look it up
		if !ok {
			key, _ = String(name) // the decoder checked it
		}
		v, err := dec.ReadValue()
		if err != nil {
			return out, readError(err)
		}
		end := int(dec.InputOffset())
		out = append(out, Field{Name: key, Value: data[end-len(v) : end : end]})
	}
	if _, err := dec.ReadToken(); err != nil {
		return out, readError(err)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return out, ErrTrailing
	}
	return out, nil
}

func readError(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName) {
		return ErrDuplicate
	}
	return ErrSyntax
}

// names are member names ReadObject hands out as one shared string each,
// rather than a copy per object read: the few names every request carries.
// Intern adds to them; it is called from package init only, so they are
// never written once requests are read.
var names = map[string]string{}

// Intern makes ReadObject share one string for each of these member names.
// Call it from an init function.
func Intern(ns ...string) {
	for _, n := range ns {
		names[n] = n
	}
}

// Lookup returns the value of the member called name, and whether there is
// one. A null value counts as absent: a client that sends "x": null means
// it has no x.
func Lookup(fields []Field, name string) ([]byte, bool) {
	for _, f := range fields {
		if f.Name == name {
			if IsNull(f.Value) {
				return nil, false
			}
			return f.Value, true
		}
	}
	return nil, false
}

// IsNull reports whether a raw value is the literal null.
func IsNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// String decodes a raw JSON string value; ok is false for anything else.
func String(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v[1:len(v)-1], '\\') < 0 {
		return string(v[1 : len(v)-1]), true // no escapes: the bytes are the string
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Bool decodes a raw JSON boolean.
func Bool(v []byte) (b, ok bool) {
	switch string(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Int decodes a raw JSON number that is an integer written without a
// fraction or exponent, as encoding/json does into an int.
func Int(v []byte) (int, bool) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, false
	}
	n, err := strconv.Atoi(string(v))
	return n, err == nil
}

// IsNumber reports whether a raw value is a JSON number literal.
func IsNumber(v []byte) bool { return validNumber(string(v)) }
