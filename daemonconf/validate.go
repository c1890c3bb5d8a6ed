package daemonconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/safedock/safedock/rule"
)

// Options describe what Validate is told about the daemon that will read
// the file. The zero value validates for Docker 20.10 with no command-line
// flags and no knowledge of the host.
type Options struct {
	// Version is the engine that will read the file (zero: Oldest).
	Version Version
	// DockerdArgs is dockerd's command line, without the program name, as
	// in the systemd unit (e.g. {"-H", "fd://", "--containerd=/run/containerd/containerd.sock"}).
	DockerdArgs []string
	// Host holds facts about the host; nil means unknown, and host-dependent
	// checks are reported as warnings.
	Host *HostFacts
	// Target names the file in findings (default "file:daemon.json").
	Target string
	// Waivers turn failing security findings into waived ones.
	Waivers rule.Waivers
}

// HostFacts are what Validate may know about the host. A nil field means
// unknown.
type HostFacts struct {
	// StorageDrivers the host's kernel and data-root filesystem support.
	StorageDrivers []string
	// DataRootDrivers, when set, returns the storage drivers usable for a
	// data root at the given path (the file's data-root, --data-root or
	// /var/lib/docker); it takes precedence over StorageDrivers.
	DataRootDrivers func(dataRoot string) []string
	// ProjectQuota, when set, reports whether a data root at the given path
	// is on xfs mounted with project quota (what overlay2.size needs), and
	// the filesystem's type.
	ProjectQuota func(dataRoot string) (fsType string, ok bool)
	// NofileHardLimit is dockerd's own RLIMIT_NOFILE hard limit; containers
	// fail to start when default-ulimits asks for more. Zero: unknown.
	NofileHardLimit uint64
	// LookPath resolves a runtime binary as dockerd would (exec.LookPath).
	LookPath func(name string) (string, error)
	// PathExists reports whether a file (seccomp profile, TLS file) exists.
	PathExists func(path string) bool
	// SocketExists reports whether a unix socket exists at path (syslog's
	// /dev/log, journald's socket); nil falls back to PathExists.
	SocketExists func(path string) bool
	// UserExists reports whether a user (for userns-remap) exists.
	UserExists func(name string) bool
	// LookupUID returns the name of the first /etc/passwd entry with uid,
	// as dockerd resolves a numeric userns-remap (nil: unknown).
	LookupUID func(uid int) (name string, ok bool)
	// AuthzPlugins are the authorization plugins installed (nil: unknown).
	AuthzPlugins []string
	// GroupExists reports whether a group (the "group" key) exists.
	GroupExists func(name string) bool
	// AddrAssignable reports whether an IP address can be bound on the
	// host (it is assigned to one of its interfaces).
	AddrAssignable func(ip net.IP) bool
	// SocketActivation reports whether dockerd is started by systemd with
	// its docker.socket unit, which "-H fd://" needs.
	SocketActivation func() bool
	// Init is the host's init system ("systemd" when /run/systemd/system
	// exists, else its name or "other"); "" means unknown.
	Init string
	// SwarmActive is set when the node is part of a swarm (its local node
	// state is anything but inactive, so dockerd starts the cluster
	// component at boot). False means "not known to be".
	SwarmActive bool
}

// Result is the verdict on one daemon.json: problems dockerd itself would
// raise (errors) or that deserve attention (warnings), kept apart from the
// CIS security findings.
type Result struct {
	// Config is the parsed file; nil when it is not a JSON object.
	Config   *Config
	Problems []Problem
	Findings []rule.Finding
	Version  Version
	target   string
}

// Errors returns the problems that stop dockerd or every container.
func (r *Result) Errors() []Problem {
	return slices.DeleteFunc(slices.Clone(r.Problems), func(p Problem) bool { return p.Level != LevelError })
}

// Warnings returns the problems dockerd tolerates.
func (r *Result) Warnings() []Problem {
	return slices.DeleteFunc(slices.Clone(r.Problems), func(p Problem) bool { return p.Level != LevelWarning })
}

// Refused reports whether dockerd would refuse to start with the file.
func (r *Result) Refused() bool {
	return slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Level == LevelError && p.Effect == EffectRefuse })
}

// OK reports whether there are no errors at all.
func (r *Result) OK() bool { return len(r.Errors()) == 0 }

// Err returns nil when the file has no errors, else a *ProblemsError
// wrapping ErrRejected.
func (r *Result) Err() error {
	if errs := r.Errors(); len(errs) > 0 {
		return &ProblemsError{Problems: errs}
	}
	return nil
}

// Report returns the findings and every problem (as findings of
// daemon.valid-config and daemon.config-hygiene) as one sorted report.
func (r *Result) Report() rule.Report {
	fs := slices.Clone(r.Findings)
	valid, hyg := ruleValidConfig, ruleConfigHygiene
	errs := 0
	for _, p := range r.Problems {
		detail := p.String()
		switch p.Level {
		case LevelError:
			errs++
			reason := "dockerd refuses to start with this file"
			if p.Effect == EffectContainers {
				reason = "dockerd starts, but containers will fail"
			}
			fs = append(fs, valid.Finding(r.target, rule.Result{Status: rule.StatusFail, Reason: reason, Detail: detail, Method: "validate " + r.Version.String()}))
		default:
			fs = append(fs, hyg.Finding(r.target, rule.Result{Status: rule.StatusWarn, Reason: string(p.Code), Detail: detail, Method: "validate " + r.Version.String()}))
		}
	}
	if errs == 0 {
		fs = append(fs, valid.Finding(r.target, rule.Result{Status: rule.StatusPass, Reason: "dockerd " + r.Version.String() + " accepts the file", Method: "validate"}))
	}
	return rule.NewReport(fs)
}

