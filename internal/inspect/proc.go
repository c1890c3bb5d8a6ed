package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
)

// ProcLister lists the processes of running containers from this host's
// /proc instead of asking the daemon, which runs ps once per container for
// ContainerTop. It reads /proc once, on first use, and answers every
// container from that snapshot: use one ProcLister per audit. It is safe for
// concurrent use.
//
// A container's processes are found from inspect's State.Pid. The PID is
// accepted only when /proc proves it is that container's:
//   - its /proc/<pid>/cgroup path names the container's ID (cgroupfs
//     "/docker/<id>", systemd "docker-<id>.scope", cgroup v1 or v2); the
//     container's processes are then every process in that cgroup, which
//     includes the children of docker exec and works with --pid=host; or
//   - its cgroup names no container, it lives in a PID namespace other than
//     ours, it is PID 1 there and it started when the daemon says the
//     container started; the container's processes are then every process
//     in that PID namespace.
//
// Otherwise (a remote daemon, safedock running in a container that does not
// see the host's PIDs, a container started after the snapshot) the
// container is handed to Fallback. The method returned says which way was
// used: "proc" or the fallback's ("top").
//
// /proc is read in one pass: every process's PID namespace, and the cgroup
// and command line of processes in other namespaces than ours. The cgroups
// of processes in our namespace are read only if a container's PID is among
// them (a --pid=host container), once.
type ProcLister struct {
	// Fallback lists the processes of containers /proc does not show; nil
	// means none (such containers then return an error).
	Fallback ProcessLister
	// Proc is where the proc filesystem is mounted (default "/proc").
	Proc string

	once sync.Once
	snap *procSnapshot
	err  error
}

// ProcessLister lists a container's processes, as hardening.ProcessLister
// (which every ProcLister is, and hardening.TopLister is one of).
type ProcessLister interface {
	Processes(ctx context.Context, c *container.InspectResponse) (cmds []string, method string, err error)
}

// NewProcLister returns a ProcLister that falls back to fallback (in the
// audit, hardening.TopLister: ContainerTop) and starts reading /proc in the
// background at once, so that the scan overlaps the container list and
// inspects instead of delaying the first Processes call.
func NewProcLister(fallback ProcessLister) *ProcLister {
	l := &ProcLister{Fallback: fallback}
	go func() { _ = l.Scan() }()
	return l
}

// ErrProcessesNotVisible is returned (wrapped) by a ProcLister without a
// Fallback for a container whose processes /proc does not show.
var ErrProcessesNotVisible = errors.New("container processes not visible in /proc")

// Processes implements ProcessLister.
func (l *ProcLister) Processes(ctx context.Context, c *container.InspectResponse) ([]string, string, error) {
	if cmds, ok := l.lookup(c); ok {
		return cmds, "proc", nil
	}
	if l.Fallback == nil {
		err := ErrProcessesNotVisible
		if _, serr := l.snapshot(); serr != nil {
			err = fmt.Errorf("%w: %w", err, serr)
		}
		return nil, "proc", fmt.Errorf("listing processes of %s: %w", strings.TrimPrefix(c.Name, "/"), err)
	}
	return l.Fallback.Processes(ctx, c)
}

// Scan reads /proc now, if it has not been read yet, so that the first
// Processes call does not pay for it. Calling it is optional.
func (l *ProcLister) Scan() error {
	_, err := l.snapshot()
	return err
}

func (l *ProcLister) root() string {
	if l.Proc == "" {
		return "/proc"
	}
	return strings.TrimSuffix(l.Proc, "/")
}

func (l *ProcLister) snapshot() (*procSnapshot, error) {
	l.once.Do(func() { l.snap, l.err = scanProc(l.root()) })
	return l.snap, l.err
}

// lookup answers from the snapshot; ok is false when /proc cannot vouch for
// the container.
func (l *ProcLister) lookup(c *container.InspectResponse) ([]string, bool) {
	if c == nil || c.ID == "" || c.State == nil || !c.State.Running || c.State.Pid <= 0 {
		return nil, false
	}
	snap, err := l.snapshot()
	if err != nil {
		return nil, false
	}
	pid := c.State.Pid
	if init, ok := snap.procs[pid]; ok {
		// The PID lives in another PID namespace than ours.
		var pids []int
		switch {
		case init.cgroupID == c.ID:
			pids = snap.byCgroup[c.ID]
		case init.cgroupID == "" && l.isInit(pid, c.State.StartedAt):
			pids = snap.byNS[init.ns]
		default:
			return nil, false
		}
		return snap.cmds(nil, pids, snap.procs), true
	}
	// The PID is in our namespace (--pid=host), or its namespace could not
	// be read: only its cgroup can tell.
	host := snap.hostScan()
	if init, ok := host.procs[pid]; !ok || init.cgroupID != c.ID {
		return nil, false
	}
	cmds := snap.cmds(nil, host.byCgroup[c.ID], host.procs)
	return snap.cmds(cmds, snap.byCgroup[c.ID], snap.procs), true
}

