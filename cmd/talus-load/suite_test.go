package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every scenario of make load is a valid run of the tool, at any scale,
// and one that measures commands measures enough of them, however small
// the scale, for the server's CPU (10 ms ticks) to read to a few percent.
func TestScenariosParse(t *testing.T) {
	for _, scale := range []float64{1, 0.1, 0.001} {
		for _, sc := range scenarios(scale) {
			for _, v := range sc.runs() {
				cfg, err := parseFlags(append(slices.Clone(v.args), "-url", "http://127.0.0.1:1"), io.Discard)
				require.NoError(t, err, "%s %s at scale %g", sc.name, v.label, scale)
				if cfg.commands > 0 {
					require.GreaterOrEqual(t, cfg.commands, 1000, "%s at scale %g", sc.name, scale)
				}
			}
			if sc.compare != "" {
				require.Equal(t, []string{goDisk}, sc.servers, sc.name)
			}
			if sc.kind == kindScaling {
				require.Len(t, sc.variants, 2, sc.name)
			}
			for _, tg := range sc.targets {
				require.True(t, slices.ContainsFunc(rows(sc.kind), func(r row) bool { return r.label == tg.row }), "%s: target reads row %q", sc.name, tg.row)
			}
		}
	}
}

// TestTargets: each target is checked on the right figure of the medians,
// ours or the ratio, against its bound.
func TestTargets(t *testing.T) {
	sc := scenario{name: "s", title: "t", servers: []string{goMem, node}, kind: kindThroughput, targets: []target{cpuThird, twiceAs,
		{text: "p99 under 25", row: "command p99", max: 25}}}
	results := map[string]map[string][]*Report{"s": {
		goMem: {{CommandsPerSec: 3000, Command: Latency{P99: 30}, Server: ServerUsage{CPUPerCommand: 30}}},
		node:  {{CommandsPerSec: 1000, Server: ServerUsage{CPUPerCommand: 100}}},
	}}
	lines := strings.Join(targetLines(sc, results), "")
	require.Contains(t, lines, "1/3 of the Node reference's [s]: server CPU/command ratio 0.30 -> MET")
	require.Contains(t, lines, "throughput >= 2x the Node reference (data on tmpfs) [s]: commands/s ratio 3.00 -> MET")
	require.Contains(t, lines, "p99 under 25 [s]: command p99 30.0 -> NOT MET")
	require.Contains(t, table(sc, results), "-> NOT MET")

	big := scenario{name: "b", kind: kindScaling, servers: []string{goMem}, variants: []variant{{label: "small"}, {label: "large"}},
		targets: []target{{text: "large < 2x small", row: "server CPU/command", ratio: true, max: 2}}}
	results["b"] = map[string][]*Report{
		"small": {{Server: ServerUsage{CPUPerCommand: 100}}},
		"large": {{Server: ServerUsage{CPUPerCommand: 250}}},
	}
	require.Contains(t, strings.Join(targetLines(big, results), ""), "ratio 2.50 -> NOT MET")
	require.Regexp(t, `large\s+small\s+ratio`, table(big, results))
}

func TestMedian(t *testing.T) {
	get := func(r *Report) float64 { return r.CommandsPerSec }
	reps := func(v ...float64) []*Report {
		var out []*Report
		for _, x := range v {
			out = append(out, &Report{CommandsPerSec: x})
		}
		return out
	}
	_, ok := median(nil, get)
	require.False(t, ok)
	m, _ := median(reps(9, 1, 5), get)
	require.Equal(t, 5.0, m)
	m, _ = median(reps(4, 1, 2, 3), get)
	require.Equal(t, 2.5, m)
}

func TestTable(t *testing.T) {
	sc := scenario{name: "s", title: "t", servers: []string{goMem, node}, kind: kindThroughput}
	results := map[string]map[string][]*Report{"s": {
		goMem: {{CommandsPerSec: 2000, Pass: true}, {CommandsPerSec: 1000, Pass: true}, {CommandsPerSec: 3000}},
		node:  {{CommandsPerSec: 1000, Pass: true}},
	}}
	out := table(sc, results)
	require.Regexp(t, `commands/s\s+2000\s+1000\s+2\.00`, out)
	require.Regexp(t, `runs passed\s+2/3\s+1/1`, out)
	require.True(t, strings.HasPrefix(out, "   s — t"))
}
