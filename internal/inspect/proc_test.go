package inspect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hostNS   = 4026531836
	idA      = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB      = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	idHost   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	idSystem = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	bootUnix = 1_700_000_000
)

// fakeProc writes a /proc tree: one directory per process with ns/pid,
// cgroup, cmdline, comm, status and stat, plus /proc/stat and /proc/self.
type fakeProc struct {
	t    testing.TB
	root string
}

type fakeProcess struct {
	pid     int
	ns      uint64
	cgroup  string
	argv    []string
	comm    string
	nspid   []int
	startAt time.Time
}

func newFakeProc(t testing.TB) *fakeProc {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "stat"), []byte("cpu  1 2 3\nbtime "+strconv.Itoa(bootUnix)+"\nprocesses 9\n"), 0o644))
	f := &fakeProc{t: t, root: root}
	f.add(fakeProcess{pid: 4242, ns: hostNS, cgroup: "4:memory:/user.slice\n0::/user.slice", argv: []string{"safedock", "audit"}})
	require.NoError(t, os.Symlink("4242", filepath.Join(root, "self")))
	return f
}

func (f *fakeProc) add(p fakeProcess) {
	dir := filepath.Join(f.root, strconv.Itoa(p.pid))
	require.NoError(f.t, os.MkdirAll(filepath.Join(dir, "ns"), 0o755))
	require.NoError(f.t, os.Symlink("pid:["+strconv.FormatUint(p.ns, 10)+"]", filepath.Join(dir, "ns", "pid")))
	write := func(name, data string) {
		require.NoError(f.t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	write("cgroup", p.cgroup+"\n")
	cmdline := ""
	for _, a := range p.argv {
		cmdline += a + "\x00"
	}
	write("cmdline", cmdline)
	write("comm", p.comm+"\n")
	nspid := []string{strconv.Itoa(p.pid)}
	for _, n := range p.nspid {
		nspid = append(nspid, strconv.Itoa(n))
	}
	write("status", "Name:\t"+p.comm+"\nTgid:\t1\nNSpid:\t"+strings.Join(nspid, "\t")+"\nPPid:\t0\n")
	ticks := uint64(0)
	if !p.startAt.IsZero() {
		ticks = uint64(p.startAt.Sub(time.Unix(bootUnix, 0)) / (time.Second / 100))
	}
	fields := make([]string, 50)
	for i := range fields {
		fields[i] = "0"
	}
	fields[19] = strconv.FormatUint(ticks, 10)
	write("stat", strconv.Itoa(p.pid)+" ("+p.comm+" (x) y) S "+strings.Join(fields[1:], " ")+"\n")
}

// recorder is a fallback that says it was called.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Processes(_ context.Context, c *container.InspectResponse) ([]string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c.ID)
	return []string{"from top"}, "top", nil
}

func inspected(id string, pid int, startedAt time.Time) *container.InspectResponse {
	return &container.InspectResponse{ID: id, Name: "/c-" + id[:4], State: &container.State{
		Running: true, Pid: pid, StartedAt: startedAt.UTC().Format(time.RFC3339Nano)}}
}

func TestProcListerFindsContainersInOnePass(t *testing.T) {
	started := time.Unix(bootUnix+1000, 0)
	fp := newFakeProc(t)
	// Container A (cgroup v1, cgroupfs driver): its init and a docker exec child.
	fp.add(fakeProcess{pid: 100, ns: 4026532001, argv: []string{"/probe", "sleep"}, nspid: []int{1}, startAt: started,
		cgroup: "9:name=systemd:/docker/" + idA + "\n8:pids:/docker/" + idA + "\n0::/"})
	fp.add(fakeProcess{pid: 150, ns: 4026532001, argv: []string{"/usr/sbin/sshd", "-D"}, nspid: []int{7},
		cgroup: "9:name=systemd:/docker/" + idA + "\n8:pids:/docker/" + idA + "\n0::/"})
	// Container B (cgroup v2, systemd driver).
	fp.add(fakeProcess{pid: 200, ns: 4026532002, argv: []string{"/app"}, nspid: []int{1}, startAt: started,
		cgroup: "0::/system.slice/docker-" + idB + ".scope"})
	// A --pid=host container: our PID namespace, found by its cgroup.
	fp.add(fakeProcess{pid: 300, ns: hostNS, argv: []string{"/probe", "sleep"}, startAt: started,
		cgroup: "0::/docker/" + idHost})
	// A zombie in container B: ps shows [comm].
	fp.add(fakeProcess{pid: 201, ns: 4026532002, comm: "worker", nspid: []int{2}, cgroup: "0::/system.slice/docker-" + idB + ".scope"})
	// A container whose cgroup names no ID (another runtime's layout).
	fp.add(fakeProcess{pid: 400, ns: 4026532004, argv: []string{"/init"}, nspid: []int{1}, startAt: started, cgroup: "0::/custom/slice"})
	fp.add(fakeProcess{pid: 401, ns: 4026532004, argv: []string{"/init", "child"}, nspid: []int{2}, cgroup: "0::/custom/slice"})
	// An ordinary host process.
	fp.add(fakeProcess{pid: 500, ns: hostNS, argv: []string{"/usr/sbin/sshd", "-D"}, cgroup: "0::/system.slice/ssh.service"})

	fb := &recorder{}
	l := &ProcLister{Proc: fp.root, Fallback: fb}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		c    *container.InspectResponse
		want []string
		how  string
	}{
		{"cgroup v1 with exec child", inspected(idA, 100, started), []string{"/probe sleep", "/usr/sbin/sshd -D"}, "proc"},
		{"cgroup v2 systemd with zombie", inspected(idB, 200, started), []string{"/app", "[worker]"}, "proc"},
		{"pid=host", inspected(idHost, 300, started), []string{"/probe sleep"}, "proc"},
		{"namespace init started with the container", inspected(idSystem, 400, started.Add(300*time.Millisecond)), []string{"/init", "/init child"}, "proc"},
		{"namespace init started long before", inspected(idSystem, 400, started.Add(time.Hour)), []string{"from top"}, "top"},
		{"pid of another container", inspected(idB, 100, started), []string{"from top"}, "top"},
		{"host process", inspected(idA, 500, started), []string{"from top"}, "top"},
		{"pid not visible", inspected(idA, 999, started), []string{"from top"}, "top"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmds, how, err := l.Processes(ctx, tc.c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cmds)
			assert.Equal(t, tc.how, how)
		})
	}

	// The snapshot is taken once: a process started later is not seen, and
	// the container goes to the fallback.
	fp.add(fakeProcess{pid: 600, ns: 4026532006, argv: []string{"/late"}, nspid: []int{1}, startAt: started, cgroup: "0::/docker/" + strings.Repeat("c", 64)})
	_, how, err := l.Processes(ctx, inspected(strings.Repeat("c", 64), 600, started))
	require.NoError(t, err)
	assert.Equal(t, "top", how)
}

