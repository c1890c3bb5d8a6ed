// Package cliflags declares, once, the docker-like command-line flags
// that describe a hardening profile (--user, --cap-add, -p, -v, --tmpfs, -e,
// --memory, --pids-limit, --cpu-shares, --entrypoint, --network, --waive,
// and with Config.Service the flags of a long-running service) for every
// command that takes one: safedock run, safedock swarm deploy and
// safedock-kube export.
package cliflags

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// List is a repeatable string flag (-p 1 -p 2).
type List []string

// String implements flag.Value.
func (l *List) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value.
func (l *List) Set(v string) error { *l = append(*l, v); return nil }

// Config says which optional flags a command offers and how it words them.
type Config struct {
	// Network is --network's default; empty means the command has no --network.
	Network string
	// Volumes adds -v/--volume; CPUShares adds --cpu-shares.
	Volumes, CPUShares bool
	// Service adds the flags a long-running service needs, docker run's
	// spelling: --health-*, --no-healthcheck, -w/--workdir, -h/--hostname,
	// --stop-signal, --stop-timeout, --init, --ulimit, --sysctl, --dns*,
	// --add-host, --mount, --env-file, --network-alias, --group-add,
	// --shm-size, --cpus (unless fs has one), --memory-swap; and makes
	// --network repeatable (the first is the main network, the others are
	// joined too). Commands whose platform cannot express one of them
	// (swarm, Kubernetes) refuse it when it is given, never drop it.
	Service bool
	// Help overrides the usage text of a flag, by its long name.
	Help map[string]string
}

// Profile holds the parsed values.
type Profile struct {
	User, Network, Memory, Entrypoint string
	PidsLimit, CPUShares              int64
	Caps, Publish, Volumes, Tmpfs     List
	Env, Waivers                      List

	// Service flags (Config.Service).
	HealthCmd, Workdir, Hostname, StopSignal, ShmSize, CPUs, MemorySwap string
	HealthInterval, HealthTimeout, HealthStartPeriod                    time.Duration
	HealthRetries, StopTimeout                                          int
	NoHealthcheck, Init                                                 bool
	Ulimits, Sysctls, DNS, DNSSearch, DNSOptions, AddHosts, Mounts      List
	EnvFiles, NetworkAliases, GroupAdd, AddedNetworks                   List
	// stopTimeoutSet: --stop-timeout was given (0 is a valid value).
	stopTimeoutSet bool
}

// networkFlag is a repeatable --network: the first value replaces the
// default main network, later ones are added networks.
type networkFlag struct {
	p   *Profile
	set bool
}

func (n *networkFlag) String() string {
	if n == nil || n.p == nil {
		return ""
	}
	return n.p.Network
}

func (n *networkFlag) Set(v string) error {
	if !n.set {
		n.p.Network, n.set = v, true
		return nil
	}
	return n.p.AddedNetworks.Set(v)
}

// stopTimeoutFlag records that --stop-timeout was given.
type stopTimeoutFlag struct{ p *Profile }

func (f *stopTimeoutFlag) String() string {
	if f == nil || f.p == nil {
		return "-1"
	}
	return strconv.Itoa(f.p.StopTimeout)
}

func (f *stopTimeoutFlag) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("want whole seconds: %w", err)
	}
	f.p.StopTimeout, f.p.stopTimeoutSet = n, true
	return nil
}

// Waiver is one parsed --waive RULE=REASON.
type Waiver struct {
	ID     rule.ID
	Reason string
}

