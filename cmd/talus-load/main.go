// Command talus-load puts a Talus Tally server (ours, or the Node reference
// in test/reference) under load and checks that it stays correct. It opens
// sessions (each a project, new or imported), joins socket watchers to
// them (WebSocket, polling or both), drives commands over REST or the
// sockets, as fast as -parallel allows or at -rate, and reports commands/s,
// command and delivery latency, events/s, errors by kind, and — with
// -server-pid — the server's CPU per command and memory per session and per
// connection. Every watcher must receive every event of its session in seq
// order, with no gap and nothing of another session; any violation, and any
// failed command, fails the run (exit status 1).
//
// Runs are bounded by -commands and -duration (the measured phase) and by
// -timeout (everything), and talk only to a server on this machine.
//
// `talus-load suite` runs the comparison behind `make load` (see suite.go).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	url            string
	sessions       int
	watchers       int // per session
	transport      string
	via            string
	mix            string
	commands       int
	warmup         int
	parallel       int
	rate           float64
	duration       time.Duration
	timeout        time.Duration
	drain          time.Duration
	requestTimeout time.Duration
	includeGraph   bool
	maxNodes       int
	projectNodes   int
	serverPID      int   // the first of serverPIDs, 0 for none
	serverPIDs     []int // -server-pid: the server's processes (a cluster's several)
	urls           []string
	spread         string
	settle         time.Duration
	dialParallel   int
	json           bool
	cpuProfile     string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "suite" {
		err = runSuite(ctx, os.Args[2:], os.Stdout, os.Stderr)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "talus-load:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("talus-load", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:5000", "server base URL (loopback only); several, comma-separated, load the servers of a cluster (see -spread)")
	fs.StringVar(&cfg.spread, "spread", "session", "with several -url: session (session i is opened on the i-th server, round robin, and its commands and watchers go there) or request (each command goes to the next server in turn, which forwards it to the session's owner)")
	fs.IntVar(&cfg.sessions, "sessions", 1, "sessions to open, each with its own project")
	fs.IntVar(&cfg.watchers, "watchers", 0, "socket watchers joined to each session")
	fs.StringVar(&cfg.transport, "transport", "websocket", "watchers' transport: websocket, polling or mixed (alternating)")
	fs.StringVar(&cfg.via, "via", "rest", "send commands over rest, socket (execute_command with ack, on the session's watchers) or mixed")
	fs.StringVar(&cfg.mix, "mix", "crud", "commands: crud (create, update, rename, delete; one in flight per session) or update (UpdateProperty of the root)")
	fs.IntVar(&cfg.commands, "commands", 1000, "measured commands in all, round-robin over the sessions (0: only open and connect)")
	fs.IntVar(&cfg.warmup, "warmup", 0, "commands sent before measuring, not counted")
	fs.IntVar(&cfg.parallel, "parallel", 1, "commands in flight at once")
	fs.Float64Var(&cfg.rate, "rate", 0, "target commands/s in all (0: as fast as -parallel allows); latency counts from each command's slot")
	fs.DurationVar(&cfg.duration, "duration", time.Minute, "longest measured phase: no command starts after it")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Minute, "bound on the whole run, setup and drain included")
	fs.DurationVar(&cfg.drain, "drain", 15*time.Second, "how long watchers may take, after the last reply, to receive every event")
	fs.DurationVar(&cfg.requestTimeout, "request-timeout", 30*time.Second, "bound on one request")
	fs.BoolVar(&cfg.includeGraph, "include-graph", false, "ask for the graph in every command reply")
	fs.IntVar(&cfg.maxNodes, "max-nodes", 50, "crud mix: nodes per session before it deletes as well as creates")
	fs.IntVar(&cfg.projectNodes, "project-nodes", 0, "open each session by importing a project of this many nodes (0: a new, one-node project)")
	pids := fs.String("server-pid", "", "server process to read CPU and RSS of (/proc/PID); several, comma-separated, are summed (a cluster's servers)")
	fs.DurationVar(&cfg.settle, "settle", time.Second, "with -server-pid: pause before each RSS reading")
	fs.IntVar(&cfg.dialParallel, "dial-parallel", 32, "sessions opened and sockets connected at once during setup")
	fs.BoolVar(&cfg.json, "json", false, "print the report as JSON")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write this tool's CPU profile to the file (to keep the tool light)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	for p := range strings.SplitSeq(*pids, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pid, err := strconv.Atoi(p)
		if err != nil || pid <= 0 {
			return cfg, fmt.Errorf("-server-pid %q: want process ids", *pids)
		}
		cfg.serverPIDs = append(cfg.serverPIDs, pid)
	}
	if len(cfg.serverPIDs) > 0 {
		cfg.serverPID = cfg.serverPIDs[0]
	}
	for u := range strings.SplitSeq(cfg.url, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.urls = append(cfg.urls, strings.TrimSuffix(u, "/"))
		}
	}
	return cfg, cfg.validate()
}

