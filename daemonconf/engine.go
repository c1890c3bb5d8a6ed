package daemonconf

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// This file holds the behaviours that differ between engine releases, as
// read from moby's daemon/config, cmd/dockerd (daemon/command in 29.x) and
// daemon/graphdriver at each release tag from v20.10.24 to docker-v29.7.2.

var (
	v24 = v(24, 0)
	v25 = v(25, 0)
	v27 = v(27, 0)
	v28 = v(28, 0)
	v29 = v(29, 0)
)

// decodeUTF16 decodes a file that starts with a UTF-16 byte order mark,
// as 23.0 and later do (unicode.BOMOverride); ok is false without one.
func decodeUTF16(data []byte) ([]byte, bool) {
	if len(data) < 2 {
		return nil, false
	}
	var order func(b []byte) uint16
	switch {
	case data[0] == 0xff && data[1] == 0xfe:
		order = func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
	case data[0] == 0xfe && data[1] == 0xff:
		order = func(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 }
	default:
		return nil, false
	}
	body := data[2:]
	units := make([]uint16, 0, len(body)/2)
	for i := 0; i+1 < len(body); i += 2 {
		units = append(units, order(body[i:i+2]))
	}
	return []byte(string(utf16.Decode(units))), true
}

// LogLevels returns the log-level values engine ver accepts. Up to 24.0
// dockerd parses the level with logrus, which also knows "warning"; 25.0
// switched to containerd's log package and its closed list, without it.
func LogLevels(ver Version) []string {
	if ver.orOldest().AtLeast(v25) {
		return []string{"trace", "debug", "info", "warn", "error", "fatal", "panic"}
	}
	return []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}
}

// flatOptions are the object-valued keys dockerd keeps whole when it
// checks key names; any other object is flattened first, and its members'
// names are checked as flag names instead (configValuesSet).
func flatOptions(ver Version) []string {
	flat := []string{"cluster-store-opts", "log-opts", "runtimes", "default-ulimits", "features", "builder"}
	if ver.AtLeast(v24) {
		flat = append(flat, "default-network-opts")
	}
	if ver.AtLeast(v(29, 2)) {
		flat = append(flat, "nri-opts")
	}
	return flat
}

func (v *validation) flat(name string) bool { return slices.Contains(flatOptions(v.ver), name) }

// knownName reports whether dockerd ver finds name among its flags or its
// named options (the unknown-directive check).
func knownName(name string, ver Version) bool {
	if k, ok := Lookup(name); ok && k.KnownIn(ver) {
		return true
	}
	if k, ok := flagKey(name); ok && k.KnownIn(ver) {
		return true
	}
	_, ok := flagOnlyIn(name, ver)
	return ok
}

// flattened judges an unknown key whose value is an object: dockerd checks
// the object's member names as flags and then ignores the key.
func (v *validation) flattened(name string, inner map[string]any) {
	var unknown []string
	for _, k := range sortedKeys(inner) {
		if !knownName(k, v.ver) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		hint := ""
		if s := suggest(name, v.ver); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		v.refuse(CodeUnknownKey, name, fmt.Sprintf("unknown key %q: dockerd flattens the object and refuses its members %s (\"the following directives don't match any configuration option\")", name, strings.Join(unknown, ", ")), hint)
		return
	}
	v.warn(CodeIgnoredKey, name, fmt.Sprintf("unknown key %q: dockerd checks the names inside the object as flags, then ignores the whole key", name), "move the settings to the top level or delete the key")
}

