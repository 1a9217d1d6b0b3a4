package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of utime and stime in
// /proc/PID/stat: 100 on every architecture Go runs Linux on. So a CPU
// figure is exact to 10 ms, which is why the runs last seconds.
const clockTick = 10 * time.Millisecond

// procCPU returns the CPU time (user + system, every thread) that process
// pid has used so far, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, fields 14 and 15 of /proc/PID/stat.
// The command name (field 2) may hold spaces, so fields are counted after
// its closing parenthesis.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no command name")
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields", len(f)+2)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// procMem returns the resident set of process pid in KiB (VmRSS of
// /proc/PID/status) and its anonymous part (RssAnon: heap and stacks,
// without mapped files such as a memory-mapped database).
func procMem(pid int) (rss, anon int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusMem(b)
}

func parseStatusMem(b []byte) (rss, anon int64, err error) {
	found := 0
	for line := range strings.SplitSeq(string(b), "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "RssAnon") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, 0, fmt.Errorf("/proc status: empty %s", key)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc status: %s: %w", key, err)
		}
		if key == "VmRSS" {
			rss = n
		} else {
			anon = n
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("/proc status: no VmRSS or RssAnon")
	}
	return rss, anon, nil
}

// selfCPU is the CPU time this process (the load tool) has used, to show
// how much of the machine the tool itself took.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is the whole machine's CPU time from the first line of
// /proc/stat, summed over every CPU: busy in processes (user, nice,
// system, irq), busy in softirq (mostly the kernel's network work, which
// /proc/PID/stat charges to no process), and stolen by the hypervisor for
// other guests.
type machineCPU struct{ busy, softirq, steal time.Duration }

func readMachineCPU() (machineCPU, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}, err
	}
	return parseMachineCPU(b)
}

func parseMachineCPU(b []byte) (machineCPU, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var v [8]int64 // user nice system idle iowait irq softirq steal
	for i := range v {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			return machineCPU{}, fmt.Errorf("/proc/stat: %w", err)
		}
		v[i] = n
	}
	tick := func(n int64) time.Duration { return time.Duration(n) * clockTick }
	return machineCPU{busy: tick(v[0] + v[1] + v[2] + v[5]), softirq: tick(v[6]), steal: tick(v[7])}, nil
}