func (s *procSnapshot) cmds(dst []string, pids []int, procs map[int]procEntry) []string {
	for _, p := range pids {
		dst = append(dst, procs[p].cmd)
	}
	return dst
}

// startSlack is how far a process's start time may be from the container's
// StartedAt (runc forks the init before the daemon records the start).
const startSlack = 5 * time.Second

// isInit reports whether pid is PID 1 of its namespace and started within
// startSlack of startedAt (RFC 3339, as inspect reports it).
func (l *ProcLister) isInit(pid int, startedAt string) bool {
	started, err := time.Parse(time.RFC3339Nano, startedAt)
	if err != nil {
		return false
	}
	dir := l.root() + "/" + strconv.Itoa(pid)
	buf := make([]byte, 0, 2048)
	status, err := readProcFile(dir+"/status", buf)
	if err != nil || innermostNSpid(status) != 1 {
		return false
	}
	stat, err := readProcFile(dir+"/stat", buf[:0])
	if err != nil {
		return false
	}
	ticks, ok := startTicks(stat)
	if !ok {
		return false
	}
	sys, err := readProcFile(l.root()+"/stat", nil)
	if err != nil {
		return false
	}
	btime, ok := bootTime(sys)
	if !ok {
		return false
	}
	// USER_HZ is 100 on every architecture Linux exposes it for.
	at := time.Unix(btime, 0).Add(time.Duration(ticks) * (time.Second / 100))
	d := at.Sub(started)
	return d < startSlack && d > -startSlack
}

// procSnapshot is one pass over /proc. Processes in another PID namespace
// than ours (containers' processes) are read in full: namespace, cgroup and
// command line. Processes in ours (the host's, containerd shims, and
// --pid=host containers) only have their PID noted; their cgroups are read
// by hostScan, once, the first time a container's PID is among them.
type procSnapshot struct {
	root     string
	selfNS   uint64
	procs    map[int]procEntry
	byCgroup map[string][]int // container ID → PIDs, ascending
	byNS     map[uint64][]int // PID namespace inode → PIDs, ascending
	ourPIDs  []int

	hostOnce sync.Once
	host     procIndex
}

// procIndex is what hostScan found among the processes of our namespace.
type procIndex struct {
	procs    map[int]procEntry
	byCgroup map[string][]int
}

type procEntry struct {
	ns       uint64
	cgroupID string
	cmd      string
}

// procReader reads /proc/<pid> files with reused buffers.
type procReader struct {
	root string
	path []byte
	buf  []byte
	link []byte
}

func newProcReader(root string) *procReader {
	return &procReader{root: root, buf: make([]byte, 0, 4096), link: make([]byte, 64)}
}

func (r *procReader) file(pid int, name string) ([]byte, error) {
	r.path = append(strconv.AppendInt(append(append(r.path[:0], r.root...), '/'), int64(pid), 10), name...)
	var err error
	r.buf, err = readProcFile(string(r.path), r.buf[:0])
	return r.buf, err
}

func (r *procReader) ns(pid int) uint64 {
	r.path = append(strconv.AppendInt(append(append(r.path[:0], r.root...), '/'), int64(pid), 10), "/ns/pid"...)
	return nsInode(string(r.path), r.link)
}

// cgroupID reads the container ID from /proc/<pid>/cgroup ("" for none).
func (r *procReader) cgroupID(pid int) (string, error) {
	b, err := r.file(pid, "/cgroup")
	if err != nil {
		return "", err
	}
	return containerIDFromCgroup(b), nil
}

// cmd reads the command line as ps shows it ([comm] for a zombie).
func (r *procReader) cmd(pid int) (string, error) {
	b, err := r.file(pid, "/cmdline")
	if err != nil {
		return "", err
	}
	if cmd := cmdlineString(b); cmd != "" {
		return cmd, nil
	}
	if b, err = r.file(pid, "/comm"); err != nil {
		return "", err
	}
	return "[" + string(bytes.TrimSpace(b)) + "]", nil
}