// storageOpts checks storage-opts against the overlay2 driver, which
// refuses options it does not know; overlay2.override_kernel_check was a
// no-op from 23.0 and became unknown in 24.0.
func (v *validation) storageOpts() {
	if !v.ok("storage-opts") {
		return
	}
	driver := "overlay2" // what dockerd picks on a current kernel when none is set
	if v.ok("storage-driver") {
		driver, _ = v.cfg.String("storage-driver")
	}
	if driver != "overlay2" {
		return
	}
	for _, o := range v.cfg.Strings("storage-opts") {
		key, _, ok := strings.Cut(o, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		switch {
		case !ok:
			v.refuse(CodeBadValue, "storage-opts", fmt.Sprintf("storage option %q is not key=value: the overlay2 driver fails to initialise", o), "")
		case key == "overlay2.size":
			v.overlayQuota()
		case key == "overlay2.override_kernel_check" && v.ver.Less(v24):
			v.warn(CodeDeprecatedKey, "storage-opts", fmt.Sprintf("overlay2.override_kernel_check is ignored by Docker %s and refused from 24.0 (\"overlay2: unknown option\")", v.ver), "delete it")
		default:
			v.refuse(CodeBadValue, "storage-opts", fmt.Sprintf("overlay2: unknown option %s: dockerd %s fails to initialise the graph driver", key, v.ver), "overlay2 takes only overlay2.size; delete the option")
		}
	}
}

// overlayQuota: overlay2.size needs a data root on xfs mounted with
// project quota ("Storage Option overlay2.size only supported for
// backingFS XFS").
func (v *validation) overlayQuota() {
	if v.host == nil || v.host.ProjectQuota == nil {
		v.hostProblem(false, EffectRefuse, "storage-opts", "overlay2.size needs the data root on xfs mounted with pquota", "")
		return
	}
	fs, ok := v.host.ProjectQuota(v.dataRoot())
	if !ok {
		v.hostProblem(true, EffectRefuse, "storage-opts", fmt.Sprintf("overlay2.size needs the data root on xfs with project quota; it is on %s here: dockerd fails to initialise the graph driver", fs), "drop overlay2.size, or move the data root to xfs mounted with pquota")
	}
}

// engineSpecific holds the remaining checks read from moby's source.
func (v *validation) engineSpecific() {
	c := v.cfg
	if v.ok("proxies") && v.ver.AtLeast(v23) {
		m, _ := c.values["proxies"].(map[string]any)
		for _, k := range sortedKeys(m) {
			if !slices.Contains([]string{"http-proxy", "https-proxy", "no-proxy"}, k) && !knownName(k, v.ver) {
				v.refuse(CodeUnknownKey, "proxies", fmt.Sprintf("proxies: unknown member %q: dockerd refuses it as a directive that matches no configuration option", k), "proxies takes http-proxy, https-proxy and no-proxy")
			}
			if c.Has(k) && slices.Contains([]string{"http-proxy", "https-proxy", "no-proxy"}, k) {
				v.warn(CodeDuplicateKey, "proxies", fmt.Sprintf("%q is set both at the top level and in proxies; only one of them takes effect", k), "keep the one in proxies")
			}
		}
	}
	// 29.0 refuses an explicitly enabled containerd snapshotter together
	// with userns-remap (buildkit breaks; moby#47377).
	if v.snapshotter() && v.ok("userns-remap") && v.ver.AtLeast(v29) {
		v.refuse(CodeConflict, "features", fmt.Sprintf("containerd-snapshotter is explicitly enabled, but Docker %s refuses it with userns-remap", v.ver), "drop the feature (29.0 turns the snapshotter off itself when userns-remap is set) or userns-remap")
	}
	// ip6tables was experimental until 27.0.
	if on, _ := c.Bool("ip6tables"); on && v.ok("ip6tables") && v.ver.Less(v27) {
		if exp, _ := c.Bool("experimental"); !exp {
			v.refuse(CodeVersionSpecific, "ip6tables", fmt.Sprintf("Docker %s says \"ip6tables rules are only available if experimental features are enabled\" (27.0 made it stable)", v.ver), `add "experimental": true or drop ip6tables`)
		}
	}
	// journald: the driver refuses to start a container when journald's
	// socket is missing ("journald is not enabled on this host").
	if d, _ := c.String("log-driver"); d == "journald" && v.ok("log-driver") {
		const sock = "/run/systemd/journal/socket"
		sockets := v.host.sockets()
		switch {
		case sockets == nil:
			v.hostProblem(false, EffectContainers, "log-driver", "the journald driver needs journald running ("+sock+"), or every container fails", "")
		case !sockets(sock):
			v.hostProblem(true, EffectContainers, "log-driver", "journald is not running on this host (no "+sock+"): dockerd starts, but every container fails (\"journald is not enabled on this host\")", "use the local or json-file driver, or run journald")
		}
	}
	// default-ulimits: the map key is only a label; dockerd hands the
	// entry's own Name to the runtime, which refuses an empty or unknown one.
	if v.ok("default-ulimits") {
		m, _ := c.values["default-ulimits"].(map[string]any)
		for _, key := range sortedKeys(m) {
			u, _ := m[key].(map[string]any)
			name, _ := caseGet(u, "name").(string)
			switch {
			case name == "":
				v.containers(CodeContainerFail, "default-ulimits", fmt.Sprintf("ulimit %q has no \"Name\": dockerd starts, but every container fails (the runtime gets an rlimit without a name)", key), fmt.Sprintf(`add "Name": %q`, key))
			case !slices.Contains(rlimitNames, strings.ToLower(name)):
				v.containers(CodeContainerFail, "default-ulimits", fmt.Sprintf("ulimit %q: %q is not a resource limit: dockerd starts, but every container fails", key, name), "use nofile, nproc, core, memlock, ...")
			}
		}
	}
	// 25.0 resolves userland-proxy-path at start when the proxy is on.
	if v.ok("userland-proxy-path") && v.ver.AtLeast(v25) {
		if on, set := c.Bool("userland-proxy"); !set || on {
			p, _ := c.String("userland-proxy-path")
			switch {
			case !filepath.IsAbs(p):
				v.refuse(CodeBadValue, "userland-proxy-path", fmt.Sprintf("invalid userland-proxy-path: must be an absolute path: %s", p), "")
			case v.host != nil && v.host.LookPath != nil:
				if _, err := v.host.LookPath(p); err != nil {
					v.hostProblem(true, EffectRefuse, "userland-proxy-path", fmt.Sprintf("invalid userland-proxy-path: %s is not an executable on this host", p), "install docker-proxy there or drop the key")
				}
			default:
				v.hostProblem(false, EffectRefuse, "userland-proxy-path", fmt.Sprintf("userland-proxy-path %s must be an executable (Docker %s checks it at start)", p, v.ver), "")
			}
		}
	}
	v.execOpts()
	v.addressPools()
	// syslog without an address logs to the local syslog socket.
	if d, _ := c.String("log-driver"); d == "syslog" && v.ok("log-driver") && c.StringMap("log-opts")["syslog-address"] == "" {
		sockets := v.host.sockets()
		switch {
		case sockets == nil:
			v.hostProblem(false, EffectContainers, "log-driver", "syslog without syslog-address needs a local syslog daemon (/dev/log), or every container fails", "")
		case !sockets("/dev/log") && !sockets("/var/run/syslog") && !sockets("/var/run/log"):
			v.hostProblem(true, EffectContainers, "log-driver", "syslog without syslog-address, and this host has no local syslog socket (/dev/log): dockerd starts, but every container fails (\"Unix syslog delivery error\")", `set log-opts "syslog-address" (CIS 2.13: a remote syslog) or run a syslog daemon`)
		}
	}
	// native.cgroupdriver=systemd: runc asks systemd for every container.
	for _, o := range c.Strings("exec-opts") {
		k, val, _ := strings.Cut(o, "=")
		if strings.EqualFold(strings.TrimSpace(k), "native.cgroupdriver") && strings.TrimSpace(val) == "systemd" {
			switch {
			case v.host == nil || v.host.Init == "":
				v.hostProblem(false, EffectContainers, "exec-opts", "native.cgroupdriver=systemd needs systemd as the host's init: otherwise every container fails to start", "")
			case v.host.Init != "systemd":
				v.hostProblem(true, EffectContainers, "exec-opts", fmt.Sprintf("native.cgroupdriver=systemd but this host's init is %s: dockerd starts, but every container fails (\"systemd not running on this host\")", v.host.Init), "use cgroupfs, or run the host with systemd")
			}
		}
	}
}

var (
	alphaPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-zA-Z]`) })
	domainPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))*)\.?\s*$`)
	})
)