func (cfg config) validate() error {
	var errs []error
	if cfg.sessions < 1 || cfg.watchers < 0 || cfg.commands < 0 || cfg.warmup < 0 || cfg.parallel < 1 ||
		cfg.dialParallel < 1 || cfg.maxNodes < 1 || cfg.projectNodes < 0 {
		errs = append(errs, errors.New("-sessions, -parallel, -dial-parallel and -max-nodes must be positive; -watchers, -commands, -warmup and -project-nodes not negative"))
	}
	if cfg.rate < 0 || cfg.duration <= 0 || cfg.timeout <= 0 || cfg.drain <= 0 || cfg.requestTimeout <= 0 {
		errs = append(errs, errors.New("-rate must not be negative; -duration, -timeout, -drain and -request-timeout must be positive"))
	}
	switch cfg.transport {
	case "websocket", "polling", "mixed":
	default:
		errs = append(errs, fmt.Errorf("-transport %q: want websocket, polling or mixed", cfg.transport))
	}
	switch cfg.via {
	case "rest":
	case "socket", "mixed":
		if cfg.watchers < 1 {
			errs = append(errs, fmt.Errorf("-via %s sends on the watchers: it needs -watchers of at least 1", cfg.via))
		}
	default:
		errs = append(errs, fmt.Errorf("-via %q: want rest, socket or mixed", cfg.via))
	}
	switch cfg.mix {
	case "crud", "update":
	default:
		errs = append(errs, fmt.Errorf("-mix %q: want crud or update", cfg.mix))
	}
	if len(cfg.urls) == 0 {
		errs = append(errs, errors.New("-url: none given"))
	}
	for _, u := range cfg.urls {
		if err := loopbackOnly(u); err != nil {
			errs = append(errs, err)
		}
	}
	switch cfg.spread {
	case "session", "request":
	default:
		errs = append(errs, fmt.Errorf("-spread %q: want session or request", cfg.spread))
	}
	return errors.Join(errs...)
}

// loopbackOnly refuses a URL that is not http on this machine: load is
// never sent anywhere else.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("-url %q: want http://127.0.0.1:PORT", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-url %q: only a server on this machine (127.0.0.0/8, ::1, localhost)", raw)
	}
	return nil
}

// runner is one run: its sessions and sockets and what it measured.
type runner struct {
	cfg   config
	nonce string // keeps this run's command ids apart from any other's
	rest  *http.Client
	poll  *http.Client

	sessions []*session
	watchers []*watcher
	next     atomic.Uint64 // -spread request: the server of the next command

	sentAt     []atomic.Int64 // measured command n: when it was sent (or due), unix ns
	issued     atomic.Int64
	ok         atomic.Int64
	late       atomic.Int64
	lastAck    atomic.Int64
	events     atomic.Int64 // session events watchers received while measuring
	lastEvent  atomic.Int64
	missed     atomic.Uint64 // events skipped by gaps
	measuring  atomic.Bool
	closing    atomic.Bool
	cmdLatency histogram
	delivery   histogram
	errs       tally
	violations tally
}

func (r *runner) prefix(tag string) string { return tag + r.nonce + "-" }

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	conns := cfg.parallel + cfg.dialParallel + 16
	r := &runner{
		cfg:    cfg,
		nonce:  hex.EncodeToString(nonce),
		rest:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, DisableCompression: true}},
		poll:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2*cfg.sessions*cfg.watchers + 16, DisableCompression: true}},
		sentAt: make([]atomic.Int64, cfg.commands),
	}
	defer r.rest.CloseIdleConnections()
	defer r.poll.CloseIdleConnections()
	rep, err := r.run(ctx)
	r.close()
	if err != nil {
		return err
	}
	if cfg.json {
		err = rep.writeJSON(out)
	} else {
		rep.writeText(out)
	}
	if err != nil {
		return err
	}
	if !rep.Pass {
		return fmt.Errorf("run failed: %d violations, %d command errors", rep.ViolationCount, rep.ErrorCount)
	}
	return nil
}

