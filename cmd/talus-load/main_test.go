package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
)

// TestRunDeliversEverything runs a small bounded load against a real server
// and checks the report counts every event, with no seq gap.
func TestRunDeliversEverything(t *testing.T) {
	catalog, errs := model.LoadCatalog("")
	require.Empty(t, errs)
	log := slog.New(slog.DiscardHandler)
	sessions, err := actors.Start(actors.Config{Catalog: catalog, Logger: log})
	require.NoError(t, err)
	sockets := ws.New(ws.Config{Logger: log}, sessions)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", sockets)
	mux.Handle("/", talushttp.New(talushttp.Config{}, sessions, catalog, log))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sockets.Shutdown(ctx)
		srv.Close()
		_ = sessions.Stop(ctx)
	})

	var out bytes.Buffer
	err = run(context.Background(), []string{"-url", srv.URL, "-clients", "5", "-commands", "40", "-parallel", "2", "-duration", "30s"}, &out)
	require.NoError(t, err, out.String())
	require.Regexp(t, regexp.MustCompile(`delivered=200/200 property events, seq gaps=0`), out.String())
}

func TestRunRefusesBadFlags(t *testing.T) {
	require.Error(t, run(context.Background(), []string{"-clients", "0"}, &bytes.Buffer{}))
}
