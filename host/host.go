package host

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	// the configuration names, else /var/run/docker.sock).
	Socket string
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
	// Facts, when set, are the root's accounts, daemon configuration and
	// mount table already gathered (hostfs.Gather): Check reads none of
	// them again, and DockerdArgs and Socket are then ignored.
	Facts *hostfs.Facts
}

// env is everything Check needs, gathered once.
type env struct {
	in     Inputs
	r      *hostfs.Root
	acc    *hostfs.Accounts
	daemon hostfs.Daemon
}

func open(in Inputs) (*env, error) {
	r, err := hostfs.Open(in.Root)
	if err != nil {
		return nil, err
	}
	if f := in.Facts; f != nil {
		if f.AccountsErr != nil {
			r.Close()
			return nil, f.AccountsErr
		}
		e := &env{in: in, r: r, acc: f.Accounts, daemon: f.Daemon}
		if e.in.MountInfo == nil {
			e.in.MountInfo = f.MountInfo
		}
		if e.in.Now.IsZero() {
			e.in.Now = time.Now()
		}
		return e, nil
	}
	acc, err := hostfs.LoadAccounts(r)
	if err != nil {
		r.Close()
		return nil, err
	}
	e := &env{in: in, r: r, acc: acc}
	if in.DockerdArgs == nil && r.Live() {
		d, err := hostfs.DiscoverDaemon(r, "/proc", in.Socket)
		if err != nil {
			r.Close()
			return nil, err
		}
		e.daemon = d
	} else {
		e.daemon = hostfs.LoadDaemon(r, in.DockerdArgs, "")
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
	defer e.r.Close()
	fs := []rule.Finding{
		e.checkDataRootMount(),
		e.checkSocketGroup(),
		e.checkKernelVersion(),
		e.checkKernelFeatures(),
		e.checkEngineVersion(),
		e.checkOS(),
	}
	fs = append(fs, e.checkAudit()...)
	return rule.NewReport(fs), nil
}

var usernsDir = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// dataRoot returns the data root and where it came from. With userns-remap
// the API reports <root>/<uid>.<gid>; the data root is <root>.
func (e *env) dataRoot() (string, string) {
	if e.in.Info != nil && e.in.Info.DockerRootDir != "" {
		p := e.in.Info.DockerRootDir
		if e.usernsRemap() && usernsDir.MatchString(filepath.Base(p)) {
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

func (e *env) checkDataRootMount() rule.Finding {
	rl := lookup(HostDataRootMount)
	dr, src := e.dataRoot()
	target := "host:" + dr
	data := e.in.MountInfo
	if data == nil {
		if !e.r.Live() {
			return rl.Finding(target, rule.Skip("no mount table for a root other than this machine's (pass Inputs.MountInfo)"))
		}
		var err error
		data, err = e.r.ReadFile("/proc/self/mountinfo", 8<<20)
		if err != nil {
			return rl.Finding(target, rule.Skip("cannot read the mount table: "+err.Error()))
		}
	}
	mounts := ParseMountInfo(data)
	if len(mounts) == 0 {
		return rl.Finding(target, rule.Skip("the mount table is empty or unreadable"))
	}
	m, ok := MountOf(mounts, dr)
	if !ok {
		return rl.Finding(target, rule.Skip("no mount covers "+dr))
	}
	detail := fmt.Sprintf("data root %s (from %s); mount %s: %s %s (device %s, root %s)", dr, src, m.MountPoint, m.FSType, m.Source, m.Device, m.Root)
	res := rule.Result{Method: "mountinfo"}
	if m.MountPoint != dr {
		res = rule.Fail(fmt.Sprintf("%s is on the %s filesystem, not its own", dr, m.MountPoint), detail)
	} else if parent, ok := MountOf(mounts, filepath.Dir(dr)); ok && parent.Device == m.Device {
		res = rule.Fail(fmt.Sprintf("%s is a bind mount from the same filesystem as %s (device %s), not its own partition", dr, parent.MountPoint, m.Device), detail)
	} else {
		res = rule.Pass(fmt.Sprintf("%s is its own %s filesystem", dr, m.FSType), detail)
	}
	res.Method = "mountinfo"
	return rl.Finding(target, res)
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
		if s := hostfs.SystemdListenStreams(e.r, "docker.socket"); len(s) > 0 {
			return s[0], "docker.socket"
		}
		return "/run/docker.sock", "systemd default"
	}
	return hostfs.DefaultSocket, "default"
}

func (e *env) checkSocketGroup() rule.Finding {
	rl := lookup(HostSocketGroupMembers)
	sock, src := e.socketPath()
	target := "file:" + hostfs.Clean(sock)
	st, err := e.r.Lstat(sock)
	if err != nil {
		return rl.Finding(target, rule.Skip("socket not found ("+src+"): "+err.Error()))
	}
	group := e.acc.GroupName(st.GID)
	members := e.acc.GroupMembers(st.GID)
	detail := fmt.Sprintf("socket %s (%s) group %s (gid %d), mode %04o; members: %s", sock, src, group, st.GID, st.Perm, strings.Join(members, ", "))
	if st.Perm&0o060 == 0 {
		return rl.Finding(target, rule.Pass("the socket's group has no access", detail))
	}
	if len(members) == 0 {
		return rl.Finding(target, rule.Pass(fmt.Sprintf("group %s has no members", group), detail))
	}
	if len(e.in.TrustedUsers) > 0 {
		var untrusted []string
		for _, m := range members {
			if !slices.Contains(e.in.TrustedUsers, m) {
				untrusted = append(untrusted, m)
			}
		}
		if len(untrusted) > 0 {
			return rl.Finding(target, rule.Fail(fmt.Sprintf("untrusted users control the daemon through group %s: %s", group, strings.Join(untrusted, ", ")), detail))
		}
		return rl.Finding(target, rule.Pass(fmt.Sprintf("every member of group %s is trusted", group), detail))
	}
	return rl.Finding(target, rule.Warn(fmt.Sprintf("%d user(s) control the daemon through group %s: %s; confirm each is trusted", len(members), group, strings.Join(members, ", ")), detail))
}

func (e *env) kernelRelease() (string, string) {
	if e.in.Info != nil && e.in.Info.KernelVersion != "" {
		return e.in.Info.KernelVersion, "daemon info"
	}
	if e.r.Live() {
		if b, err := e.r.ReadFile("/proc/sys/kernel/osrelease", 4096); err == nil {
			return strings.TrimSpace(string(b)), "/proc/sys/kernel/osrelease"
		}
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

func (e *env) checkKernelVersion() rule.Finding {
	rl := lookup(HostKernelVersion)
	rel, src := e.kernelRelease()
	if rel == "" {
		return rl.Finding("host:kernel", rule.Skip("kernel version unknown: no daemon info and not this machine's root"))
	}
	maj, min, err := ParseKernelVersion(rel)
	if err != nil {
		return rl.Finding("host:kernel", rule.Skip(err.Error()))
	}
	detail := rel + " (from " + src + ")"
	if !atLeast(maj, min, 3, 10) {
		return rl.Finding("host:kernel", rule.Fail(fmt.Sprintf("kernel %d.%d is older than 3.10", maj, min), detail))
	}
	return rl.Finding("host:kernel", rule.Pass(fmt.Sprintf("kernel %d.%d", maj, min), detail))
}

// feature is one kernel feature the daemon's configuration needs.
type feature struct {
	name   string
	why    string
	minMaj int
	minMin int
	probe  func(e *env) (bool, string) // present?, evidence; nil: version only
}

func (e *env) checkKernelFeatures() rule.Finding {
	rl := lookup(HostKernelFeatures)
	rel, _ := e.kernelRelease()
	maj, min, verr := ParseKernelVersion(rel)
	var needed []feature
	driver := e.daemon.Settings.StorageDriver
	if e.in.Info != nil && e.in.Info.Driver != "" {
		driver = e.in.Info.Driver
	}
	if driver == "overlay2" || driver == "" {
		needed = append(needed, feature{name: "overlay filesystem", why: "storage driver overlay2", minMaj: 4, minMin: 0, probe: probeFilesystem("overlay")})
	}
	if e.usernsRemap() {
		needed = append(needed, feature{name: "user namespaces", why: "userns-remap", minMaj: 3, minMin: 8, probe: probeUserns})
	}
	if e.in.Info != nil && e.in.Info.CgroupVersion == "2" {
		needed = append(needed, feature{name: "cgroup v2", why: "the daemon uses cgroup v2", minMaj: 4, minMin: 15})
	}
	if e.in.Info != nil && slices.ContainsFunc(e.in.Info.SecurityOptions, func(s string) bool { return strings.Contains(s, "name=seccomp") }) {
		needed = append(needed, feature{name: "seccomp", why: "the daemon applies seccomp profiles", minMaj: 3, minMin: 17, probe: probeSeccomp})
	}
	if len(needed) == 0 {
		return rl.Finding("host:kernel", rule.Pass("the configuration needs no special kernel feature", ""))
	}
	var missing, present, unknown []string
	for _, f := range needed {
		label := f.name + " (for " + f.why + ")"
		if verr == nil && !atLeast(maj, min, f.minMaj, f.minMin) {
			missing = append(missing, fmt.Sprintf("%s needs Linux %d.%d, have %d.%d", label, f.minMaj, f.minMin, maj, min))
			continue
		}
		if f.probe == nil || !e.r.Live() {
			if verr != nil {
				unknown = append(unknown, label)
			} else {
				present = append(present, label+" by version")
			}
			continue
		}
		ok, ev := f.probe(e)
		if !ok {
			missing = append(missing, label+": "+ev)
		} else {
			present = append(present, label+": "+ev)
		}
	}
	detail := "kernel " + rel + "; present: " + strings.Join(present, "; ")
	switch {
	case len(missing) > 0:
		return rl.Finding("host:kernel", rule.Fail("missing kernel features: "+strings.Join(missing, "; "), detail))
	case len(unknown) > 0:
		return rl.Finding("host:kernel", rule.Skip("cannot tell whether the kernel has: "+strings.Join(unknown, "; ")))
	}
	return rl.Finding("host:kernel", rule.Pass(fmt.Sprintf("all %d needed kernel features present", len(needed)), detail))
}

func probeFilesystem(name string) func(e *env) (bool, string) {
	return func(e *env) (bool, string) {
		b, err := e.r.ReadFile("/proc/filesystems", 1<<20)
		if err != nil {
			return false, "cannot read /proc/filesystems"
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && f[len(f)-1] == name {
				return true, "listed in /proc/filesystems"
			}
		}
		// A module not yet loaded is loaded on first mount.
		if e.r.Exists("/sys/module/" + name) {
			return true, "module present"
		}
		return false, name + " not in /proc/filesystems (modprobe " + name + ")"
	}
}

func probeUserns(e *env) (bool, string) {
	b, err := e.r.ReadFile("/proc/sys/user/max_user_namespaces", 64)
	if err != nil {
		return false, "cannot read /proc/sys/user/max_user_namespaces"
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return false, "user.max_user_namespaces is " + strings.TrimSpace(string(b))
	}
	return true, "user.max_user_namespaces=" + strconv.Itoa(n)
}

func probeSeccomp(e *env) (bool, string) {
	b, err := e.r.ReadFile("/proc/self/status", 1<<16)
	if err != nil {
		return false, "cannot read /proc/self/status"
	}
	if strings.Contains(string(b), "\nSeccomp:") {
		return true, "Seccomp field in /proc/self/status"
	}
	return false, "kernel built without CONFIG_SECCOMP"
}

func (e *env) checkEngineVersion() rule.Finding {
	rl := lookup(HostEngineVersion)
	t := EngineVersions
	if e.in.Info == nil || e.in.Info.ServerVersion == "" {
		return rl.Finding("host:engine", rule.Skip("engine version unknown: no daemon info"))
	}
	v := e.in.Info.ServerVersion
	age := t.Age(e.in.Now)
	tableNote := fmt.Sprintf("supported-versions table updated %s", t.Updated)
	stale := age > 180*24*time.Hour
	if stale {
		tableNote += fmt.Sprintf(" (%d days ago: update safedock for current facts)", int(age.Hours()/24))
	}
	s, ok, err := t.Lookup(v)
	if err != nil {
		return rl.Finding("host:engine", rule.Skip(err.Error()))
	}
	target := "host:engine"
	if !ok {
		maj, _, _ := ParseEngineVersion(v)
		if maj > t.newest() {
			return rl.Finding(target, rule.Warn(fmt.Sprintf("engine %s is newer than the table knows", v), tableNote))
		}
		return rl.Finding(target, rule.Fail(fmt.Sprintf("engine %s is older than every series the table lists, all long unmaintained", v), tableNote))
	}
	detail := fmt.Sprintf("series %s: %s", s.Series, s.Status)
	if s.EOL != "" {
		detail += ", end of life " + s.EOL
	}
	if s.Latest != "" {
		detail += ", latest " + s.Latest
	}
	if s.Note != "" {
		detail += "; " + s.Note
	}
	if strings.Contains(v, "+") || strings.Contains(v, "~") {
		detail += "; this is a distribution build, which may carry backported fixes, but upstream support follows the series"
	}
	detail += "; " + tableNote
	switch s.Status {
	case Maintained:
		if stale {
			return rl.Finding(target, rule.Warn(fmt.Sprintf("engine %s was maintained when the table was last updated", v), detail))
		}
		return rl.Finding(target, rule.Pass(fmt.Sprintf("engine %s is in maintained series %s", v, s.Series), detail))
	case Downstream:
		return rl.Finding(target, rule.Warn(fmt.Sprintf("engine %s: series %s is maintained only by a downstream distributor", v, s.Series), detail))
	}
	return rl.Finding(target, rule.Fail(fmt.Sprintf("engine %s: series %s is unmaintained", v, s.Series), detail))
}

// OSRelease is what /etc/os-release says.
type OSRelease struct {
	ID, IDLike, Name, PrettyName, VersionID, VariantID string
}

// ParseOSRelease reads an os-release(5) file.
func ParseOSRelease(data []byte) OSRelease {
	var o OSRelease
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		} else {
			v = strings.Trim(v, `"'`)
		}
		switch k {
		case "ID":
			o.ID = strings.ToLower(v)
		case "ID_LIKE":
			o.IDLike = strings.ToLower(v)
		case "NAME":
			o.Name = v
		case "PRETTY_NAME":
			o.PrettyName = v
		case "VERSION_ID":
			o.VersionID = v
		case "VARIANT_ID":
			o.VariantID = strings.ToLower(v)
		}
	}
	return o
}

// ContainerOptimized names the container-optimized OS family o belongs to,
// or "" for a general-purpose OS.
func (o OSRelease) ContainerOptimized() string {
	ids := append([]string{o.ID}, strings.Fields(o.IDLike)...)
	name := strings.ToLower(o.Name + " " + o.PrettyName)
	known := map[string]string{
		"rancheros": "RancherOS", "burmillaos": "BurmillaOS", "coreos": "CoreOS", "fedora-coreos": "Fedora CoreOS",
		"flatcar": "Flatcar Container Linux", "rhcos": "Red Hat CoreOS", "photon": "VMware Photon OS",
		"bottlerocket": "Bottlerocket", "talos": "Talos Linux", "cos": "Container-Optimized OS", "k3os": "k3OS",
		"sle-micro": "SLE Micro", "opensuse-microos": "openSUSE MicroOS", "clear-linux-os": "",
	}
	for _, id := range ids {
		if n, ok := known[id]; ok && n != "" {
			return n
		}
	}
	switch {
	case o.VariantID == "coreos":
		return "Fedora CoreOS"
	case o.VariantID == "atomic.host" || o.VariantID == "atomic" || strings.Contains(name, "atomic host"):
		return "Project Atomic"
	case strings.Contains(name, "rancheros"), strings.Contains(name, "flatcar"), strings.Contains(name, "bottlerocket"), strings.Contains(name, "talos"):
		return strings.TrimSpace(o.Name)
	}
	return ""
}

func (e *env) checkOS() rule.Finding {
	rl := lookup(HostOperatingSystem)
	var data []byte
	var err error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err = e.r.ReadFile(p, 1<<16)
		if err == nil {
			break
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && e.in.Info != nil && e.in.Info.OperatingSystem != "" {
			data = []byte("NAME=" + strconv.Quote(e.in.Info.OperatingSystem) + "\nPRETTY_NAME=" + strconv.Quote(e.in.Info.OperatingSystem))
		} else {
			return rl.Finding("host:os", rule.Skip("no os-release: "+err.Error()))
		}
	}
	o := ParseOSRelease(data)
	label := o.PrettyName
	if label == "" {
		label = strings.TrimSpace(o.Name + " " + o.VersionID)
	}
	detail := fmt.Sprintf("ID=%s ID_LIKE=%s VARIANT_ID=%s", o.ID, o.IDLike, o.VariantID)
	if cos := o.ContainerOptimized(); cos != "" {
		return rl.Finding("host:os", rule.Pass(label+" is a container-optimized OS ("+cos+")", detail))
	}
	return rl.Finding("host:os", rule.Warn(label+" is a general-purpose OS, not a container-optimized one", detail))
}