// run sets up, warms up, measures and drains, and returns the report. An
// error means setup failed: there is nothing to report.
func (r *runner) run(ctx context.Context) (*Report, error) {
	cfg := r.cfg
	rep := &Report{Config: reportConfig(cfg)}
	server := newServerProbe(cfg.serverPIDs)

	server.mem(ctx, cfg.settle, &rep.Server.RSSStartKB, &rep.Server.AnonStartKB)
	t := time.Now()
	r.sessions = make([]*session, cfg.sessions)
	if err := parallel(ctx, cfg.sessions, cfg.dialParallel, func(ctx context.Context, i int) error {
		s, err := r.open(ctx, i)
		r.sessions[i] = s
		if err != nil {
			return fmt.Errorf("open session %d: %w", i, err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	rep.Setup.Sessions = time.Since(t).Seconds()
	server.mem(ctx, cfg.settle, &rep.Server.RSSSessionsKB, &rep.Server.AnonSessionsKB)

	t = time.Now()
	for _, s := range r.sessions {
		s.watchers = make([]*watcher, cfg.watchers)
		for k := range s.watchers {
			s.watchers[k] = newWatcher(r, s)
			r.watchers = append(r.watchers, s.watchers[k])
		}
	}
	if err := parallel(ctx, len(r.watchers), cfg.dialParallel, func(ctx context.Context, i int) error {
		ctx, cancel := context.WithTimeout(ctx, cfg.requestTimeout)
		defer cancel()
		if err := r.watchers[i].dial(ctx, transportOf(cfg.transport, i)); err != nil {
			return fmt.Errorf("watcher %d: %w", i, err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Setup is done when every watcher has the session:connected events
	// the joins caused: none of them may count as measured.
	if err := r.awaitWatchers(ctx); err != nil {
		return nil, fmt.Errorf("after joining: %w", err)
	}
	rep.Setup.Watchers = time.Since(t).Seconds()
	server.mem(ctx, cfg.settle, &rep.Server.RSSWatchersKB, &rep.Server.AnonWatchersKB)

	if cfg.warmup > 0 {
		t = time.Now()
		r.drive(ctx, ctx, phase{tag: "W", count: cfg.warmup})
		if err := r.awaitWatchers(ctx); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
		rep.Setup.Warmup = time.Since(t).Seconds()
	}

	// The measured phase: from here to the last event delivered.
	cpu0, self0 := server.cpu(), selfCPU()
	m0, mErr := readMachineCPU()
	r.measuring.Store(true)
	start := time.Now()
	stop, cancelStop := context.WithTimeout(ctx, cfg.duration)
	r.drive(ctx, stop, phase{tag: "L", count: cfg.commands, measure: true})
	rep.StoppedBy = "count"
	if stop.Err() != nil && int(r.issued.Load()) < cfg.commands {
		rep.StoppedBy = "duration"
	}
	cancelStop()
	rep.DriveSeconds = since(start, r.lastAck.Load())
	if len(r.watchers) > 0 {
		if err := r.awaitWatchers(ctx); err != nil {
			rep.DrainError = err.Error()
		}
		rep.EventSeconds = since(start, r.lastEvent.Load())
	}
	r.measuring.Store(false)
	cpu1, self1 := server.cpu(), selfCPU()
	m1, err := readMachineCPU()
	wall := time.Since(start)
	if mErr = errors.Join(mErr, err); mErr != nil {
		rep.Machine.Error = mErr.Error()
	}

	// A socket the server closed missed whatever came after; whatever a
	// watcher still lacks now never came. Once its socket is closed (its
	// reader has returned), its checker may be read here.
	for _, w := range r.watchers {
		if w.ended() {
			r.violations.add(vDropped, 1)
		}
	}
	r.close()
	for _, w := range r.watchers {
		if missing := w.chk.finish(w.s.final); missing > 0 {
			r.violations.add(vMissing, 1)
			r.missed.Add(missing)
		}
	}
	machine := machineCPU{busy: m1.busy - m0.busy, softirq: m1.softirq - m0.softirq, steal: m1.steal - m0.steal}
	if cfg.serverPID == 0 {
		// Without the server's pid its CPU counts as others'.
		cpu0, cpu1 = 0, 0
	}
	r.fill(rep, cpu1-cpu0, self1-self0, machine, wall, server.ok())
	return rep, nil
}

// awaitWatchers learns each session's seq and waits, at most -drain, until
// every watcher has received up to it.
func (r *runner) awaitWatchers(ctx context.Context) error {
	if len(r.watchers) == 0 {
		return nil
	}
	if err := parallel(ctx, len(r.sessions), r.cfg.dialParallel, func(ctx context.Context, i int) error {
		return r.finalSeq(ctx, r.sessions[i])
	}); err != nil {
		return fmt.Errorf("final seq: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.drain)
	defer cancel()
	if !r.caughtUp(ctx) {
		return fmt.Errorf("watchers still behind after -drain %v", r.cfg.drain)
	}
	return nil
}

// close ends every socket and waits for their readers. It may be called
// more than once.
func (r *runner) close() {
	if r.closing.Swap(true) {
		return
	}
	var wg sync.WaitGroup
	for _, w := range r.watchers {
		if w.c == nil {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.c.Close(); <-w.c.Done() }()
	}
	wg.Wait()
}

func transportOf(mode string, i int) string {
	switch {
	case mode == "polling", mode == "mixed" && i%2 == 1:
		return "polling"
	}
	return "websocket"
}

// parallel runs f(0..n-1), p at a time, and returns the first error (which
// cancels the ctx the others get).
func parallel(ctx context.Context, n, p int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(n, p) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func since(start time.Time, unixNano int64) float64 {
	if unixNano == 0 {
		return 0
	}
	return time.Unix(0, unixNano).Sub(start).Seconds()
}