// Register declares the profile flags on fs.
func Register(fs *flag.FlagSet, c Config) *Profile {
	p := &Profile{}
	help := func(name, def string) string {
		if h, ok := c.Help[name]; ok {
			return h
		}
		return def
	}
	str := func(dst *string, long, short, def, usage string) {
		fs.StringVar(dst, long, def, help(long, usage))
		if short != "" {
			fs.StringVar(dst, short, def, "shorthand for --"+long)
		}
	}
	list := func(dst *List, long, short, usage string) {
		fs.Var(dst, long, help(long, usage))
		if short != "" {
			fs.Var(dst, short, "shorthand for --"+long)
		}
	}
	str(&p.User, "user", "u", "", "user to run as: uid[:gid] or name[:group] (root needs --waive container.non-root-user=REASON)")
	if c.Network != "" && !c.Service {
		str(&p.Network, "network", "", c.Network, "network: \"none\", or a user-defined network (created with inter-container traffic disabled)")
	}
	if c.Network != "" && c.Service {
		p.Network = c.Network
		fs.Var(&networkFlag{p: p}, "network", help("network", "network: \"none\", or a user-defined network (created with inter-container traffic disabled); repeat it to join more user-defined networks"))
	}
	str(&p.Memory, "memory", "m", "", "memory limit, e.g. 256m (default 512m)")
	str(&p.Entrypoint, "entrypoint", "", "", "override the image's entrypoint")
	fs.Int64Var(&p.PidsLimit, "pids-limit", 0, help("pids-limit", fmt.Sprintf("maximum number of processes (default %d)", policy.DefaultPidsLimit)))
	if c.CPUShares {
		fs.Int64Var(&p.CPUShares, "cpu-shares", 0, help("cpu-shares", fmt.Sprintf("relative CPU weight (default %d)", policy.DefaultCPUShares)))
	}
	list(&p.Caps, "cap-add", "", "capability to add back after ALL is dropped (repeatable)")
	list(&p.Publish, "publish", "p", "publish a port: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable)")
	if c.Volumes {
		list(&p.Volumes, "volume", "v", "bind mount or volume: SRC:DST[:ro] (repeatable)")
	}
	list(&p.Tmpfs, "tmpfs", "", "tmpfs mount: PATH[:OPTIONS] (repeatable)")
	list(&p.Env, "env", "e", "environment variable KEY=value (repeatable)")
	list(&p.Waivers, "waive", "", "loosen a rule on purpose: RULE=REASON (repeatable; the audit reports it as waived)")
	if c.Service {
		str(&p.HealthCmd, "health-cmd", "", "", "health check command, run by the image's shell (CMD-SHELL); without it the --health-* flags tune the image's HEALTHCHECK")
		fs.DurationVar(&p.HealthInterval, "health-interval", 0, help("health-interval", "time between health checks (0: the image's, else 30s)"))
		fs.DurationVar(&p.HealthTimeout, "health-timeout", 0, help("health-timeout", "time one health check may take (0: the image's, else 30s)"))
		fs.DurationVar(&p.HealthStartPeriod, "health-start-period", 0, help("health-start-period", "grace period in which failed checks do not count (0: the image's, else none)"))
		fs.IntVar(&p.HealthRetries, "health-retries", 0, help("health-retries", "consecutive failures that make the container unhealthy (0: the image's, else 3)"))
		fs.BoolVar(&p.NoHealthcheck, "no-healthcheck", false, help("no-healthcheck", "disable the image's HEALTHCHECK (the healthcheck rule warns)"))
		str(&p.Workdir, "workdir", "w", "", "working directory inside the container (absolute)")
		str(&p.Hostname, "hostname", "h", "", "container host name (RFC 1123)")
		str(&p.StopSignal, "stop-signal", "", "", "signal that stops the container (default SIGTERM)")
		p.StopTimeout = -1
		fs.Var(&stopTimeoutFlag{p: p}, "stop-timeout", help("stop-timeout", "seconds to wait after the stop signal before killing (-1: the daemon's 10)"))
		fs.BoolVar(&p.Init, "init", false, help("init", "run an init as PID 1 that forwards signals and reaps zombies"))
		list(&p.Ulimits, "ulimit", "", "resource limit NAME=SOFT[:HARD], e.g. nofile=1024:2048 (repeatable)")
		list(&p.Sysctls, "sysctl", "", "namespaced sysctl KEY=VALUE: net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* (repeatable)")
		list(&p.DNS, "dns", "", "DNS server address (repeatable)")
		list(&p.DNSSearch, "dns-search", "", "DNS search domain (repeatable)")
		list(&p.DNSOptions, "dns-option", "", "resolv.conf option, e.g. ndots:2 (repeatable)")
		list(&p.AddHosts, "add-host", "", "/etc/hosts entry NAME:IP (repeatable)")
		list(&p.Mounts, "mount", "", "typed mount, docker's syntax: type=bind|volume|tmpfs,source=..,target=..[,readonly] (repeatable; judged like -v)")
		list(&p.EnvFiles, "env-file", "", "file of KEY=value lines (repeatable)")
		list(&p.NetworkAliases, "network-alias", "", "name other containers on the main network reach this one by (repeatable)")
		list(&p.GroupAdd, "group-add", "", "supplementary group, name or GID (repeatable)")
		str(&p.ShmSize, "shm-size", "", "", "size of /dev/shm, e.g. 64m (default: the daemon's 64m)")
		if fs.Lookup("cpus") == nil { // swarm deploy has its own
			str(&p.CPUs, "cpus", "", "", "CPU limit, e.g. 1.5 (default: none)")
		}
		str(&p.MemorySwap, "memory-swap", "", "", "memory plus swap, e.g. 1g, or -1 for unlimited swap (default: the daemon's, twice --memory)")
	}
	return p
}

