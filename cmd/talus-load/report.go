package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is what one run measured; -json prints it as is, and the suite
// reads it back.
type Report struct {
	Config ReportConfig `json:"config"`
	Setup  struct {
		Sessions float64 `json:"sessions_s"` // opening every session
		Watchers float64 `json:"watchers_s"` // connecting and joining every watcher
		Warmup   float64 `json:"warmup_s"`
	} `json:"setup"`

	Issued         int64          `json:"commands_issued"`
	OK             int64          `json:"commands_ok"`
	Errors         map[string]int `json:"errors,omitempty"`
	ErrorCount     int            `json:"error_count"`
	Late           int64          `json:"late_starts,omitempty"` // -rate: started >10ms after their slot
	StoppedBy      string         `json:"stopped_by"`            // "count" or "duration"
	DriveSeconds   float64        `json:"drive_s"`               // first command sent to last reply
	CommandsPerSec float64        `json:"commands_per_s"`
	Command        Latency        `json:"command_latency"`

	Events       int64   `json:"events_delivered"` // session events received, all watchers
	EventSeconds float64 `json:"events_s"`         // first command sent to last event received
	EventsPerSec float64 `json:"events_per_s"`
	Delivery     Latency `json:"delivery_latency"` // command sent -> event received, per watcher and event
	DrainError   string  `json:"drain_error,omitempty"`

	Violations     map[string]int `json:"violations,omitempty"`
	ViolationCount int            `json:"violation_count"`
	MissedEvents   uint64         `json:"missed_events"`

	Server       ServerUsage `json:"server"`
	ToolCPUPerOp float64     `json:"tool_cpu_us_per_command"` // this tool's own CPU, for context
	// The machine during the measured phase, in CPUs' worth (2 = both of
	// a 2-CPU machine): what the server and this tool used, what every
	// other process used, and what the hypervisor stole.
	Machine MachineUsage `json:"machine"`
	Pass    bool         `json:"pass"`
}

// MachineUsage says how busy the machine was while the run measured.
type MachineUsage struct {
	Seconds float64 `json:"seconds"`
	Server  float64 `json:"server_cpus"`
	Tool    float64 `json:"tool_cpus"`
	Others  float64 `json:"others_cpus"`  // busy in processes minus server and tool: other processes
	SoftIRQ float64 `json:"softirq_cpus"` // the kernel's network work, for every process
	Steal   float64 `json:"steal_cpus"`
	Error   string  `json:"error,omitempty"`
}

// ReportConfig repeats the flags that shape a run.
type ReportConfig struct {
	URL          string  `json:"url"`
	Sessions     int     `json:"sessions"`
	Watchers     int     `json:"watchers_per_session"`
	Transport    string  `json:"transport"`
	Via          string  `json:"via"`
	Mix          string  `json:"mix"`
	Commands     int     `json:"commands"`
	Warmup       int     `json:"warmup"`
	Parallel     int     `json:"parallel"`
	Rate         float64 `json:"rate,omitempty"`
	IncludeGraph bool    `json:"include_graph"`
	ProjectNodes int     `json:"project_nodes,omitempty"`
}

func reportConfig(cfg config) ReportConfig {
	return ReportConfig{
		URL: cfg.url, Sessions: cfg.sessions, Watchers: cfg.watchers, Transport: cfg.transport, Via: cfg.via,
		Mix: cfg.mix, Commands: cfg.commands, Warmup: cfg.warmup, Parallel: cfg.parallel, Rate: cfg.rate,
		IncludeGraph: cfg.includeGraph, ProjectNodes: cfg.projectNodes,
	}
}

// ServerUsage is what /proc said of the server, with -server-pid.
type ServerUsage struct {
	PID           int     `json:"pid,omitempty"`
	CPUSeconds    float64 `json:"cpu_s"` // user + system during the measured phase
	CPUPerCommand float64 `json:"cpu_us_per_command"`
	CPUPerEvent   float64 `json:"cpu_us_per_event"` // the same CPU, divided by the events delivered
	// Resident memory at three moments, all of it (VmRSS) and the
	// anonymous part (RssAnon: without mapped files).
	RSSStartKB       int64   `json:"rss_start_kb"`
	RSSSessionsKB    int64   `json:"rss_sessions_kb"` // after opening the sessions
	RSSWatchersKB    int64   `json:"rss_watchers_kb"` // after connecting the watchers
	AnonStartKB      int64   `json:"anon_start_kb"`
	AnonSessionsKB   int64   `json:"anon_sessions_kb"`
	AnonWatchersKB   int64   `json:"anon_watchers_kb"`
	KBPerSession     float64 `json:"kb_per_session"`
	KBPerConn        float64 `json:"kb_per_connection"`
	AnonKBPerSession float64 `json:"anon_kb_per_session"`
	AnonKBPerConn    float64 `json:"anon_kb_per_connection"`
	Error            string  `json:"error,omitempty"`
}

