package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every scenario of make load is a valid run of the tool, at any scale.
func TestScenariosParse(t *testing.T) {
	for _, scale := range []float64{1, 0.1, 0.001} {
		for _, sc := range scenarios(scale) {
			_, err := parseFlags(append(sc.args, "-url", "http://127.0.0.1:1"), io.Discard)
			require.NoError(t, err, "%s at scale %g", sc.name, scale)
			if sc.compare != "" {
				require.Equal(t, []string{goDisk}, sc.servers, sc.name)
			}
		}
	}
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