// Validate judges a daemon.json the way dockerd would: strict parsing,
// known keys and types for the engine version, values dockerd rejects,
// conflicts with its command line and between keys, and what the host
// lacks — and, on top, the CIS security findings. It never panics.
func Validate(data []byte, opts Options) *Result {
	ver := opts.Version.orOldest()
	target := opts.Target
	if target == "" {
		target = "file:daemon.json"
	}
	res := &Result{Version: ver, target: target}
	var early []Problem
	if ver.AtLeast(v23) {
		// 23.0 decodes the file through a BOM-aware transform and returns
		// the defaults for a file that is empty after trimming whitespace.
		if u, ok := decodeUTF16(data); ok {
			data = u
			early = append(early, Problem{Code: CodeSyntax, Level: LevelWarning, Pos: Pos{1, 1},
				Message: fmt.Sprintf("file is UTF-16 with a byte order mark: Docker %s decodes it, Docker 20.10 refuses the file", ver),
				Hint:    "save the file as UTF-8 without BOM"})
		} else if rest, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf")); ok {
			data = rest
			early = append(early, Problem{Code: CodeSyntax, Level: LevelWarning, Pos: Pos{1, 1},
				Message: fmt.Sprintf("file starts with a UTF-8 byte order mark (BOM): Docker %s skips it, Docker 20.10 refuses the file", ver),
				Hint:    "save the file as UTF-8 without BOM"})
		}
		if len(bytes.TrimSpace(data)) == 0 {
			early = append(early, Problem{Code: CodeSyntax, Level: LevelWarning, Pos: Pos{1, 1},
				Message: fmt.Sprintf("file is empty: Docker %s starts with its defaults, Docker 20.10 refuses the file", ver),
				Hint:    "write {} or remove the file"})
			data = []byte("{}")
		}
	}
	res.Problems = append(res.Problems, early...)
	cfg, err := Parse(data)
	if err != nil {
		var se *SyntaxError
		p := Problem{Code: CodeSyntax, Level: LevelError, Effect: EffectRefuse, Message: err.Error()}
		if errors.As(err, &se) {
			p.Pos, p.Message, p.Hint = se.Pos, se.Msg, se.Hint
		}
		res.Problems = append(res.Problems, p)
		return res
	}
	res.Config = cfg
	v := &validation{cfg: cfg, ver: ver, host: opts.Host, res: res}
	for _, p := range cfg.problems {
		p.Level = LevelWarning
		if p.Code == CodeTrailingData && ver.AtLeast(v23) {
			p.Level, p.Effect = LevelError, EffectRefuse
		}
		res.Problems = append(res.Problems, p)
	}
	v.keys()
	cfg.flags = v.flags(opts.DockerdArgs)
	cfg.host = opts.Host
	v.values()
	v.cross()
	res.Findings = checkRules(cfg, target, opts.Waivers)
	sort.SliceStable(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i], res.Problems[j]
		if a.Level != b.Level {
			return a.Level == LevelError
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
	return res
}

var v23 = v(23, 0)

type validation struct {
	cfg  *Config
	ver  Version
	host *HostFacts
	res  *Result
	// bad marks keys whose type is wrong (value checks skip them).
	bad map[string]bool
}

func (v *validation) add(p Problem) {
	if p.Pos.Line == 0 && p.Key != "" {
		p.Pos = v.cfg.Pos(p.Key)
	}
	v.res.Problems = append(v.res.Problems, p)
}

func (v *validation) refuse(code Code, key, msg, hint string) {
	v.add(Problem{Code: code, Level: LevelError, Effect: EffectRefuse, Key: key, Message: msg, Hint: hint})
}

func (v *validation) containers(code Code, key, msg, hint string) {
	v.add(Problem{Code: code, Level: LevelError, Effect: EffectContainers, Key: key, Message: msg, Hint: hint})
}

func (v *validation) warn(code Code, key, msg, hint string) {
	v.add(Problem{Code: code, Level: LevelWarning, Key: key, Message: msg, Hint: hint})
}

// hostError reports a host-dependent error when the facts are known, and a
// warning when they are not.
func (v *validation) hostProblem(known bool, effect Effect, key, msg, hint string) {
	p := Problem{Code: CodeHost, Level: LevelWarning, Key: key, Message: msg, Hint: hint, HostDependent: true}
	if known {
		p.Level, p.Effect = LevelError, effect
	} else {
		p.Message += " (not checked: host facts unknown)"
	}
	v.add(p)
}

// keys checks key names and JSON types.
func (v *validation) keys() {
	v.bad = map[string]bool{}
	for _, name := range v.cfg.keys {
		k, known := Lookup(name)
		switch {
		case known && !k.Removed.IsZero() && v.ver.AtLeast(k.Removed):
			hint := "delete the key"
			if k.Replacement != "" {
				hint = fmt.Sprintf("use %q instead", k.Replacement)
			}
			v.refuse(CodeRemovedKey, name, fmt.Sprintf("%q is not accepted by Docker %s: %s", name, v.ver, k.Note), hint)
			v.bad[name] = true
			continue
		case known && !k.Since.IsZero() && v.ver.Less(k.Since):
			v.refuse(CodeNewKey, name, fmt.Sprintf("%q needs Docker %s or later; Docker %s refuses it as an unknown directive", name, k.Since, v.ver), "upgrade the engine or delete the key")
			v.bad[name] = true
			continue
		case !known:
			if inner, ok := v.cfg.values[name].(map[string]any); ok && !v.flat(name) {
				v.flattened(name, inner)
			} else if real, ok := flagOnlyIn(name, v.ver); ok {
				hint := "delete the key"
				if real != "" {
					hint = fmt.Sprintf("the configuration key is %q", real)
				}
				v.warn(CodeIgnoredKey, name, fmt.Sprintf("%q is a dockerd flag name, not a configuration key: dockerd accepts it and silently ignores it", name), hint)
			} else {
				hint := ""
				if s := suggest(name, v.ver); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				}
				v.refuse(CodeUnknownKey, name, fmt.Sprintf("unknown key %q: dockerd refuses the file (\"the following directives don't match any configuration option\")", name), hint)
			}
			v.bad[name] = true
			continue
		}
		if !k.Ignored.IsZero() && v.ver.AtLeast(k.Ignored) {
			v.warn(CodeIgnoredKey, name, fmt.Sprintf("%q is accepted and ignored by Docker %s: %s", name, v.ver, k.Note), "delete the key")
			v.bad[name] = true
			continue
		}
		if k.Note != "" {
			v.warn(CodeDeprecatedKey, name, fmt.Sprintf("%q is deprecated: %s", name, k.Note), "")
		}
		val := v.cfg.values[name]
		if val == nil {
			v.warn(CodeNull, name, fmt.Sprintf("%q is null; dockerd keeps its default", name), "remove the key or give a value")
			v.bad[name] = true
			continue
		}
		if msg := typeError(k.Kind, val); msg != "" {
			v.refuse(CodeWrongType, name, fmt.Sprintf("%q must be %s: %s", name, k.Kind, msg), typeHint(k.Kind, val))
			v.bad[name] = true
		}
	}
}

