package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// AuditKey is the key (-k) of the generated audit rules.
const AuditKey = "docker"

// AuditTarget is one path CIS 1.1.3–1.1.18 wants audited.
type AuditTarget struct {
	Rule rule.ID
	// Path is the in-root path to watch, with its directories resolved
	// (auditd watches the path it is given). Empty when not found.
	Path string
	// Candidates are the paths looked at when Path is empty.
	Candidates []string
	// Source says where Path came from.
	Source string
}

// AuditTargets lists what CIS 1.1.3–1.1.18 asks to audit, located from the
// real configuration: the data root, daemon.json and the containerd socket
// the daemon uses, the units and binaries wherever they are installed. On
// a Podman host (in.Podman) Podman's equivalents follow.
func AuditTargets(in Inputs) ([]AuditTarget, error) {
	e, err := open(in)
	if err != nil {
		return nil, fmt.Errorf("locating audit targets: %w", err)
	}
	return e.auditTargets(), nil
}

func (e *env) first(id rule.ID, src string, candidates ...string) AuditTarget {
	for _, c := range candidates {
		if st, err := e.files.Lstat(c); err == nil {
			return AuditTarget{Rule: id, Path: st.Resolved, Source: src}
		}
	}
	return AuditTarget{Rule: id, Candidates: candidates, Source: src}
}

func (e *env) binary(id rule.ID, name string) AuditTarget {
	var c []string
	for _, d := range hostfs.BinDirs() {
		c = append(c, d+"/"+name)
	}
	t := e.first(id, "search of "+strings.Join(hostfs.BinDirs(), ", "), c...)
	if t.Path != "" {
		// /bin/x and /usr/bin/x may be one file; watch the real one.
		if real, err := e.files.Resolve(t.Path); err == nil {
			t.Path = real
		}
	}
	return t
}

func (e *env) auditTargets() []AuditTarget {
	var out []AuditTarget
	// 1.1.3 dockerd: the running binary when known.
	dockerd := e.binary(AuditDockerd, "dockerd")
	if p := e.daemon.Process; p != nil && p.Exe != "" && e.files.Live() {
		dockerd = AuditTarget{Rule: AuditDockerd, Path: p.Exe, Source: fmt.Sprintf("running dockerd (pid %d)", p.PID)}
	}
	out = append(out, dockerd)
	out = append(out, e.first(AuditRunContainerd, "fixed path", "/run/containerd"))
	dr, src := e.dataRoot()
	if e.in.Podman {
		// /info is Podman's: dockerd's data root is its configuration's.
		dr, src = e.daemon.DataRoot(), "dockerd configuration or default"
	}
	out = append(out, e.first(AuditDataRoot, src, dr))
	out = append(out, e.first(AuditEtcDocker, "fixed path", "/etc/docker"))
	units := func(id rule.ID, name string) {
		found := e.facts.Units[name]
		var c []string
		for _, d := range hostfs.UnitDirs() {
			c = append(c, d+"/"+name)
		}
		if len(found) == 0 {
			out = append(out, AuditTarget{Rule: id, Candidates: c, Source: "systemd unit search"})
			return
		}
		for _, p := range found {
			if strings.HasSuffix(p, ".conf") {
				continue // drop-ins: the unit file is what CIS names
			}
			out = append(out, e.first(id, "systemd unit", p))
		}
	}
	units(AuditDockerService, "docker.service")
	socks, ssrc := e.daemon.ContainerdSockets(e.files)
	out = append(out, e.first(AuditContainerdSock, "containerd socket ("+ssrc+")", socks...))
	units(AuditDockerSocketUnit, "docker.socket")
	out = append(out, e.first(AuditEtcDefaultDocker, "fixed path", "/etc/default/docker"))
	out = append(out, e.first(AuditDaemonJSON, "daemon configuration", e.daemon.ConfigFile))
	out = append(out, e.first(AuditContainerdConfig, "fixed path", "/etc/containerd/config.toml"))
	out = append(out, e.first(AuditEtcSysconfigDocker, "fixed path", "/etc/sysconfig/docker"))
	out = append(out, e.binary(AuditContainerd, "containerd"))
	out = append(out, e.binary(AuditContainerdShim, "containerd-shim"))
	out = append(out, e.binary(AuditContainerdShimRuncV1, "containerd-shim-runc-v1"))
	out = append(out, e.binary(AuditContainerdShimRuncV2, "containerd-shim-runc-v2"))
	out = append(out, e.binary(AuditRunc, "runc"))
	if e.in.Podman {
		out = append(out, e.podmanTargets()...)
		units(AuditPodmanService, "podman.service")
		units(AuditPodmanSocketUnit, "podman.socket")
	}
	return out
}