// serviceOptions turns the service flags into options; errors name the flag.
func (p *Profile) serviceOptions() ([]hardening.Option, error) {
	var opts []hardening.Option
	if p.NoHealthcheck {
		if p.HealthCmd != "" || p.HealthInterval != 0 || p.HealthTimeout != 0 || p.HealthStartPeriod != 0 || p.HealthRetries != 0 {
			return nil, fmt.Errorf("--no-healthcheck conflicts with the --health-* flags")
		}
		opts = append(opts, hardening.WithNoHealthcheck())
	} else if p.HealthCmd != "" || p.HealthInterval != 0 || p.HealthTimeout != 0 || p.HealthStartPeriod != 0 || p.HealthRetries != 0 {
		hc := &container.HealthConfig{Interval: p.HealthInterval, Timeout: p.HealthTimeout, StartPeriod: p.HealthStartPeriod, Retries: p.HealthRetries}
		if p.HealthCmd != "" {
			hc.Test = []string{"CMD-SHELL", p.HealthCmd}
		}
		opts = append(opts, flagged("--health-*", hardening.WithHealthcheck(hc)))
	}
	if p.Workdir != "" {
		opts = append(opts, flagged("--workdir", hardening.WithWorkingDir(p.Workdir)))
	}
	if p.Hostname != "" {
		opts = append(opts, flagged("--hostname", hardening.WithHostname(p.Hostname)))
	}
	if p.StopSignal != "" {
		opts = append(opts, flagged("--stop-signal", hardening.WithStopSignal(p.StopSignal)))
	}
	if p.stopTimeoutSet && p.StopTimeout >= 0 {
		opts = append(opts, flagged("--stop-timeout", hardening.WithStopTimeout(time.Duration(p.StopTimeout)*time.Second)))
	} else if p.stopTimeoutSet && p.StopTimeout != -1 {
		return nil, fmt.Errorf("--stop-timeout %d: want seconds, 0 or more (-1: the daemon's)", p.StopTimeout)
	}
	if p.Init {
		opts = append(opts, hardening.WithInit())
	}
	for _, u := range p.Ulimits {
		opts = append(opts, flagged("--ulimit", hardening.WithUlimit(u)))
	}
	for _, kv := range p.Sysctls {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--sysctl %q: want KEY=VALUE", kv)
		}
		opts = append(opts, flagged("--sysctl", hardening.WithSysctl(k, v)))
	}
	if len(p.DNS) > 0 {
		opts = append(opts, flagged("--dns", hardening.WithDNS(p.DNS...)))
	}
	if len(p.DNSSearch) > 0 {
		opts = append(opts, flagged("--dns-search", hardening.WithDNSSearch(p.DNSSearch...)))
	}
	if len(p.DNSOptions) > 0 {
		opts = append(opts, flagged("--dns-option", hardening.WithDNSOptions(p.DNSOptions...)))
	}
	if len(p.AddHosts) > 0 {
		opts = append(opts, flagged("--add-host", hardening.WithAddedHosts(p.AddHosts...)))
	}
	for _, m := range p.Mounts {
		opts = append(opts, flagged("--mount", hardening.WithAddedMount(m)))
	}
	if len(p.GroupAdd) > 0 {
		opts = append(opts, flagged("--group-add", hardening.WithAddedGroups(p.GroupAdd...)))
	}
	if p.ShmSize != "" {
		n, err := units.RAMInBytes(p.ShmSize)
		if err != nil {
			return nil, fmt.Errorf("--shm-size %q: %w", p.ShmSize, err)
		}
		opts = append(opts, flagged("--shm-size", hardening.WithShmSize(n)))
	}
	if p.CPUs != "" {
		n, err := strconv.ParseFloat(p.CPUs, 64)
		if err != nil {
			return nil, fmt.Errorf("--cpus %q: want a number such as 1.5", p.CPUs)
		}
		opts = append(opts, flagged("--cpus", hardening.WithCPUs(n)))
	}
	if p.MemorySwap != "" {
		n := int64(-1)
		if p.MemorySwap != "-1" {
			var err error
			if n, err = units.RAMInBytes(p.MemorySwap); err != nil {
				return nil, fmt.Errorf("--memory-swap %q: %w", p.MemorySwap, err)
			}
		}
		opts = append(opts, flagged("--memory-swap", hardening.WithMemorySwap(n)))
	}
	// After the network options (Options appends them first).
	if len(p.NetworkAliases) > 0 {
		opts = append(opts, flagged("--network-alias", hardening.WithNetworkAliases(p.NetworkAliases...)))
	}
	for _, n := range p.AddedNetworks {
		opts = append(opts, flagged("--network", hardening.WithAddedNetwork(n)))
	}
	return opts, nil
}

