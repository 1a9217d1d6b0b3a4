package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type seen struct {
	session string
	seq     uint64
}

// The checker names what is wrong with each event a socket receives after
// joining at seq 4.
func TestChecker(t *testing.T) {
	tests := []struct {
		name    string
		events  []seen
		final   uint64
		want    []string // one per event, "" for fine
		missed  uint64   // skipped by gaps
		missing uint64   // never arrived by the end
	}{
		{"in order", []seen{{"s", 5}, {"s", 6}, {"s", 7}}, 7, []string{"", "", ""}, 0, 0},
		{"gap", []seen{{"s", 5}, {"s", 8}, {"s", 9}}, 9, []string{"", vGap, ""}, 2, 0},
		{"duplicate", []seen{{"s", 5}, {"s", 5}, {"s", 6}}, 6, []string{"", vOutOfOrder, ""}, 0, 0},
		{"swapped", []seen{{"s", 6}, {"s", 5}, {"s", 7}}, 7, []string{vGap, vOutOfOrder, ""}, 1, 0},
		{"old event", []seen{{"s", 3}, {"s", 5}}, 5, []string{vOutOfOrder, ""}, 0, 0},
		{"another session", []seen{{"s", 5}, {"other", 6}, {"s", 6}}, 6, []string{"", vForeign, ""}, 0, 0},
		{"lost at the end", []seen{{"s", 5}, {"s", 6}}, 9, []string{"", ""}, 0, 3},
		{"nothing came", nil, 6, nil, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checker{session: "s"}
			c.join(4)
			var got []string
			var missed uint64
			for _, e := range tt.events {
				kind, m := c.event(e.session, e.seq)
				got = append(got, kind)
				missed += m
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.missed, missed)
			require.Equal(t, tt.missing, c.finish(tt.final))
		})
	}
}

func TestCheckerBeforeJoin(t *testing.T) {
	c := checker{session: "s"}
	kind, _ := c.event("s", 1)
	require.Equal(t, vBeforeJoin, kind)
	require.Zero(t, c.finish(9), "a socket that never joined is a setup failure, not missing events")
}

func TestHistogram(t *testing.T) {
	var h histogram
	require.Zero(t, h.quantile(0.5))
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		want := q * 10000 * float64(time.Microsecond)
		require.InEpsilon(t, want, float64(h.quantile(q)), 1.0/64, "q=%v", q)
	}
	require.Equal(t, 10*time.Millisecond, h.quantile(1), "the maximum is exact")
	for _, v := range []int64{0, 1, 63, 64, 65, 127, 128, 1 << 20, 1<<40 + 12345} {
		i := bucketOf(v)
		require.InEpsilon(t, float64(max(v, 1)), float64(max(bucketValue(i), 1)), 1.0/64, "v=%d", v)
	}
}

func TestParseProc(t *testing.T) {
	// A command name with spaces and parentheses, as a process may choose.
	stat := []byte("4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 2000000 3000 ...")
	cpu, err := parseStatCPU(stat)
	require.NoError(t, err)
	require.Equal(t, 3250*time.Millisecond, cpu)

	rss, anon, err := parseStatusMem([]byte("Name:\ttalus\nVmPeak:\t  99 kB\nVmRSS:\t   20480 kB\nRssAnon:\t  8192 kB\nThreads:\t9\n"))
	require.NoError(t, err)
	require.EqualValues(t, 20480, rss)
	require.EqualValues(t, 8192, anon)
	_, _, err = parseStatusMem([]byte("Name:\ttalus\nVmRSS:\t1 kB\n"))
	require.Error(t, err)
}

func TestParseMachineCPU(t *testing.T) {
	m, err := parseMachineCPU([]byte("cpu  100 5 50 900 7 1 4 40 0 0\ncpu0 1 2 3\n"))
	require.NoError(t, err)
	require.Equal(t, machineCPU{busy: 156 * clockTick, softirq: 4 * clockTick, steal: 40 * clockTick}, m)
	_, err = parseMachineCPU([]byte("intr 1 2 3\n"))
	require.Error(t, err)
}