// scanProc lists /proc and reads every process's PID namespace (readlink
// ns/pid); for processes in another namespace than ours, their cgroup and
// command line too. Processes that exit during the scan are left out.
func scanProc(root string) (*procSnapshot, error) {
	names, err := readDirNames(root)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	s := &procSnapshot{root: root, procs: map[int]procEntry{}, byCgroup: map[string][]int{}, byNS: map[uint64][]int{}}
	r := newProcReader(root)
	s.selfNS = nsInode(root+"/self/ns/pid", r.link)
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 {
			continue
		}
		ns := r.ns(pid)
		if ns == 0 || ns == s.selfNS {
			s.ourPIDs = append(s.ourPIDs, pid)
			continue
		}
		id, err := r.cgroupID(pid)
		if err != nil {
			continue // gone
		}
		cmd, err := r.cmd(pid)
		if err != nil {
			continue
		}
		s.procs[pid] = procEntry{ns: ns, cgroupID: id, cmd: cmd}
		if id != "" {
			s.byCgroup[id] = append(s.byCgroup[id], pid)
		}
		s.byNS[ns] = append(s.byNS[ns], pid)
	}
	for _, pids := range s.byCgroup {
		slices.Sort(pids)
	}
	for _, pids := range s.byNS {
		slices.Sort(pids)
	}
	slices.Sort(s.ourPIDs)
	return s, nil
}

// hostScan reads the cgroup of every process the scan found in our PID
// namespace, and the command line of those in a container's cgroup. It
// runs once per snapshot, and only when a lookup needs it.
func (s *procSnapshot) hostScan() *procIndex {
	s.hostOnce.Do(func() {
		s.host = procIndex{procs: map[int]procEntry{}, byCgroup: map[string][]int{}}
		r := newProcReader(s.root)
		for _, pid := range s.ourPIDs {
			id, err := r.cgroupID(pid)
			if err != nil || id == "" {
				continue
			}
			cmd, err := r.cmd(pid)
			if err != nil {
				continue
			}
			s.host.procs[pid] = procEntry{ns: s.selfNS, cgroupID: id, cmd: cmd}
			s.host.byCgroup[id] = append(s.host.byCgroup[id], pid)
		}
	})
	return &s.host
}

// nsInode reads a namespace link ("pid:[4026531836]"); 0 when unreadable.
func nsInode(path string, buf []byte) uint64 {
	n, err := readLink(path, buf)
	if err != nil {
		return 0
	}
	b := buf[:n]
	i := bytes.IndexByte(b, '[')
	if i < 0 || b[len(b)-1] != ']' {
		return 0
	}
	v, err := strconv.ParseUint(string(b[i+1:len(b)-1]), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// containerIDFromCgroup returns the last 64-hex-digit name on the first
// cgroup line that has one ("/docker/<id>", "/system.slice/docker-<id>.scope",
// "/kubepods/.../<id>", nested "/docker/<a>/docker/<b>" gives <b>).
func containerIDFromCgroup(data []byte) string {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		// hierarchy-ID:controllers:path
		if i := bytes.LastIndexByte(line, ':'); i >= 0 {
			line = line[i+1:]
		}
		if id := lastHexRun64(line); id != "" {
			return id
		}
	}
	return ""
}

func lastHexRun64(b []byte) string {
	end := len(b)
	for end > 0 {
		start := end
		for start > 0 && isLowerHex(b[start-1]) {
			start--
		}
		if end-start == 64 {
			return string(b[start:end])
		}
		end = start - 1
		for end > 0 && !isLowerHex(b[end-1]) {
			end--
		}
	}
	return ""
}

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// cmdlineString turns a NUL-separated command line into the space-joined
// form ps prints.
func cmdlineString(b []byte) string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return ""
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// innermostNSpid returns the last number on the NSpid line of
// /proc/<pid>/status (the PID inside the innermost namespace), or -1.
func innermostNSpid(status []byte) int {
	i := bytes.Index(status, []byte("\nNSpid:"))
	if i < 0 {
		return -1
	}
	line := status[i+len("\nNSpid:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.Atoi(string(f[len(f)-1]))
	if err != nil {
		return -1
	}
	return n
}

// startTicks returns field 22 of /proc/<pid>/stat: the start time in clock
// ticks after boot. The command (field 2) may hold spaces and parentheses,
// so fields are counted after its last ')'.
func startTicks(stat []byte) (uint64, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(stat[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(f[19]), 10, 64)
	return v, err == nil
}

// bootTime returns btime from /proc/stat (seconds since the epoch).
func bootTime(stat []byte) (int64, bool) {
	i := bytes.Index(stat, []byte("\nbtime "))
	if i < 0 {
		return 0, false
	}
	line := stat[i+len("\nbtime "):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 10, 64)
	return v, err == nil
}