// podmanTargets are Podman's equivalents of dockerd's audit targets:
// its binary, configuration directory and containers.conf, its storage
// (as its /info reports it), its API socket and its systemd units.
func (e *env) podmanTargets() []AuditTarget {
	out := []AuditTarget{
		e.binary(AuditPodman, "podman"),
		e.first(AuditEtcContainers, "fixed path", "/etc/containers"),
	}
	storage, src := hostfs.PodmanStorage, "fixed path"
	if e.in.Info != nil && e.in.Info.DockerRootDir != "" {
		storage, src = e.in.Info.DockerRootDir, "Podman's /info (its graph root)"
	}
	out = append(out, e.first(AuditVarLibContainers, src, storage))
	out = append(out, e.first(AuditContainersConf, "containers.conf (the administrator's, else the distribution's)", hostfs.PodmanContainersConf, hostfs.PodmanDefaultContainersConf))
	sock, ssrc := hostfs.DefaultPodmanSocket, "podman.socket default"
	if e.in.Socket != "" {
		sock, ssrc = hostfs.Clean(e.in.Socket), "the client's socket"
	}
	out = append(out, e.first(AuditPodmanSock, ssrc, sock))
	return out
}

// Watch is one file-system watch found in audit rules.
type Watch struct {
	Path string
	// Dir is true for "-F dir=" rules (a directory and everything below).
	Dir bool
	// Perms is the -p / perm= value ("" means all).
	Perms string
	Key   string
}

// ParseAuditRules extracts the watches from audit rules in auditctl's
// syntax, as `auditctl -l` prints them or as they are written in
// /etc/audit/rules.d/*.rules: "-w PATH [-p PERMS] [-k KEY]" and
// "-a LIST,ACTION ... -F path=PATH|dir=PATH [-F perm=...] [-F key=...|-k KEY]".
// Comments, control lines (-D, -b, -e, ...) and unknown lines are ignored.
func ParseAuditRules(data []byte) []Watch {
	var out []Watch
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		var w Watch
		isWatch := false
		for i := 0; i < len(f); i++ {
			arg := ""
			if i+1 < len(f) {
				arg = f[i+1]
			}
			switch f[i] {
			case "-w":
				w.Path, isWatch = arg, arg != ""
				i++
			case "-p":
				w.Perms = arg
				i++
			case "-k":
				w.Key = arg
				i++
			case "-F":
				k, v, _ := strings.Cut(arg, "=")
				switch k {
				case "path":
					w.Path, isWatch = v, v != ""
				case "dir":
					w.Path, w.Dir, isWatch = v, true, v != ""
				case "perm":
					w.Perms = v
				case "key":
					w.Key = v
				}
				i++
			}
		}
		if isWatch && strings.HasPrefix(w.Path, "/") {
			out = append(out, w)
		}
	}
	return out
}

// covers reports whether w audits path p: the same path, or a directory
// watch above it (a -w on a directory watches the whole subtree too).
func (w Watch) covers(p string) bool {
	wp := strings.TrimSuffix(w.Path, "/")
	if wp == "" {
		wp = "/"
	}
	return wp == p || strings.HasPrefix(p, strings.TrimSuffix(wp, "/")+"/")
}