// validDNSSearch is moby's opts.ValidateDNSSearch (every engine): "." or
// a domain with a letter, of dot-separated labels, under 255 characters.
func validDNSSearch(d string) bool {
	d = strings.Trim(d, " ")
	if d == "." {
		return true
	}
	if !alphaPattern().MatchString(d) {
		return false
	}
	m := domainPattern().FindStringSubmatch(d)
	return len(m) > 1 && len(m[1]) < 255
}

// sockets returns how to tell whether a unix socket exists, or nil.
func (h *HostFacts) sockets() func(string) bool {
	switch {
	case h == nil:
		return nil
	case h.SocketExists != nil:
		return h.SocketExists
	}
	return h.PathExists
}

// execOpts: every engine refuses a cgroup driver other than cgroupfs or
// systemd; 28.0 also refuses options it does not know and ones without a
// value (parseExecOptions), where older engines ignored them.
func (v *validation) execOpts() {
	if !v.ok("exec-opts") {
		return
	}
	for _, o := range v.cfg.Strings("exec-opts") {
		k, val, ok := strings.Cut(o, "=")
		k, val = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(val)
		switch {
		case k == "native.cgroupdriver" && val == "none":
			v.refuse(CodeBadValue, "exec-opts", "native.cgroupdriver option none is internally used and cannot be specified manually", "use cgroupfs or systemd")
		case k == "native.cgroupdriver" && val != "cgroupfs" && val != "systemd" && (val != "" || v.ver.AtLeast(v28)):
			v.refuse(CodeBadValue, "exec-opts", fmt.Sprintf("native.cgroupdriver option %s not supported", val), "use cgroupfs or systemd")
		case v.ver.Less(v28) || k == "native.cgroupdriver":
		case !ok || k == "" || val == "":
			v.refuse(CodeBadValue, "exec-opts", fmt.Sprintf("invalid exec-opt (%s): must be formatted 'opt=value'", o), "")
		case k == "isolation":
			v.refuse(CodeBadValue, "exec-opts", fmt.Sprintf("invalid exec-opt (%s): option 'isolation' is only supported on windows", o), "")
		default:
			v.refuse(CodeBadValue, "exec-opts", fmt.Sprintf("invalid exec-opt (%s): Docker %s knows only native.cgroupdriver (\"unknown option\")", o, v.ver), "delete the option")
		}
	}
}

