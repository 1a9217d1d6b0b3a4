package main

// The suite's cluster runs: three of our servers on this machine as one
// cluster (README Scale-out), beside one server, on the same load.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Cluster server kinds: three servers, data directories on tmpfs, every
// journal record on all three (acknowledged once two hold it).
const (
	goCluster    = "cluster"     // a session's commands go to the server it was opened on, its owner
	goClusterFwd = "cluster-fwd" // each command to the next server in turn: two in three are forwarded
	clusterSize  = 3
)

// runCluster is runOne for the cluster kinds.
func (cfg *suiteConfig) runCluster(ctx context.Context, sc scenario, kind string, v variant, round int) (*Report, error) {
	type server struct {
		addr, route, dir string
		cmd              *exec.Cmd
		log              *os.File
	}
	servers := make([]*server, clusterSize)
	for i := range servers {
		http, err := freePort()
		if err != nil {
			return nil, err
		}
		route, err := freePort()
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp(cfg.shmDir, "talus-load-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		logf, err := os.Create(filepath.Join(cfg.logDir, fmt.Sprintf("%s-%d-%s-n%d.log", sc.name, round+1, kind, i+1)))
		if err != nil {
			return nil, err
		}
		defer logf.Close()
		servers[i] = &server{addr: "127.0.0.1:" + strconv.Itoa(http), route: "127.0.0.1:" + strconv.Itoa(route), dir: dir, log: logf}
	}
	var urls, pids []string
	for i, s := range servers {
		var peers []string
		for j, o := range servers {
			if j != i {
				peers = append(peers, o.route)
			}
		}
		s.cmd = exec.Command(cfg.talus, "-addr", s.addr, "-data-dir", s.dir, "-log-level", "warn", "-idle-timeout", "0",
			"-cluster", s.route, "-cluster-peers", strings.Join(peers, ","), "-cluster-node", fmt.Sprintf("n%d", i+1))
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		if err := s.cmd.Start(); err != nil {
			return nil, err
		}
		defer stopServer(s.cmd)
		urls = append(urls, "http://"+s.addr)
		pids = append(pids, strconv.Itoa(s.cmd.Process.Pid))
	}
	for _, s := range servers {
		// A cluster's first server answers once a quorum has formed.
		if err := waitHealthy(ctx, "http://"+s.addr, 90*time.Second); err != nil {
			return nil, fmt.Errorf("%s server: %w (log: %s)", kind, err, s.log.Name())
		}
	}
	extra := []string{"-url", strings.Join(urls, ","), "-server-pid", strings.Join(pids, ",")}
	if kind == goClusterFwd {
		extra = append(extra, "-spread", "request")
	}
	return cfg.runTool(ctx, v.args, extra...)
}

// clusterTable prints a cluster scenario's medians: one server, then each
// cluster kind with its ratio to the one server.
func clusterTable(sc scenario, results map[string]map[string][]*Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "   %s — %s (medians; server CPU is the three servers' together)\n", sc.name, sc.title)
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "   \t" + goMem + "\t"
	for _, k := range sc.servers[1:] {
		header += k + "\t" + k + "/" + goMem + "\t"
	}
	fmt.Fprintln(w, header)
	one := results[sc.name][goMem]
	for _, r := range rows(sc.kind) {
		g, gok := median(one, r.get)
		label := r.label
		if r.unit != "" {
			label += " (" + r.unit + ")"
		}
		line := "   " + label + "\t" + figure(g, gok) + "\t"
		for _, k := range sc.servers[1:] {
			c, cok := median(results[sc.name][k], r.get)
			ratio := "-"
			if gok && cok && g != 0 {
				ratio = fmt.Sprintf("%.2f", c/g)
			}
			line += figure(c, cok) + "\t" + ratio + "\t"
		}
		fmt.Fprintln(w, line)
	}
	line := "   runs passed\t" + passed(one) + "\t"
	for _, k := range sc.servers[1:] {
		line += passed(results[sc.name][k]) + "\t\t"
	}
	fmt.Fprintln(w, line)
	_ = w.Flush()
	return b.String()
}