// flagged makes an option's error name the flag it came from.
func flagged(flagName string, o hardening.Option) hardening.Option {
	return func(sp *hardening.Spec) error {
		if err := o(sp); err != nil {
			return fmt.Errorf("%s: %w", flagName, err)
		}
		return nil
	}
}

// Options turns the profile into hardening options, cmd being the
// container's command (the arguments after the image). Waivers are not
// included: see ParseWaivers. Errors name the flag to fix.
func (p *Profile) Options(cmd []string) ([]hardening.Option, error) {
	var opts []hardening.Option
	if p.Network != "" {
		opts = append(opts, hardening.WithNetwork(p.Network))
	}
	if p.User != "" {
		opts = append(opts, hardening.WithUser(p.User))
	}
	if p.Memory != "" {
		n, err := units.RAMInBytes(p.Memory)
		if err != nil {
			return nil, fmt.Errorf("--memory %q: %w", p.Memory, err)
		}
		opts = append(opts, hardening.WithMemory(n))
	}
	if p.PidsLimit != 0 {
		opts = append(opts, hardening.WithPidsLimit(p.PidsLimit))
	}
	if p.CPUShares != 0 {
		opts = append(opts, hardening.WithCPUShares(p.CPUShares))
	}
	if p.Entrypoint != "" {
		opts = append(opts, hardening.WithEntrypoint(p.Entrypoint))
	}
	if len(cmd) > 0 {
		opts = append(opts, hardening.WithCmd(cmd...))
	}
	if len(p.Caps) > 0 {
		opts = append(opts, hardening.WithAddedCapabilities(p.Caps...))
	}
	for _, v := range p.Publish {
		opts = append(opts, hardening.WithAddedPort(v))
	}
	for _, v := range p.Volumes {
		opts = append(opts, hardening.WithAddedVolume(v))
	}
	for _, t := range p.Tmpfs {
		path, o, _ := strings.Cut(t, ":")
		opts = append(opts, hardening.WithTmpfs(path, o))
	}
	// Env files first, then -e (docker's order: -e wins).
	for _, f := range p.EnvFiles {
		opts = append(opts, flagged("--env-file", hardening.WithAddedEnvFile(f)))
	}
	if len(p.Env) > 0 {
		opts = append(opts, hardening.WithAddedEnv(p.Env...))
	}
	svc, err := p.serviceOptions()
	if err != nil {
		return nil, err
	}
	return append(opts, svc...), nil
}

// ParseWaivers parses every --waive RULE=REASON; a waiver needs a reason.
func (p *Profile) ParseWaivers() ([]Waiver, error) {
	var out []Waiver
	for _, w := range p.Waivers {
		id, reason, ok := strings.Cut(w, "=")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("--waive %q: want RULE=REASON (a waiver needs a reason)", w)
		}
		out = append(out, Waiver{ID: rule.ID(id), Reason: reason})
	}
	return out, nil
}

// ContainerOptions is Options plus a hardening.Waive for every waiver.
func (p *Profile) ContainerOptions(cmd []string) ([]hardening.Option, error) {
	opts, err := p.Options(cmd)
	if err != nil {
		return nil, err
	}
	ws, err := p.ParseWaivers()
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		opts = append(opts, hardening.Waive(w.ID, w.Reason))
	}
	return opts, nil
}