// serverProbe reads the server's CPU and RSS from /proc, summed over its
// processes (a cluster's servers); with no pid it reads nothing.
type serverProbe struct {
	pids []int
	err  error
}

func newServerProbe(pids []int) *serverProbe { return &serverProbe{pids: pids} }

func (p *serverProbe) cpu() time.Duration {
	var sum time.Duration
	for _, pid := range p.pids {
		d, err := procCPU(pid)
		if err != nil && p.err == nil {
			p.err = err
		}
		sum += d
	}
	return sum
}

// mem waits settle (letting the server finish what setup started), then
// reads its RSS and anonymous RSS.
func (p *serverProbe) mem(ctx context.Context, settle time.Duration, rss, anon *int64) {
	if len(p.pids) == 0 {
		return
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
	}
	*rss, *anon = 0, 0
	for _, pid := range p.pids {
		r, a, err := procMem(pid)
		if err != nil && p.err == nil {
			p.err = err
		}
		*rss, *anon = *rss+r, *anon+a
	}
}

func (p *serverProbe) ok() error { return p.err }

// fill computes the report's figures from what the run counted.
func (r *runner) fill(rep *Report, serverCPU, toolCPU time.Duration, machine machineCPU, wall time.Duration, probeErr error) {
	cfg := r.cfg
	if wall > 0 {
		cpus := func(d time.Duration) float64 { return d.Seconds() / wall.Seconds() }
		rep.Machine.Seconds = wall.Seconds()
		rep.Machine.Server, rep.Machine.Tool = cpus(serverCPU), cpus(toolCPU)
		rep.Machine.Others = max(0, cpus(machine.busy-serverCPU-toolCPU))
		rep.Machine.SoftIRQ, rep.Machine.Steal = cpus(machine.softirq), cpus(machine.steal)
	}
	rep.Issued, rep.OK, rep.Late = r.issued.Load(), r.ok.Load(), r.late.Load()
	rep.Errors, rep.ErrorCount = r.errs.snapshot(), r.errs.total()
	if rep.DriveSeconds > 0 {
		rep.CommandsPerSec = float64(rep.OK) / rep.DriveSeconds
	}
	rep.Command = r.cmdLatency.summary()
	rep.Events = r.events.Load()
	if rep.EventSeconds > 0 {
		rep.EventsPerSec = float64(rep.Events) / rep.EventSeconds
	}
	rep.Delivery = r.delivery.summary()
	rep.Violations, rep.ViolationCount = r.violations.snapshot(), r.violations.total()
	rep.MissedEvents = r.missed.Load()
	if rep.OK > 0 {
		rep.ToolCPUPerOp = float64(toolCPU.Microseconds()) / float64(rep.OK)
	}

	s := &rep.Server
	if cfg.serverPID != 0 {
		s.PID = cfg.serverPID
		s.CPUSeconds = serverCPU.Seconds()
		if rep.OK > 0 {
			s.CPUPerCommand = float64(serverCPU.Microseconds()) / float64(rep.OK)
		}
		if rep.Events > 0 {
			s.CPUPerEvent = float64(serverCPU.Microseconds()) / float64(rep.Events)
		}
		s.KBPerSession = float64(s.RSSSessionsKB-s.RSSStartKB) / float64(cfg.sessions)
		s.AnonKBPerSession = float64(s.AnonSessionsKB-s.AnonStartKB) / float64(cfg.sessions)
		if n := cfg.sessions * cfg.watchers; n > 0 {
			s.KBPerConn = float64(s.RSSWatchersKB-s.RSSSessionsKB) / float64(n)
			s.AnonKBPerConn = float64(s.AnonWatchersKB-s.AnonSessionsKB) / float64(n)
		}
		if probeErr != nil {
			s.Error = probeErr.Error()
		}
	}
	rep.Pass = rep.ViolationCount == 0 && rep.ErrorCount == 0 && rep.DrainError == "" && int(rep.OK) == int(rep.Issued)
}

