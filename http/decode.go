package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"strings"

	"github.com/talus-tally/server/model/wire"
)

// decodeOptions says how strict a body decode is.
type decodeOptions struct {
	optional     bool // an empty body is fine and leaves v as it was
	strictFields bool // an unknown field is a mistake (INVALID_REQUEST)
}

// readBody reads the whole body; limitBody has already capped it, so an
// oversized body surfaces here as *http.MaxBytesError.
func readBody(r *nethttp.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if n := r.ContentLength; n >= 0 && n <= 64<<10 {
		// The size is known (limitBody refused it if too large): one
		// buffer of it, where io.ReadAll grows one from 512 bytes.
		buf := make([]byte, n, n+1)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, badRequest("request body is shorter than its Content-Length")
			}
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(r.Body)
}

// decodeJSON decodes one JSON value from the request body into v. Numbers in
// interface values stay json.Number, so that no precision is lost before the
// model types them (currency is exact).
func decodeJSON(r *nethttp.Request, v any, opt decodeOptions) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return unmarshalJSON(body, v, opt)
}

// unmarshalJSON is decodeJSON's core, on bytes.
func unmarshalJSON(body []byte, v any, opt decodeOptions) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if opt.optional {
			return nil
		}
		return badRequest("request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if opt.strictFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("request body must hold a single JSON value")
	}
	return nil
}

// jsonError turns a decoder error into an INVALID_REQUEST that says where.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("request body is not valid JSON (at byte %d): %v", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return wire.FieldError(typ.Field, fmt.Sprintf("field %q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value))
		}
		return badRequest("request body must be a JSON object, not %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body is truncated JSON")
	}
	// encoding/json has no typed error for DisallowUnknownFields.
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest("unknown field %s", field)
	}
	return badRequest("request body is not valid JSON: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return kind
}