func TestProcListerWithoutFallback(t *testing.T) {
	fp := newFakeProc(t)
	l := &ProcLister{Proc: fp.root}
	_, how, err := l.Processes(context.Background(), inspected(idA, 999, time.Now()))
	assert.True(t, errors.Is(err, ErrProcessesNotVisible), "%v", err)
	assert.Equal(t, "proc", how)

	missing := &ProcLister{Proc: filepath.Join(fp.root, "absent")}
	assert.Error(t, missing.Scan())
	_, _, err = missing.Processes(context.Background(), inspected(idA, 1, time.Now()))
	assert.ErrorIs(t, err, ErrProcessesNotVisible)
}

func TestProcListerConcurrentFirstUse(t *testing.T) {
	started := time.Unix(bootUnix+1000, 0)
	fp := newFakeProc(t)
	fp.add(fakeProcess{pid: 100, ns: 4026532001, argv: []string{"/probe", "sleep"}, nspid: []int{1}, startAt: started, cgroup: "0::/docker/" + idA})
	l := &ProcLister{Proc: fp.root, Fallback: &recorder{}}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			cmds, how, err := l.Processes(context.Background(), inspected(idA, 100, started))
			assert.NoError(t, err)
			assert.Equal(t, "proc", how)
			assert.Equal(t, []string{"/probe sleep"}, cmds)
		})
	}
	wg.Wait()
}

func TestContainerIDFromCgroup(t *testing.T) {
	for in, want := range map[string]string{
		"12:pids:/docker/" + idA + "\n0::/":                        idA,
		"0::/system.slice/docker-" + idA + ".scope":                idA,
		"0::/docker/" + idA + "/docker/" + idB:                     idB,
		"0::/kubepods/besteffort/pod1234-5678/" + idA:              idA,
		"0::/user.slice/user-1000.slice/session-2.scope":           "",
		"0::/docker/" + idA[:63]:                                   "",
		"0::/docker/" + idA + "0":                                  "",
		"0::/docker/" + strings.ToUpper(idA):                       "",
		"":                                                         "",
		"1:name=systemd:/\n2:cpu:/docker/" + idB + "\n0::/ignored": idB,
	} {
		assert.Equal(t, want, containerIDFromCgroup([]byte(in)), in)
	}
}