// ActiveAuditRules returns the rules loaded in the kernel, one per line in
// the form `auditctl -l` prints them (ParseAuditRules reads either). It
// asks the kernel over its audit netlink socket (AUDIT_LIST_RULES, what
// auditctl -l does, without a child process) and falls back to running
// `auditctl -l` when that socket cannot answer. It fails when neither can.
func ActiveAuditRules(ctx context.Context) ([]byte, error) {
	if out, err := netlinkAuditRules(ctx); err == nil {
		return out, nil
	}
	return auditctlRules(ctx)
}

// auditctlRules runs `auditctl -l` and returns its output.
func auditctlRules(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "auditctl", "-l")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing active audit rules: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// persistedAuditRules are the gathered rules.d/*.rules and audit.rules,
// joined, and the files they came from.
func (e *env) persistedAuditRules() ([]byte, string, error) {
	var buf bytes.Buffer
	var read []string
	for _, c := range e.facts.AuditRules {
		buf.Write(c.Data)
		if c.Path != "/etc/audit/audit.rules" {
			buf.WriteByte('\n')
		}
		read = append(read, c.Path)
	}
	if len(read) == 0 {
		return nil, "", errors.New("no audit rules: auditctl gave none and neither /etc/audit/rules.d/*.rules nor /etc/audit/audit.rules exists")
	}
	return buf.Bytes(), strings.Join(read, ", "), nil
}

func (e *env) checkAudit() []rule.Finding {
	targets := e.auditTargets()
	data, src := e.in.ActiveAuditRules, "auditctl -l"
	var rulesErr error
	if data == nil {
		data, src, rulesErr = e.persistedAuditRules()
	}
	watches := ParseAuditRules(data)
	var out []rule.Finding
	for _, t := range targets {
		c, ok := auditChecks.Lookup(t.Rule)
		if !ok {
			c = rule.Check[auditSubject]{Rule: rule.Rule{ID: t.Rule}, Judge: judgeAudit}
		}
		out = append(out, c.Finding(t.name(), auditSubject{target: t, watches: watches, src: src, err: rulesErr, podman: e.in.Podman}))
	}
	return out
}

// AuditRules generates the audit rules file for every CIS 1.1.3–1.1.18 path
// that exists on the host: one "-w PATH -p rwxa -k docker" line each, for
// /etc/audit/rules.d/docker.rules.
func AuditRules(in Inputs) ([]byte, error) {
	ts, err := AuditTargets(in)
	if err != nil {
		return nil, fmt.Errorf("generating audit rules: %w", err)
	}
	return FormatAuditRules(ts), nil
}

// FormatAuditRules renders the watches for the targets that exist.
func FormatAuditRules(ts []AuditTarget) []byte {
	var b bytes.Buffer
	b.WriteString("# Docker audit rules (CIS Docker Benchmark 1.1.3-1.1.18), generated by safedock.\n")
	b.WriteString("# Install as /etc/audit/rules.d/docker.rules and load with: augenrules --load\n")
	seen := map[string]bool{}
	for _, t := range ts {
		if t.Path == "" || seen[t.Path] {
			continue
		}
		if strings.ContainsAny(t.Path, " \t\n") {
			fmt.Fprintf(&b, "# skipped %s (%s): auditctl cannot take a path with whitespace\n", t.Path, t.Rule)
			continue
		}
		seen[t.Path] = true
		cis := ""
		if c, ok := auditChecks.Lookup(t.Rule); ok && len(c.Rule.CIS) > 0 {
			cis = " CIS " + c.Rule.CIS[0]
		}
		fmt.Fprintf(&b, "# %s%s\n-w %s -p rwxa -k %s\n", t.Rule, cis, t.Path, AuditKey)
	}
	return b.Bytes()
}
