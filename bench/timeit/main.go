// Command timeit runs commands alternately and reports, for each, the median
// and minimum wall time, the median CPU time (user+sys, including the
// children the command waited for, such as the auditctl safedock runs) and
// the peak RSS of the process, measured from the fork to the exit with the
// kernel's own figures (wait4's rusage) rather than by wrapping each run in
// more processes. bench/audit.sh uses it.
//
//	go run ./bench/timeit -runs 7 -- ./safedock audit ::: docker inspect ...
//
// Commands are separated by ":::". Each command's standard output is
// discarded. With -stderr DIR, the last run's standard error of command i
// (from 1) is written to DIR/i.stderr. A command that exits with a status
// above -maxstatus aborts the run. -tsv prints, per command, one line of
// tab-separated fields: median_ms, min_ms, cpu_median_ms, peak_rss_kb.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

type sample struct {
	wall, cpu time.Duration
	rssKB     int64
	stderr    []byte
}

func main() {
	runs := flag.Int("runs", 7, "measured runs per command (after one warm-up run each)")
	maxStatus := flag.Int("maxstatus", 0, "highest exit status that counts as success")
	tsv := flag.Bool("tsv", false, "print tab-separated fields instead of a table")
	errDir := flag.String("stderr", "", "write each command's last standard error to `DIR`/i.stderr")
	flag.Parse()
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "timeit: -runs must be at least 1")
		os.Exit(2)
	}
	var cmds [][]string
	cur := []string{}
	for _, a := range flag.Args() {
		if a == ":::" {
			cmds = append(cmds, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	cmds = append(cmds, cur)
	for _, c := range cmds {
		if len(c) == 0 {
			fmt.Fprintln(os.Stderr, "timeit: empty command")
			os.Exit(2)
		}
	}
	samples := make([][]sample, len(cmds))
	for round := 0; round <= *runs; round++ {
		for i, c := range cmds {
			s, err := runOnce(c, *maxStatus)
			if err != nil {
				fmt.Fprintf(os.Stderr, "timeit: %s: %v\n%s", strings.Join(c, " "), err, s.stderr)
				os.Exit(1)
			}
			if round > 0 { // round 0 warms caches
				samples[i] = append(samples[i], s)
			}
		}
	}
	for i, c := range cmds {
		ss := samples[i]
		walls := make([]time.Duration, len(ss))
		cpus := make([]time.Duration, len(ss))
		var rss int64
		for j, s := range ss {
			walls[j], cpus[j] = s.wall, s.cpu
			rss = max(rss, s.rssKB)
		}
		slices.Sort(walls)
		slices.Sort(cpus)
		median, minimum, cpu := ms(walls[len(walls)/2]), ms(walls[0]), ms(cpus[len(cpus)/2])
		if *errDir != "" {
			if err := os.WriteFile(filepath.Join(*errDir, fmt.Sprintf("%d.stderr", i+1)), ss[len(ss)-1].stderr, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "timeit:", err)
				os.Exit(1)
			}
		}
		if *tsv {
			fmt.Printf("%.1f\t%.1f\t%.1f\t%d\n", median, minimum, cpu, rss)
			continue
		}
		fmt.Printf("%-60.60s median %7.1f ms  min %7.1f ms  cpu %7.1f ms  rss %6.1f MB\n", strings.Join(c, " "), median, minimum, cpu, float64(rss)/1024)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func runOnce(argv []string, maxStatus int) (sample, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	s := sample{wall: wall, stderr: stderr.Bytes()}
	if cmd.ProcessState == nil {
		return s, err
	}
	if code := cmd.ProcessState.ExitCode(); code < 0 || code > maxStatus {
		return s, fmt.Errorf("exit status %d", code)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.rssKB = ru.Maxrss
	}
	return s, nil
}
