package cluster

import (
	"fmt"
	"log/slog"
	"strings"
)

// natsLogger passes the embedded NATS server's log to ours: its notices at
// debug level (they are chatty), warnings and errors as such.
type natsLogger struct{ l *slog.Logger }

func (n natsLogger) Noticef(format string, v ...any) { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Warnf(format string, v ...any)   { n.l.Warn(fmt.Sprintf(format, v...)) }
func (n natsLogger) Fatalf(format string, v ...any)  { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Debugf(format string, v ...any)  { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Tracef(string, ...any)           {}

// Errorf logs NATS's errors, but those of a route it keeps trying to
// connect (a peer not started yet, or stopped) at debug level: the
// cluster's health says whether a quorum is there.
func (n natsLogger) Errorf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if strings.HasPrefix(msg, "Error trying to connect to route") {
		n.l.Debug(msg)
		return
	}
	n.l.Error(msg)
}
