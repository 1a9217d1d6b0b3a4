// Package guard holds the checks every request and socket passes before it
// reaches the API: which browser origins and which Host names may use the
// server, and per-client rate limits. The REST layer (package http) and the
// socket layer (configured from cmd/talus) share them, so one policy covers
// both.
//
// The server lives in a browser world: every other page the user has open
// can send it requests. A request without an Origin header is a script or a
// native client and is allowed; a browser request carries its page's Origin,
// which must be allowed. The Host header must name an allowed host, which
// stops DNS rebinding (a page on evil.example whose name now resolves to
// 127.0.0.1 is same-origin to itself, but its requests say Host:
// evil.example).
package guard