func (rep *Report) writeJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func (rep *Report) writeText(out io.Writer) {
	c := rep.Config
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	pf("talus-load  %s\n", c.URL)
	load := fmt.Sprintf("%d in flight", c.Parallel)
	if c.Rate > 0 {
		load = fmt.Sprintf("%g/s target, up to %d in flight", c.Rate, c.Parallel)
	}
	pf("  %d sessions x %d %s watchers; %d %s commands over %s, %s, include_graph=%v\n",
		c.Sessions, c.Watchers, c.Transport, c.Commands, c.Mix, c.Via, load, c.IncludeGraph)
	pf("  setup      sessions %.2fs  watchers %.2fs  warm-up %d commands %.2fs (not measured)\n",
		rep.Setup.Sessions, rep.Setup.Watchers, c.Warmup, rep.Setup.Warmup)
	if c.Commands > 0 {
		pf("  commands   %d ok of %d in %.3fs (stopped by %s) = %.0f commands/s\n",
			rep.OK, rep.Issued, rep.DriveSeconds, rep.StoppedBy, rep.CommandsPerSec)
		pf("  latency    p50 %s  p90 %s  p99 %s  max %s\n",
			ms(rep.Command.P50), ms(rep.Command.P90), ms(rep.Command.P99), ms(rep.Command.Max))
		if c.Rate > 0 {
			pf("  late       %d commands started >10ms after their slot\n", rep.Late)
		}
	}
	if c.Watchers > 0 && c.Commands > 0 {
		pf("  events     %d delivered in %.3fs = %.0f events/s\n", rep.Events, rep.EventSeconds, rep.EventsPerSec)
		pf("  delivery   p50 %s  p90 %s  p99 %s  max %s (command sent -> event received)\n",
			ms(rep.Delivery.P50), ms(rep.Delivery.P90), ms(rep.Delivery.P99), ms(rep.Delivery.Max))
	}
	if s := rep.Server; s.PID != 0 {
		pf("  server     pid %d  CPU %.2fs", s.PID, s.CPUSeconds)
		if rep.OK > 0 {
			pf(" = %.0f µs/command", s.CPUPerCommand)
		}
		if rep.Events > 0 {
			pf(", %.1f µs/event delivered", s.CPUPerEvent)
		}
		pf("\n  memory     RSS %d KB at start, %d KB with sessions (%.1f KB/session), %d KB with watchers",
			s.RSSStartKB, s.RSSSessionsKB, s.KBPerSession, s.RSSWatchersKB)
		if c.Watchers > 0 {
			pf(" (%.1f KB/connection)", s.KBPerConn)
		}
		pf("\n             anonymous %d, %d (%.1f KB/session), %d KB", s.AnonStartKB, s.AnonSessionsKB, s.AnonKBPerSession, s.AnonWatchersKB)
		if c.Watchers > 0 {
			pf(" (%.1f KB/connection)", s.AnonKBPerConn)
		}
		pf("\n")
		if s.Error != "" {
			pf("  server     /proc: %s\n", s.Error)
		}
	}
	if rep.OK > 0 {
		pf("  tool       %.0f µs CPU/command (this process, sharing the machine)\n", rep.ToolCPUPerOp)
	}
	if m := rep.Machine; m.Seconds > 0 {
		pf("  machine    over %.1fs, in CPUs: server %.2f, tool %.2f, other processes %.2f, kernel softirq %.2f, stolen by the hypervisor %.2f\n",
			m.Seconds, m.Server, m.Tool, m.Others, m.SoftIRQ, m.Steal)
	}
	if rep.Machine.Error != "" {
		pf("  machine    /proc/stat: %s\n", rep.Machine.Error)
	}
	pf("  errors     %s\n", kinds(rep.Errors))
	pf("  violations %s", kinds(rep.Violations))
	if rep.MissedEvents > 0 {
		pf(" (%d events missed)", rep.MissedEvents)
	}
	pf("\n")
	if rep.DrainError != "" {
		pf("  drain      %s\n", rep.DrainError)
	}
	verdict := "PASS"
	if !rep.Pass {
		verdict = "FAIL"
	}
	pf("  result     %s\n", verdict)
	_, _ = io.WriteString(out, b.String())
}

func ms(v float64) string { return fmt.Sprintf("%.2fms", v) }

func kinds(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKinds(m) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