// addressPools: libnetwork refuses a pool whose size is shorter than its
// base's prefix, or longer than the address.
func (v *validation) addressPools() {
	if !v.ok("default-address-pools") {
		return
	}
	list, _ := v.cfg.values["default-address-pools"].([]any)
	for i, e := range list {
		p, _ := e.(map[string]any)
		base, _ := caseGet(p, "base").(string)
		_, n, err := net.ParseCIDR(base)
		size, isNum := caseGet(p, "size").(json.Number)
		if err != nil || !isNum {
			continue
		}
		sz, err := strconv.Atoi(string(size))
		ones, bits := n.Mask.Size()
		if err != nil || sz < ones || sz > bits || sz <= 0 {
			v.refuse(CodeBadValue, "default-address-pools", fmt.Sprintf("pool %d: size /%d does not fit base %s: dockerd fails to initialise the network controller (\"invalid pools size\")", i, sz, base), fmt.Sprintf("use a size between %d and %d", ones, bits))
		}
	}
}

// listeners checks what dockerd binds at start against the host: the
// socket group, socket activation for fd://, and TCP addresses of the API
// and the metrics server.
func (v *validation) listeners() {
	c := v.cfg
	hosts := append(c.Strings("hosts"), c.flags["hosts"]...)
	unix := len(hosts) == 0 // the default socket
	for _, h := range hosts {
		scheme, addr, _ := strings.Cut(h, "://")
		switch scheme {
		case "unix":
			unix = true
		case "fd":
			if v.host != nil && v.host.SocketActivation != nil && !v.host.SocketActivation() {
				v.hostProblem(true, EffectRefuse, "hosts", fmt.Sprintf("%s needs systemd socket activation (docker.socket), which this host does not provide: dockerd says \"no sockets found via socket activation\"", h), "listen on unix:///var/run/docker.sock instead, or install and enable docker.socket")
			}
		case "tcp":
			v.bindable("hosts", addr)
		}
	}
	if g, ok := c.String("group"); ok && v.ok("group") && unix && g != "docker" && g != "" {
		if _, err := strconv.Atoi(g); err != nil {
			if v.host != nil && v.host.GroupExists != nil {
				if !v.host.GroupExists(g) {
					v.hostProblem(true, EffectRefuse, "group", fmt.Sprintf("socket group %q does not exist: dockerd cannot create its unix socket and exits", g), "create the group or drop the key")
				}
			} else {
				v.hostProblem(false, EffectRefuse, "group", fmt.Sprintf("socket group %q must exist", g), "")
			}
		}
	}
	if a, ok := c.String("metrics-addr"); ok && v.ok("metrics-addr") && a != "" {
		v.bindable("metrics-addr", a)
	}
}

