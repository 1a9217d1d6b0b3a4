// Package jsonx reads and writes the JSON of the hot path without
// reflection: a request's object members in one pass, and the few types
// every command writes (event payloads, journal records, replies), each
// appending exactly the bytes encoding/json would write for it.
//
// Everything else still goes through encoding/json; this package is for the
// handful of shapes that every request touches, where reflection and its
// allocations were most of the cost.
package jsonx