func jsonType(x any) string {
	switch x.(type) {
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return "value"
}

func isInt(x any) bool {
	n, ok := x.(json.Number)
	if !ok {
		return false
	}
	_, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil
}

// typeError returns what is wrong with x for kind k, in the words of Go's
// JSON decoder that dockerd prints, or "".
func typeError(k Kind, x any) string {
	got := func(want string) string {
		return fmt.Sprintf("got %s (cannot unmarshal %s into %s)", jsonType(x), jsonType(x), want)
	}
	switch k {
	case KindBool:
		if _, ok := x.(bool); !ok {
			return got("bool")
		}
	case KindInt:
		if !isInt(x) {
			return got("int")
		}
	case KindString, KindIP:
		if _, ok := x.(string); !ok {
			return got("string")
		}
	case KindSize:
		if _, ok := x.(string); !ok {
			return fmt.Sprintf("got %s (dockerd says \"invalid size\")", jsonType(x))
		}
	case KindStrings:
		list, ok := x.([]any)
		if !ok {
			return got("[]string")
		}
		for i, e := range list {
			if _, ok := e.(string); !ok && e != nil {
				return fmt.Sprintf("element %d is %s (cannot unmarshal %s into string)", i, jsonType(e), jsonType(e))
			}
		}
	case KindStringMap:
		m, ok := x.(map[string]any)
		if !ok {
			return got("map[string]string")
		}
		for _, key := range sortedKeys(m) {
			if _, ok := m[key].(string); !ok && m[key] != nil {
				return fmt.Sprintf("value of %q is %s (cannot unmarshal %s into string)", key, jsonType(m[key]), jsonType(m[key]))
			}
		}
	case KindObject:
		if _, ok := x.(map[string]any); !ok {
			return got("object")
		}
	case KindBoolMap:
		m, ok := x.(map[string]any)
		if !ok {
			return got("map[string]bool")
		}
		for _, key := range sortedKeys(m) {
			if _, ok := m[key].(bool); !ok && m[key] != nil {
				return fmt.Sprintf("value of %q is %s (cannot unmarshal %s into bool)", key, jsonType(m[key]), jsonType(m[key]))
			}
		}
	case KindUlimits:
		m, ok := x.(map[string]any)
		if !ok {
			return got("map[string]*units.Ulimit")
		}
		for _, key := range sortedKeys(m) {
			u, ok := m[key].(map[string]any)
			if !ok {
				return fmt.Sprintf("%q is %s (cannot unmarshal %s into units.Ulimit)", key, jsonType(m[key]), jsonType(m[key]))
			}
			for f, fv := range u {
				switch strings.ToLower(f) {
				case "name":
					if _, ok := fv.(string); !ok {
						return fmt.Sprintf("%s.%s must be a string", key, f)
					}
				case "hard", "soft":
					if !isInt(fv) {
						return fmt.Sprintf("%s.%s must be an integer", key, f)
					}
				}
			}
		}
	case KindRuntimes:
		m, ok := x.(map[string]any)
		if !ok {
			return got("map[string]types.Runtime")
		}
		for _, key := range sortedKeys(m) {
			r, ok := m[key].(map[string]any)
			if !ok {
				return fmt.Sprintf("runtime %q is %s, not an object", key, jsonType(m[key]))
			}
			for f, fv := range r {
				switch strings.ToLower(f) {
				case "path":
					if _, ok := fv.(string); !ok {
						return fmt.Sprintf("runtime %q: path must be a string", key)
					}
				case "runtimeargs":
					if msg := typeError(KindStrings, fv); msg != "" && fv != nil {
						return fmt.Sprintf("runtime %q: runtimeArgs %s", key, msg)
					}
				}
			}
		}
	case KindAddressPools:
		list, ok := x.([]any)
		if !ok {
			return got("[]*ipamutils.NetworkToSplit")
		}
		for i, e := range list {
			p, ok := e.(map[string]any)
			if !ok {
				return fmt.Sprintf("pool %d is %s, not an object", i, jsonType(e))
			}
			for f, fv := range p {
				switch strings.ToLower(f) {
				case "base":
					if _, ok := fv.(string); !ok {
						return fmt.Sprintf("pool %d: base must be a string", i)
					}
				case "size":
					if !isInt(fv) {
						return fmt.Sprintf("pool %d: size must be an integer", i)
					}
				}
			}
		}
	}
	return ""
}

func typeHint(k Kind, x any) string {
	switch {
	case k == KindStringMap:
		return `every value must be a JSON string, e.g. "max-file": "3"`
	case k == KindBool:
		return "write true or false without quotes"
	case k == KindInt:
		return "write the number without quotes"
	case k == KindSize:
		return `write the size as a string, e.g. "64M"`
	case k == KindStrings && jsonType(x) == "string":
		return fmt.Sprintf("write a list: [%q]", x)
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ok reports whether key is set with a well-typed value.
func (v *validation) ok(key string) bool { return v.cfg.Has(key) && !v.bad[key] }

// flagSpec maps a command-line flag (long or short) to its key.
func flagKey(name string) (Key, bool) {
	for _, k := range schema {
		if k.flagName() == name || (k.Short != "" && k.Short == name) {
			return k, true
		}
	}
	return Key{}, false
}

// parseDockerdArgs returns the keys set on the command line, with values.
func parseDockerdArgs(args []string) (map[string][]string, error) {
	set := map[string][]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return set, fmt.Errorf("unexpected argument %q: dockerd takes no positional arguments", a)
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") && len(name) > 1 {
			// -Hfd:// or -Dl debug (short flags glued to a value)
			name, val, hasVal = name[:1], name[1:], true
		}
		switch name {
		case "config-file", "validate", "help", "h", "version", "v":
			if name == "config-file" && !hasVal {
				i++
			}
			continue
		}
		k, ok := flagKey(name)
		if !ok {
			return set, fmt.Errorf("unknown dockerd flag %q", a)
		}
		if !hasVal && k.Kind != KindBool {
			if i+1 >= len(args) {
				return set, fmt.Errorf("flag %q needs a value", a)
			}
			i++
			val, hasVal = args[i], true
		}
		if !hasVal {
			val = "true"
		}
		set[k.Name] = append(set[k.Name], val)
	}
	return set, nil
}

// flags checks keys that are also set on dockerd's command line, and
// returns what the command line sets.
func (v *validation) flags(args []string) map[string][]string {
	set, err := parseDockerdArgs(args)
	if err != nil {
		v.warn(CodeBadDockerdArgs, "", fmt.Sprintf("reading the dockerd command line: %v", err), "conflicts with flags may be missed")
	}
	for _, name := range v.cfg.keys {
		vals, ok := set[name]
		if !ok {
			continue
		}
		k, _ := Lookup(name)
		hint := fmt.Sprintf("remove --%s from the dockerd command line or %q from the file", k.flagName(), name)
		if name == "hosts" {
			hint = "systemd's docker.service passes -H fd://; override ExecStart with a drop-in (ExecStart= then ExecStart=/usr/bin/dockerd) or drop \"hosts\" from the file"
		}
		v.refuse(CodeFlagConflict, name, fmt.Sprintf("%q is also given as a flag (--%s %s): dockerd refuses a directive specified both as a flag and in the configuration file", name, k.flagName(), strings.Join(vals, " ")), hint)
	}
	// The renamed graph key against --data-root.
	if v.ok("graph") && (set["data-root"] != nil || v.cfg.Has("data-root")) {
		v.warn(CodeIneffective, "graph", `"graph" is ignored because data-root is also set`, `delete "graph"`)
	}
	return set
}

var (
	builtinDrivers = []string{"json-file", "local", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "gcplogs", "logentries", "none"}
	storageDrivers = []string{"overlay2", "overlay", "fuse-overlayfs", "btrfs", "zfs", "vfs", "aufs", "devicemapper"}
	commonLogOpts  = []string{"env", "env-regex", "labels", "labels-regex", "tag", "mode", "max-buffer-size"}
	driverLogOpts  = map[string][]string{
		"json-file": {"max-file", "max-size", "compress"},
		"local":     {"max-file", "max-size", "compress"},
		"syslog":    {"syslog-address", "syslog-facility", "syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify", "syslog-format"},
		"journald":  {},
		"gelf":      {"gelf-address", "gelf-compression-type", "gelf-compression-level", "gelf-tcp-max-reconnect", "gelf-tcp-reconnect-delay"},
		"fluentd": {"fluentd-address", "fluentd-async", "fluentd-async-connect", "fluentd-buffer-limit", "fluentd-retry-wait",
			"fluentd-max-retries", "fluentd-sub-second-precision", "fluentd-request-ack"},
		"none": {},
	}
	syslogFacilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
	sizePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i)\s*[0-9]+(\.[0-9]+)?\s*([kmgtp]i?b?|b)?\s*$`) })
)

// values checks values dockerd rejects.
func (v *validation) values() {
	c := v.cfg
	if v.ok("log-level") {
		s, _ := c.String("log-level")
		if !slices.Contains(LogLevels(v.ver), strings.ToLower(s)) {
			hint := "use info (CIS 2.3)"
			if strings.EqualFold(s, "warning") {
				hint = fmt.Sprintf(`Docker %s knows "warn" but not "warning"`, v.ver)
			}
			v.refuse(CodeBadValue, "log-level", fmt.Sprintf("log-level %q is not a level (dockerd: \"invalid logging level\")", s), hint)
		}
	}
	for _, key := range []string{"default-cgroupns-mode", "default-ipc-mode", "log-format", "firewall-backend"} {
		if v.ok(key) {
			k, _ := Lookup(key)
			s, _ := c.String(key)
			if !slices.Contains(k.Values, s) {
				v.refuse(CodeBadValue, key, fmt.Sprintf("%s %q is not allowed", key, s), "use one of "+strings.Join(k.Values, ", "))
			}
		}
	}
	for _, key := range []string{"ip", "default-gateway", "default-gateway-v6", "host-gateway-ip"} {
		if v.ok(key) {
			s, _ := c.String(key)
			if net.ParseIP(s) == nil {
				v.refuse(CodeBadValue, key, fmt.Sprintf("%s: invalid IP address: %s", key, s), "")
			}
		}
	}
	for _, key := range []string{"bip", "fixed-cidr", "fixed-cidr-v6"} {
		if v.ok(key) {
			s, _ := c.String(key)
			if _, _, err := net.ParseCIDR(s); err != nil {
				hint := "write an address with a prefix length, e.g. 172.18.0.1/16"
				if strings.Contains(s, "{{") {
					hint = "an unrendered template placeholder"
				}
				v.refuse(CodeBadValue, key, fmt.Sprintf("%s: invalid CIDR address: %s", key, s), hint)
			}
		}
	}
	if v.ok("default-address-pools") {
		list, _ := c.values["default-address-pools"].([]any)
		for i, e := range list {
			p, _ := e.(map[string]any)
			base, _ := caseGet(p, "base").(string)
			if _, _, err := net.ParseCIDR(base); err != nil {
				v.refuse(CodeBadValue, "default-address-pools", fmt.Sprintf("pool %d: invalid base %q", i, base), "")
			}
		}
	}
	for _, key := range []string{"max-concurrent-downloads", "max-concurrent-uploads"} {
		if n, ok := v.int(key); ok && n < 0 {
			v.refuse(CodeBadValue, key, fmt.Sprintf("invalid %s: %d", strings.ReplaceAll(key, "-", " "), n), "use a positive number")
		}
	}
	if n, ok := v.int("max-download-attempts"); ok && (n < 0 || n == 0 && v.ver.Less(v23)) {
		v.refuse(CodeBadValue, "max-download-attempts", fmt.Sprintf("invalid max download attempts: %d", n), "use a positive number")
	}
	if n, ok := v.int("mtu"); ok && n < 0 {
		v.refuse(CodeBadValue, "mtu", fmt.Sprintf("invalid MTU number: %d", n), "use 0 (default) or a positive MTU")
	}
	if n, ok := v.int("network-diagnostic-port"); ok && (n < 0 || n > 65535) && v.ver.AtLeast(v28) {
		v.refuse(CodeBadValue, "network-diagnostic-port", fmt.Sprintf("invalid network-diagnostic-port (%d): value must be between 0 and 65535", n), "")
	}
	if n, ok := v.int("default-stop-timeout"); ok && n < 0 {
		v.refuse(CodeBadValue, "default-stop-timeout", fmt.Sprintf("invalid default stop timeout: %d", n), "")
	}
	if n, ok := v.int("shutdown-timeout"); ok && n < 0 {
		// No engine checks it (read at v20.10.24 .. docker-v29.7.2): a
		// negative value means dockerd waits for containers without limit.
		v.warn(CodeIneffective, "shutdown-timeout", fmt.Sprintf("shutdown-timeout %d: dockerd waits for containers to stop without a time limit", n), "use a positive number of seconds")
	}
	if v.ok("dns") {
		for _, s := range c.Strings("dns") {
			if net.ParseIP(s) == nil {
				v.refuse(CodeBadValue, "dns", fmt.Sprintf("%s is not an ip address", s), "dns takes IP addresses of name servers")
			}
		}
	}
	if v.ok("dns-search") {
		for _, d := range c.Strings("dns-search") {
			if !validDNSSearch(d) {
				v.refuse(CodeBadValue, "dns-search", fmt.Sprintf("%s is not a valid domain", d), "one domain per entry, without spaces")
			}
		}
	}
	if v.ok("labels") {
		seen := map[string]string{}
		for _, l := range c.Strings("labels") {
			name, val, ok := strings.Cut(l, "=")
			if !ok {
				v.refuse(CodeBadValue, "labels", fmt.Sprintf("bad attribute format: %s", l), "labels are key=value")
				continue
			}
			if prev, dup := seen[name]; dup && prev != val {
				v.refuse(CodeBadValue, "labels", fmt.Sprintf("conflict labels for %s=%s and %s=%s", name, prev, name, val), "give each label once")
			}
			seen[name] = val
		}
	}
	if v.ok("default-shm-size") {
		s, _ := c.String("default-shm-size")
		if !sizePattern().MatchString(s) {
			v.refuse(CodeBadValue, "default-shm-size", fmt.Sprintf("invalid size: %q", s), `e.g. "64M"`)
		}
	}
	if v.ok("registry-mirrors") {
		for _, s := range c.Strings("registry-mirrors") {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				scheme := ""
				if err == nil {
					scheme = u.Scheme
				}
				v.refuse(CodeBadValue, "registry-mirrors", fmt.Sprintf("invalid mirror: unsupported scheme %q in %q", scheme, s), "mirrors are URLs: https://host[:port]")
				continue
			}
			switch {
			case u.RawQuery != "" || u.Fragment != "":
				v.refuse(CodeBadValue, "registry-mirrors", fmt.Sprintf("invalid mirror: query or fragment at end of the URI %q", s), "")
			case u.User != nil:
				v.refuse(CodeBadValue, "registry-mirrors", fmt.Sprintf("invalid mirror: username/password not allowed in URI %q", u.Redacted()), "")
			case u.Path != "" && u.Path != "/" && v.ver.Less(v25):
				v.refuse(CodeBadValue, "registry-mirrors", fmt.Sprintf("invalid mirror: path, query, or fragment at end of the URI %q (Docker %s; 25.0 allows a path)", s, v.ver), "give the mirror's root URL")
			}
		}
	}
	if v.ok("insecure-registries") {
		for _, s := range c.Strings("insecure-registries") {
			if strings.Contains(s, "://") {
				v.warn(CodeBadValue, "insecure-registries", fmt.Sprintf("insecure registry %q has a scheme; Docker 20.10 strips it, write host[:port] or a CIDR", s), "")
			}
		}
	}
	if v.ok("hosts") {
		for _, h := range c.Strings("hosts") {
			scheme, _, ok := strings.Cut(h, "://")
			if !ok || !slices.Contains([]string{"unix", "tcp", "fd", "npipe", "ssh"}, scheme) {
				v.refuse(CodeBadValue, "hosts", fmt.Sprintf("invalid host %q", h), "use unix:///path, tcp://host:port or fd://")
			}
		}
	}
	if v.ok("storage-driver") {
		s, _ := c.String("storage-driver")
		hostDrivers := v.hostDrivers()
		switch {
		case v.snapshotter() && slices.Contains(snapshotterNames, s):
			// a containerd snapshotter, not a graph driver
		case !slices.Contains(storageDrivers, s):
			v.refuse(CodeBadValue, "storage-driver", fmt.Sprintf("storage driver %q does not exist (dockerd: \"driver not supported\")", s), "use overlay2 (CIS 2.6)")
		case (s == "aufs" || s == "overlay") && v.ver.AtLeast(Version{24, 0}), s == "devicemapper" && v.ver.AtLeast(Version{25, 0}):
			v.refuse(CodeBadValue, "storage-driver", fmt.Sprintf("storage driver %q was removed before Docker %s", s, v.ver), "use overlay2")
		case hostDrivers != nil && !slices.Contains(hostDrivers, s):
			v.hostProblem(true, EffectRefuse, "storage-driver", fmt.Sprintf("storage driver %q is not supported on this host (its kernel or the data-root filesystem)", s), "use a driver the host supports, normally overlay2")
		case hostDrivers == nil:
			if s != "overlay2" && s != "vfs" {
				v.hostProblem(false, EffectRefuse, "storage-driver", fmt.Sprintf("storage driver %q must be supported by the host", s), "")
			}
		}
	}
	v.logging()
	v.runtimes()
	v.ulimits()
	v.files()
}

func caseGet(m map[string]any, key string) any {
	for k, x := range m {
		if strings.EqualFold(k, key) {
			return x
		}
	}
	return nil
}

func (v *validation) int(key string) (int64, bool) {
	if !v.ok(key) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v.cfg.values[key].(json.Number)), 10, 64)
	return n, err == nil
}

func (v *validation) logging() {
	c := v.cfg
	driver := "json-file"
	if v.ok("log-driver") {
		driver, _ = c.String("log-driver")
	}
	plugin := strings.ContainsAny(driver, "/:")
	if !slices.Contains(builtinDrivers, driver) && !plugin {
		hint := ""
		if s := nearest(driver, builtinDrivers); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		v.containers(CodeContainerFail, "log-driver", fmt.Sprintf("no log driver named %q is built in: dockerd starts, but every container fails (\"logger: no log driver named ... is registered\")", driver), hint)
		return
	}
	if !v.ok("log-opts") || plugin {
		if driver == "gelf" {
			v.containers(CodeContainerFail, "log-opts", "the gelf driver needs log-opts gelf-address: containers fail to start without it", `add "gelf-address": "udp://host:12201"`)
		}
		return
	}
	opts := c.StringMap("log-opts")
	allowed, modelled := driverLogOpts[driver]
	for _, name := range sortedKeys(anyMap(opts)) {
		path := "log-opts." + name
		if slices.Contains(commonLogOpts, name) || slices.Contains(allowed, name) {
			continue
		}
		if !modelled && strings.HasPrefix(name, driver+"-") {
			continue
		}
		if !modelled {
			continue // drivers whose options are not modelled (awslogs, splunk, ...)
		}
		v.add(Problem{Code: CodeBadValue, Level: LevelError, Effect: EffectRefuse, Key: path, Pos: c.Pos(path),
			Message: fmt.Sprintf("unknown log opt %q for %s log driver (dockerd: \"failed to set log opts\")", name, driver),
			Hint:    hintLogOpt(name, driver)})
	}
	switch driver {
	case "syslog":
		if addr, ok := opts["syslog-address"]; ok && addr != "" {
			scheme, rest, ok := strings.Cut(addr, "://")
			if !ok || !slices.Contains([]string{"udp", "tcp", "tcp+tls", "unix", "unixgram"}, scheme) || rest == "" {
				v.add(Problem{Code: CodeBadValue, Level: LevelError, Effect: EffectRefuse, Key: "log-opts.syslog-address", Pos: c.Pos("log-opts.syslog-address"),
					Message: fmt.Sprintf("syslog-address should be in form proto://address, got %s", addr), Hint: "proto is udp, tcp, tcp+tls, unix or unixgram"})
			}
		}
		if f, ok := opts["syslog-format"]; ok && !slices.Contains([]string{"", "rfc5424", "rfc5424micro", "rfc3164"}, f) {
			v.add(Problem{Code: CodeBadValue, Level: LevelError, Effect: EffectRefuse, Key: "log-opts.syslog-format", Pos: c.Pos("log-opts.syslog-format"),
				Message: fmt.Sprintf("invalid syslog format: %s", f), Hint: "rfc5424, rfc5424micro or rfc3164"})
		}
		if f, ok := opts["syslog-facility"]; ok && !slices.Contains(syslogFacilities, f) {
			if _, err := strconv.Atoi(f); err != nil {
				v.add(Problem{Code: CodeBadValue, Level: LevelError, Effect: EffectRefuse, Key: "log-opts.syslog-facility", Pos: c.Pos("log-opts.syslog-facility"),
					Message: fmt.Sprintf("invalid syslog facility %q", f), Hint: "e.g. daemon or local0"})
			}
		}
	case "json-file", "local":
		size, hasSize := opts["max-size"]
		if hasSize && size != "-1" && !sizePattern().MatchString(size) {
			v.containers(CodeContainerFail, "log-opts.max-size", fmt.Sprintf("max-size %q is not a size: dockerd starts, but containers fail to start", size), `e.g. "10m"`)
		}
		if mf, ok := opts["max-file"]; ok {
			n, err := strconv.Atoi(mf)
			switch {
			case err != nil:
				v.containers(CodeContainerFail, "log-opts.max-file", fmt.Sprintf("max-file %q is not a number: containers fail to start", mf), `e.g. "3"`)
			case n < 1:
				v.containers(CodeContainerFail, "log-opts.max-file", "max-file cannot be less than 1: containers fail to start", "")
			case n > 1 && !hasSize && driver == "json-file":
				v.warn(CodeIneffective, "log-opts.max-file", "max-file has no effect without max-size", `add "max-size"`)
			}
		}
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = x
	}
	return out
}

func hintLogOpt(name, driver string) string {
	for d, opts := range driverLogOpts {
		if d != driver && slices.Contains(opts, name) {
			return fmt.Sprintf("%q belongs to the %s driver; remove it when switching to %s", name, d, driver)
		}
	}
	return ""
}

func nearest(s string, among []string) string {
	best, bestD := "", 3
	for _, x := range among {
		if d := distance(strings.ToLower(s), x); d < bestD || strings.HasPrefix(x, strings.ToLower(s)) && bestD > 1 {
			best, bestD = x, min(d, 1)
		}
	}
	return best
}

func (v *validation) runtimes() {
	c := v.cfg
	declared := map[string]string{}
	if v.ok("runtimes") {
		m, _ := c.values["runtimes"].(map[string]any)
		for _, name := range sortedKeys(m) {
			r, _ := m[name].(map[string]any)
			path, _ := caseGet(r, "path").(string)
			declared[name] = path
			if name == "runc" || (v.ver.AtLeast(Version{22, 6}) && strings.HasPrefix(name, "io.containerd.")) {
				v.refuse(CodeBadValue, "runtimes", fmt.Sprintf("runtime name '%s' is reserved", name), "pick another name")
				continue
			}
			if path == "" {
				v.refuse(CodeBadValue, "runtimes", fmt.Sprintf("runtime %q has no path", name), "")
				continue
			}
			if v.host != nil && v.host.LookPath != nil {
				if _, err := v.host.LookPath(path); err != nil {
					if def, _ := c.String("default-runtime"); def == name {
						v.hostProblem(true, EffectContainers, "runtimes", fmt.Sprintf("default runtime %q: binary %q is not installed: dockerd starts, but every container fails", name, path), "install the runtime or remove it")
					} else {
						v.add(Problem{Code: CodeHost, Level: LevelWarning, Key: "runtimes", HostDependent: true,
							Message: fmt.Sprintf("runtime %q: binary %q is not installed on this host: containers started with --runtime %s fail", name, path, name), Hint: "install the runtime or remove it"})
					}
				}
			} else {
				v.hostProblem(false, EffectContainers, "runtimes", fmt.Sprintf("runtime %q: binary %q must be installed, or containers using it fail", name, path), "")
			}
		}
	}
	if v.ok("default-runtime") {
		name, _ := c.String("default-runtime")
		if _, ok := declared[name]; !ok && name != "runc" && !strings.HasPrefix(name, "io.containerd.") {
			v.refuse(CodeBadValue, "default-runtime", fmt.Sprintf("specified default runtime '%s' does not exist", name), fmt.Sprintf(`declare it in "runtimes": {%q: {"path": "..."}}`, name))
		}
	}
}

func (v *validation) ulimits() {
	if !v.ok("default-ulimits") {
		return
	}
	m, _ := v.cfg.values["default-ulimits"].(map[string]any)
	for _, name := range sortedKeys(m) {
		u, _ := m[name].(map[string]any)
		soft, _ := strconv.ParseInt(fmt.Sprint(caseGet(u, "soft")), 10, 64)
		hard, _ := strconv.ParseInt(fmt.Sprint(caseGet(u, "hard")), 10, 64)
		if soft > hard && hard >= 0 {
			v.containers(CodeContainerFail, "default-ulimits", fmt.Sprintf("ulimit %s: soft limit %d is above hard limit %d: dockerd starts, but containers fail", name, soft, hard), "make soft <= hard")
		}
		if name == "nofile" {
			if v.host != nil && v.host.NofileHardLimit > 0 {
				if hard > 0 && uint64(hard) > v.host.NofileHardLimit {
					v.hostProblem(true, EffectContainers, "default-ulimits", fmt.Sprintf("nofile hard limit %d is above dockerd's own limit %d: containers fail to start (a process cannot raise its hard limit)", hard, v.host.NofileHardLimit), fmt.Sprintf("use at most %d, or raise LimitNOFILE of docker.service", v.host.NofileHardLimit))
				}
			} else if hard > 65536 {
				v.hostProblem(false, EffectContainers, "default-ulimits", fmt.Sprintf("nofile hard limit %d must not exceed dockerd's own hard limit (LimitNOFILE of docker.service), or every container fails", hard), "")
			}
		}
		if hard > math.MaxInt32*2 {
			v.warn(CodeBadValue, "default-ulimits", fmt.Sprintf("ulimit %s is very large", name), "")
		}
	}
}

// files checks paths dockerd opens at start.
func (v *validation) files() {
	c := v.cfg
	exists := func(string) bool { return true }
	known := v.host != nil && v.host.PathExists != nil
	if known {
		exists = v.host.PathExists
	}
	if v.ok("seccomp-profile") {
		p, _ := c.String("seccomp-profile")
		switch {
		case (p == "unconfined" || p == "builtin") && v.ver.Less(v23):
			v.refuse(CodeVersionSpecific, "seccomp-profile", fmt.Sprintf("Docker %s reads %q as a file name (the keywords unconfined and builtin arrived in 23.0): dockerd refuses to start", v.ver, p), "give the path of a profile; never disable seccomp (CIS 2.17)")
		case p == "unconfined" || p == "builtin" || p == "":
		case !known:
			v.hostProblem(false, EffectRefuse, "seccomp-profile", fmt.Sprintf("seccomp profile %s must exist", p), "")
		case !exists(p):
			v.hostProblem(true, EffectRefuse, "seccomp-profile", fmt.Sprintf("opening seccomp profile (%s) failed: no such file", p), "")
		}
	}
	tlsOn := false
	if b, ok := c.Bool("tls"); ok && b {
		tlsOn = true
	}
	if b, ok := c.Bool("tlsverify"); ok && b {
		tlsOn = true
	}
	if tlsOn {
		for _, key := range []string{"tlscacert", "tlscert", "tlskey"} {
			if key == "tlscacert" {
				if b, _ := c.Bool("tlsverify"); !b {
					continue
				}
			}
			p, ok := c.String(key)
			if !ok {
				v.warn(CodeIneffective, key, fmt.Sprintf("TLS is on but %s is not set: dockerd uses ~/.docker of the user that starts it", key), "set it explicitly")
				continue
			}
			if known && !exists(p) {
				v.hostProblem(true, EffectRefuse, key, fmt.Sprintf("%s %s does not exist: dockerd fails to create the API server", key, p), "")
			} else if !known {
				v.hostProblem(false, EffectRefuse, key, fmt.Sprintf("%s %s must exist", key, p), "")
			}
		}
	}
	if v.ok("authorization-plugins") {
		for _, p := range c.Strings("authorization-plugins") {
			// A name with a repository or tag is a managed plugin (docker
			// plugin install), kept in the data root, not in the plugin
			// directories the facts list.
			managed := strings.ContainsAny(p, "/:")
			if v.host != nil && v.host.AuthzPlugins != nil && !managed {
				if !slices.Contains(v.host.AuthzPlugins, p) {
					v.hostProblem(true, EffectRefuse, "authorization-plugins", fmt.Sprintf("failed to validate authorization plugin: plugin %q not found", p), "install the plugin first")
				}
			} else {
				v.hostProblem(false, EffectRefuse, "authorization-plugins", fmt.Sprintf("authorization plugin %q must be installed before dockerd starts", p), "")
			}
		}
	}
	if v.ok("userns-remap") {
		spec, _ := c.String("userns-remap")
		user, _, _ := strings.Cut(spec, ":")
		if root, why := RemapsToRoot(spec, v.host.uidLookup()); root {
			v.warn(CodeIneffective, "userns-remap", why+`: dockerd logs "root cannot be remapped with itself; user namespaces are OFF" and runs without user namespaces`, `use "default" (CIS 2.9)`)
		} else if uid, err := strconv.ParseInt(user, 10, 32); err == nil {
			if v.host != nil && v.host.LookupUID != nil {
				if _, ok := v.host.LookupUID(int(uid)); !ok {
					v.hostProblem(true, EffectRefuse, "userns-remap", fmt.Sprintf("userns-remap uid %d has no entry in /etc/passwd", uid), `use "default" (dockerd creates dockremap)`)
				}
			} else {
				v.hostProblem(false, EffectRefuse, "userns-remap", fmt.Sprintf("userns-remap uid %d must have an /etc/passwd entry with subordinate id ranges", uid), "")
			}
		} else if spec != "default" && user != "" {
			if v.host != nil && v.host.UserExists != nil {
				if !v.host.UserExists(user) {
					v.hostProblem(true, EffectRefuse, "userns-remap", fmt.Sprintf("userns-remap user %q does not exist", user), `use "default" (dockerd creates dockremap) or create the user with /etc/subuid and /etc/subgid ranges`)
				}
			} else {
				v.hostProblem(false, EffectRefuse, "userns-remap", fmt.Sprintf("userns-remap user %q must exist with subordinate id ranges", user), "")
			}
		}
	}
}

// cross checks rules between keys.
func (v *validation) cross() {
	c := v.cfg
	icc, iccSet := c.Bool("icc")
	ipt, iptSet := c.Bool("iptables")
	if iccSet && !icc && iptSet && !ipt {
		v.refuse(CodeConflict, "icc", "icc=false needs iptables: dockerd says \"You specified --iptables=false with --icc=false\"", "keep iptables true (CIS 2.4)")
	}
	if v.ok("bridge") && v.ok("bip") {
		v.refuse(CodeConflict, "bip", "bridge and bip are mutually exclusive (dockerd: \"You specified -b & --bip\")", "set bip on the bridge you name, or drop bridge")
	}
	if v.ok("graph") && c.Has("data-root") {
		v.refuse(CodeConflict, "graph", `"graph" and "data-root" both set: dockerd refuses both options`, `keep "data-root"`)
	}
	if lr, _ := c.Bool("live-restore"); lr && liveRestoreRefusedInSwarm(v.ver) {
		msg := fmt.Sprintf("live-restore is incompatible with swarm mode: on a swarm node dockerd %s fails to start its cluster component and exits", v.ver)
		// Reported only when the host is known to be a swarm node: most
		// hosts are not, and a file for an unknown host gets no noise.
		if v.host != nil && v.host.SwarmActive {
			v.hostProblem(true, EffectRefuse, "live-restore", msg+"; this node is in a swarm", "set live-restore to false on swarm nodes")
		}
	}
	if v.ok("cluster-store") || v.ok("cluster-advertise") {
		v.refuse(CodeVersionSpecific, "cluster-store", fmt.Sprintf("Docker %s initialises the legacy cluster discovery at start and refuses to start when it fails (distribution builds lack most backends; 23.0 removed the feature)", v.ver), "use swarm mode for multi-host networking")
	}
	if v6, _ := c.Bool("ipv6"); v6 && !c.Has("fixed-cidr-v6") {
		v.warn(CodeIneffective, "ipv6", "ipv6 without fixed-cidr-v6: the default bridge gets no IPv6 subnet", "")
	}
	v.storageOpts()
	v.engineSpecific()
	v.listeners()
	if n, ok := v.int("oom-score-adjust"); ok && n < 0 {
		v.warn(CodeHost, "oom-score-adjust", "lowering the OOM score needs CAP_SYS_RESOURCE; without it dockerd logs an error and goes on", "")
	}
	for _, key := range c.keys {
		if s, ok := c.String(key); ok && strings.Contains(s, "{{") {
			v.warn(CodeTemplate, key, fmt.Sprintf("%q holds an unrendered template placeholder: %s", key, s), "render the template before installing the file")
		}
	}
}
