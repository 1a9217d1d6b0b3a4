// Command talus-load measures live fan-out: it opens a project, joins N
// Socket.IO clients to its session, drives commands through REST and reports
// how many events reached the clients per second and how long each took
// from the command's request to its delivery. Every run is bounded in count
// and time; point it only at a server on this machine.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/talus-tally/server/ws/sioclient"
)

type config struct {
	url      string
	clients  int
	commands int
	parallel int
	duration time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "talus-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("talus-load", flag.ContinueOnError)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:5000", "server base URL (loopback only)")
	fs.IntVar(&cfg.clients, "clients", 100, "socket clients watching the session")
	fs.IntVar(&cfg.commands, "commands", 2000, "commands to send")
	fs.IntVar(&cfg.parallel, "parallel", 4, "commands in flight at once")
	fs.DurationVar(&cfg.duration, "duration", time.Minute, "upper bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.clients < 1 || cfg.commands < 1 || cfg.parallel < 1 {
		return errors.New("-clients, -commands and -parallel must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()

	sid, rootID, err := openProject(ctx, cfg.url)
	if err != nil {
		return err
	}
	watchers, err := joinAll(ctx, cfg, sid)
	if err != nil {
		return err
	}
	defer func() {
		for _, w := range watchers {
			w.c.Close()
		}
	}()

	sent := make([]time.Time, cfg.commands)
	start := time.Now()
	cmdErr := drive(ctx, cfg, sid, rootID, sent)
	driven := time.Since(start)

	var wg sync.WaitGroup
	for _, w := range watchers {
		wg.Add(1)
		go func() { defer wg.Done(); w.collect(ctx, cfg.commands, sent) }()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(out, cfg, watchers, driven, elapsed)
	return cmdErr
}

// openProject creates a restomod project and returns its session and root.
func openProject(ctx context.Context, base string) (sid, rootID string, err error) {
	var res struct {
		SessionID string `json:"session_id"`
		Graph     struct {
			Roots []struct {
				ID string `json:"id"`
			} `json:"roots"`
		} `json:"graph"`
	}
	if err := post(ctx, base+"/api/v1/projects", map[string]string{"template_id": "restomod", "project_name": "load"}, &res); err != nil {
		return "", "", fmt.Errorf("create project: %w", err)
	}
	if len(res.Graph.Roots) == 0 {
		return "", "", errors.New("create project: no root node in the reply")
	}
	return res.SessionID, res.Graph.Roots[0].ID, nil
}

// watcher is one socket client and what it measured.
type watcher struct {
	c         *sioclient.Client
	latencies []time.Duration
	received  int // property events of this run's commands
	events    int // every session event, of any kind
	gaps      int
	last      time.Time
}

func joinAll(ctx context.Context, cfg config, sid string) ([]*watcher, error) {
	ws := make([]*watcher, cfg.clients)
	for i := range ws {
		// Buffer every event the run can cause, so the client itself never
		// holds the server back and the figures are the server's.
		c, err := sioclient.Dial(ctx, cfg.url, "/graph", map[string]string{"session_id": sid}, 4*cfg.commands+cfg.clients+16)
		if err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		ws[i] = &watcher{c: c, latencies: make([]time.Duration, 0, cfg.commands)}
		if err := waitFor(ctx, c, "joined"); err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
	}
	return ws, nil
}

func waitFor(ctx context.Context, c *sioclient.Client, name string) error {
	for {
		select {
		case ev := <-c.Events():
			if ev.Name == name {
				return nil
			}
			if ev.Name == "error" {
				return fmt.Errorf("server said %s", ev.Args)
			}
		case <-c.Done():
			return c.Err()
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", name, ctx.Err())
		}
	}
}

// drive sends the commands, parallel at a time, noting when each was sent.
func drive(ctx context.Context, cfg config, sid, rootID string, sent []time.Time) error {
	next := make(chan int)
	errs := make(chan error, cfg.parallel)
	var wg sync.WaitGroup
	for range cfg.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				sent[n] = time.Now()
				body := map[string]any{
					"session_id": sid, "command_type": "UpdateProperty", "include_graph": false,
					"command_id": "load-" + strconv.Itoa(n),
					"data":       map[string]any{"node_id": rootID, "property_id": "vin", "value": "VIN-" + strconv.Itoa(n)},
				}
				if err := post(ctx, cfg.url+"/api/v1/commands/execute", body, nil); err != nil {
					errs <- fmt.Errorf("command %d: %w", n, err)
					return
				}
			}
		}()
	}
	var err error
feed:
	for n := range cfg.commands {
		select {
		case next <- n:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// collect reads events until it has seen every command's property change
// (or the run's time is up), measuring delivery latency and seq gaps.
func (w *watcher) collect(ctx context.Context, commands int, sent []time.Time) {
	var lastSeq uint64
	for w.received < commands {
		select {
		case ev := <-w.c.Events():
			if len(ev.Args) == 0 {
				continue
			}
			var p struct {
				Seq       uint64 `json:"seq"`
				CommandID string `json:"command_id"`
			}
			if json.Unmarshal(ev.Args[0], &p) != nil || p.Seq == 0 {
				continue
			}
			w.events++
			if lastSeq != 0 && p.Seq != lastSeq+1 {
				w.gaps++
			}
			lastSeq = p.Seq
			if ev.Name != "graph:property-changed" {
				continue
			}
			n, err := strconv.Atoi(p.CommandID[len("load-"):])
			if err != nil || n < 0 || n >= len(sent) {
				continue
			}
			w.received++
			w.latencies = append(w.latencies, ev.Received.Sub(sent[n]))
			w.last = ev.Received
		case <-w.c.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

func report(out io.Writer, cfg config, ws []*watcher, driven, elapsed time.Duration) {
	var all []time.Duration
	delivered, events, gaps := 0, 0, 0
	for _, w := range ws {
		all = append(all, w.latencies...)
		delivered += w.received
		events += w.events
		gaps += w.gaps
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	expected := cfg.clients * cfg.commands
	fmt.Fprintf(out, "clients=%d commands=%d parallel=%d\n", cfg.clients, cfg.commands, cfg.parallel)
	fmt.Fprintf(out, "commands/s=%.0f (REST, acknowledged)\n", float64(cfg.commands)/driven.Seconds())
	fmt.Fprintf(out, "delivered=%d/%d property events, seq gaps=%d\n", delivered, expected, gaps)
	fmt.Fprintf(out, "events/s delivered=%.0f (every kind, all clients; property events/s=%.0f)\n",
		float64(events)/elapsed.Seconds(), float64(delivered)/elapsed.Seconds())
	fmt.Fprintf(out, "latency request->delivery: p50=%v p99=%v max=%v\n", pct(0.50), pct(0.99), pct(1))
}

// httpClient keeps a connection per driver goroutine instead of the default
// two, so the run measures the server rather than TCP handshakes.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func post(ctx context.Context, url string, body, into any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", res.Status, data)
	}
	if into != nil {
		return json.Unmarshal(data, into)
	}
	return nil
}
