package http

import (
	"encoding/json"
	nethttp "net/http"
	"slices"
	"sync"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
	"github.com/talus-tally/server/model/wire"
)

// replyBufs holds reply buffers between requests: a reply is written and
// done with before the handler returns.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledReply keeps one large reply (a big graph) from pinning its
// buffer in the pool.
const maxPooledReply = 64 << 10

// internalErrorBody answers a reply that cannot be encoded: the wire's
// internal error, encoded once. Clipped, so appending to it copies.
var internalErrorBody = func() []byte {
	b, _ := json.Marshal(wire.ErrorBody{Error: wire.From(model.ErrInternal)})
	return slices.Clip(b)
}()

var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// writeJSON answers v as JSON with status. An encoding failure is a bug in
// this package; it is logged, and the client gets what was written so far.
func (s *Server) writeJSON(w nethttp.ResponseWriter, r *nethttp.Request, status int, v any) {
	bp := replyBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledReply {
			replyBufs.Put(bp)
		}
	}()
	body, err := jsonx.Append((*bp)[:0], v)
	*bp = body[:0]
	if err != nil {
		s.log.Error("encode response", "method", r.Method, "path", r.URL.Path, "err", err)
		status = nethttp.StatusInternalServerError
		body = internalErrorBody
	}
	h := w.Header()
	// Shared, full slices: net/http copies headers as it writes them, and
	// an Add would append to a copy.
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
	body = append(body, '\n')
	_, _ = w.Write(body) // a client that went away is not our error
}
