// Command conformance serves the reference servers of both public protocol
// test suites on 127.0.0.1:3000, so the suites themselves (or the npm
// socket.io-client) can check our Engine.IO/Socket.IO layer: the
// socket.io-protocol suite's at /socket.io/, the engine.io-protocol suite's
// echo server at /engine.io/, each with its suite's configuration:
//
//	go run ./test/conformance [-addr 127.0.0.1:3000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "listen address")
	verbose := fs.Bool("v", false, "log every session event")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv, echo := newServer(log), newEngineEcho(log)
	hs := &http.Server{Handler: newHandler(srv, echo), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("conformance server listening", "addr", ln.Addr().String())

	select {
	case err = <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A long poll stays open until the next ping and WebSockets are not the
	// HTTP server's any more: the Socket.IO server ends them as shutdown
	// begins.
	hs.RegisterOnShutdown(func() { _ = srv.Shutdown(shutdownCtx); _ = echo.Shutdown(shutdownCtx) })
	err = hs.Shutdown(shutdownCtx)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
