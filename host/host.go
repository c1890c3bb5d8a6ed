package host

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// Inputs are the facts the host checks judge.
type Inputs struct {
	// Root is the directory treated as "/" ("" means this machine). Kernel
	// facts under /proc and the running dockerd are read only when Root is
	// this machine's "/".
	Root string
	// Info is the daemon's answer to GET /info (moby client's Info). Nil
	// skips the checks that need it (engine version) and falls back to the
	// configuration for the data root.
	Info *system.Info
	// Socket is the in-root path of the daemon's socket ("" means the one
	// the configuration names, else /var/run/docker.sock; on Podman
	// /run/podman/podman.sock).
	Socket string
	// Podman says the engine is Podman (podman system service): the audit
	// rules then also judge Podman's own files, and dockerd's files that
	// are absent are not applicable rather than merely not present.
	Podman bool
	// DockerdArgs are dockerd's arguments (without the program name). Nil
	// on the live root means: read them from the running dockerd in /proc.
	DockerdArgs []string
	// MountInfo is the content of /proc/self/mountinfo. Nil means read it
	// from the root.
	MountInfo []byte
	// ActiveAuditRules is the output of `auditctl -l` (see
	// ActiveAuditRules). Nil means use the persisted rules under the root's
	// /etc/audit.
	ActiveAuditRules []byte
	// TrustedUsers, when set, are the users allowed in the socket's group:
	// anyone else is a failure. Unset, every member is reported for a person
	// to confirm (warn).
	TrustedUsers []string
	// Now is the time to judge the version table's age by (zero: time.Now).
	Now time.Time
	// Facts, when set, are the root's facts already gathered
	// (hostfs.Gather): the accounts, the daemon's configuration, the mount
	// table, os-release, the kernel's /proc files, the audit rules and the
	// metadata of Docker's files. Check then reads nothing under Root, and
	// DockerdArgs is ignored. Unset, Check gathers them itself, once.
	Facts *hostfs.Facts
}

// env is everything Check needs, gathered once: the judges look facts up
// here and never read the root.
type env struct {
	in     Inputs
	facts  *hostfs.Facts
	files  *hostfs.Files
	acc    *hostfs.Accounts
	daemon hostfs.Daemon
}

// open takes in.Facts, or gathers the root's facts once (hostfs.Gather)
// when none are given.
func open(in Inputs) (*env, error) {
	f := in.Facts
	if f == nil {
		r, err := hostfs.Open(in.Root)
		if err != nil {
			return nil, err
		}
		g := hostfs.Gather(r, hostfs.GatherOptions{Socket: in.Socket, Args: in.DockerdArgs, Paths: InfoPaths(in.Info)})
		r.Close()
		f = &g
	}
	if f.AccountsErr != nil {
		return nil, f.AccountsErr
	}
	e := &env{in: in, facts: f, files: f.Files, acc: f.Accounts, daemon: f.Daemon}
	if e.acc == nil {
		e.acc = &hostfs.Accounts{}
	}
	if e.in.MountInfo == nil {
		e.in.MountInfo = f.MountInfo
	}
	if e.in.Now.IsZero() {
		e.in.Now = time.Now()
	}
	return e, nil
}

// Check runs every host check and the audit-rule checks. The error is for a
// root that cannot be opened; missing facts are skip findings.
func Check(in Inputs) (rule.Report, error) {
	e, err := open(in)
	if err != nil {
		return rule.Report{}, fmt.Errorf("checking host: %w", err)
	}
	var fs []rule.Finding
	for _, c := range hostChecks {
		fs = append(fs, c.Finding(e.target(c.Rule.ID), e))
	}
	fs = append(fs, e.checkAudit()...)
	return rule.NewReport(fs), nil
}

// InfoPaths are the in-root paths that the daemon's /info names and the
// checks look at (the data root, and its parent for userns-remap): the
// gather step adds them to the gathered files once /info has answered.
func InfoPaths(info *system.Info) []string {
	if info == nil || info.DockerRootDir == "" {
		return nil
	}
	return []string{info.DockerRootDir, filepath.Dir(info.DockerRootDir)}
}

var usernsDir = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+\.[0-9]+$`) })

// dataRoot returns the data root and where it came from. With userns-remap
// the API reports <root>/<uid>.<gid>; the data root is <root>.
func (e *env) dataRoot() (string, string) {
	if e.in.Info != nil && e.in.Info.DockerRootDir != "" {
		p := e.in.Info.DockerRootDir
		if e.usernsRemap() && usernsDir().MatchString(filepath.Base(p)) {
			return filepath.Dir(p), "daemon info " + p + " (userns-remap subdirectory removed)"
		}
		return p, "daemon info"
	}
	src := "configuration"
	if _, ok := e.daemon.Settings.Source["data-root"]; !ok {
		src = "dockerd default"
	}
	return e.daemon.DataRoot(), src
}

func (e *env) usernsRemap() bool {
	if e.in.Info != nil {
		for _, o := range e.in.Info.SecurityOptions {
			if strings.Contains(o, "name=userns") {
				return true
			}
		}
	}
	return e.daemon.Settings.UsernsRemap != ""
}

func (e *env) socketPath() (string, string) {
	if e.in.Socket != "" {
		return e.in.Socket, "given"
	}
	paths, fd := e.daemon.Settings.UnixSockets()
	if len(paths) > 0 {
		return paths[0], "configuration"
	}
	if fd {
		if s := e.facts.ListenStreams; len(s) > 0 {
			return s[0], "docker.socket"
		}
		return "/run/docker.sock", "systemd default"
	}
	return hostfs.DefaultSocket, "default"
}

func (e *env) kernelRelease() (string, string) {
	if e.in.Info != nil && e.in.Info.KernelVersion != "" {
		return e.in.Info.KernelVersion, "daemon info"
	}
	if c := e.facts.Kernel.Release; c.Data != nil {
		return strings.TrimSpace(string(c.Data)), c.Path
	}
	return "", ""
}

// ParseKernelVersion reads "6.18.44-fc-v782" or "3.10.0-514.el7.x86_64".
func ParseKernelVersion(s string) (major, minor int, err error) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if end >= 0 {
		s = s[:end]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("parsing kernel version %q: want MAJOR.MINOR", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("parsing kernel version %q: not numeric", s)
	}
	return major, minor, nil
}

func atLeast(maj, min, wantMaj, wantMin int) bool {
	return maj > wantMaj || maj == wantMaj && min >= wantMin
}
