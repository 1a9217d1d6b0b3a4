// Package wire is the contract's shapes in one place: the SPEC §2 error
// codes and their HTTP statuses, the error body, the event envelope and its
// timestamps, the reply to a command, the command request a client sends
// and the prototype's legacy event names.
//
// http, ws and actors use it, so a code, a field name or a timestamp layout
// is written once. It knows the domain (package model) and nothing else;
// layers above model declare their own errors with a code (Error, or any
// error with a WireCode method), so this package never imports them.
package wire