// bindable judges a host:port dockerd listens on at start.
func (v *validation) bindable(key, hostport string) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	if host == "" || ip == nil {
		return // every address, or a name dockerd resolves
	}
	if v.host != nil && v.host.AddrAssignable != nil {
		if !v.host.AddrAssignable(ip) {
			v.hostProblem(true, EffectRefuse, key, fmt.Sprintf("%s: %s is not an address of this host: dockerd cannot listen there (\"cannot assign requested address\") and exits", key, ip), "use an address of one of the host's interfaces")
		}
		return
	}
	if !ip.IsLoopback() && !ip.IsUnspecified() {
		v.hostProblem(false, EffectRefuse, key, fmt.Sprintf("%s: %s must be an address of the host", key, ip), "")
	}
}

// hostDrivers returns the storage drivers the host supports for the data
// root dockerd will use, or nil when unknown.
func (v *validation) hostDrivers() []string {
	if v.host == nil {
		return nil
	}
	if v.host.DataRootDrivers != nil {
		return v.host.DataRootDrivers(v.dataRoot())
	}
	return v.host.StorageDrivers
}

// dataRoot is the data root dockerd will use: the file's data-root, else
// --data-root, else /var/lib/docker.
func (v *validation) dataRoot() string {
	if r, ok := v.cfg.String("data-root"); ok && v.ok("data-root") && r != "" {
		return r
	}
	if f := v.cfg.flags["data-root"]; len(f) > 0 {
		return f[len(f)-1]
	}
	return "/var/lib/docker"
}

// snapshotterNames are the containerd snapshotters storage-driver may name
// when the containerd image store is in use.
var snapshotterNames = []string{"overlayfs", "native", "btrfs", "zfs", "fuse-overlayfs", "stargz"}

// snapshotter reports whether the file turns the containerd image store on
// explicitly (features.containerd-snapshotter, known from 24.0). From 29.0
// it is also the default of a fresh install, which the file cannot show.
func (v *validation) snapshotter() bool {
	if !v.ok("features") || v.ver.Less(v24) {
		return false
	}
	m, _ := v.cfg.values["features"].(map[string]any)
	on, _ := m["containerd-snapshotter"].(bool)
	return on
}

// rlimitNames are the names the runtime accepts (RLIMIT_ without prefix).
var rlimitNames = []string{"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}
