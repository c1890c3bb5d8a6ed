package inspect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

// BenchmarkProcScan measures the one pass over this host's /proc that a
// ProcLister makes per audit (every process: its PID namespace and cgroup;
// container processes: their command line).
func BenchmarkProcScan(b *testing.B) {
	if _, err := scanProc("/proc"); err != nil {
		b.Skipf("no /proc: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scanProc("/proc"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcLookup measures answering one container from the snapshot
// (the per-container cost once /proc has been read), on a fake /proc with
// 200 containers of two processes each.
func BenchmarkProcLookup(b *testing.B) {
	started := time.Unix(bootUnix+1000, 0)
	fp := newFakeProc(b)
	var cs []*container.InspectResponse
	for i := range 200 {
		id := fmt.Sprintf("%064x", i+1)
		cg := "9:name=systemd:/docker/" + id + "\n8:pids:/docker/" + id + "\n0::/"
		pid := 1000 + 2*i
		fp.add(fakeProcess{pid: pid, ns: uint64(4026532000 + i), argv: []string{"/probe", "sleep"}, nspid: []int{1}, startAt: started, cgroup: cg})
		fp.add(fakeProcess{pid: pid + 1, ns: uint64(4026532000 + i), argv: []string{"/usr/sbin/sshd", "-D"}, nspid: []int{2}, cgroup: cg})
		cs = append(cs, inspected(id, pid, started))
	}
	l := &ProcLister{Proc: fp.root}
	if err := l.Scan(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, how, err := l.Processes(ctx, cs[i%len(cs)]); err != nil || how != "proc" {
			b.Fatal(how, err)
		}
		i++
	}
}
