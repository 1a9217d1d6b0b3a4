// Package socketio implements the server side of the Socket.IO protocol,
// version 5, on top of package engineio: the packet codec, namespaces,
// sockets, events and acknowledgements.
//
// Namespaces are registered with Server.Of; a CONNECT to any other gets
// CONNECT_ERROR {"message":"Invalid namespace"}. A connection that joins no
// namespace within Config.ConnectTimeout is closed. A malformed packet closes
// the whole connection, as the spec requires.
//
// Binary attachments are supported: an incoming BINARY_EVENT is held until
// its attachments (the following binary Engine.IO messages) have arrived,
// then delivered with its placeholders intact in the arguments and the bytes
// alongside (see Socket.OnBinary and AttachmentIndex). Outgoing top-level
// arguments of type Binary become placeholders plus attachments.
//
// The server answers the client's acknowledgement requests (AckFunc) but
// never asks the client for one, so incoming ACK packets are ignored.
//
// A Server owns its namespaces; each Engine.IO connection has one client that
// owns the sockets (one per namespace joined). Handlers run on the
// connection's receive goroutine, one at a time, in arrival order.
package socketio
