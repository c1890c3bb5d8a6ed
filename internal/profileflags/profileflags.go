// Package profileflags declares, once, the docker-like command-line flags
// that describe a hardening profile (--user, --cap-add, -p, -v, --tmpfs, -e,
// --memory, --pids-limit, --cpu-shares, --entrypoint, --network, --waive)
// for every command that takes one: safedock run, safedock swarm deploy and
// safedock-kube export.
package profileflags

import (
	"flag"
	"fmt"
	"strings"

	units "github.com/docker/go-units"

	"github.com/safedock/safedock/hardening"
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
	// Help overrides the usage text of a flag, by its long name.
	Help map[string]string
}

// Profile holds the parsed values.
type Profile struct {
	User, Network, Memory, Entrypoint string
	PidsLimit, CPUShares              int64
	Caps, Publish, Volumes, Tmpfs     List
	Env, Waivers                      List
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
	if c.Network != "" {
		str(&p.Network, "network", "", c.Network, "network: \"none\", or a user-defined network (created with inter-container traffic disabled)")
	}
	str(&p.Memory, "memory", "m", "", "memory limit, e.g. 256m (default 512m)")
	str(&p.Entrypoint, "entrypoint", "", "", "override the image's entrypoint")
	fs.Int64Var(&p.PidsLimit, "pids-limit", 0, help("pids-limit", fmt.Sprintf("maximum number of processes (default %d)", hardening.DefaultPidsLimit)))
	if c.CPUShares {
		fs.Int64Var(&p.CPUShares, "cpu-shares", 0, help("cpu-shares", fmt.Sprintf("relative CPU weight (default %d)", hardening.DefaultCPUShares)))
	}
	list(&p.Caps, "cap-add", "", "capability to add back after ALL is dropped (repeatable)")
	list(&p.Publish, "publish", "p", "publish a port: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable)")
	if c.Volumes {
		list(&p.Volumes, "volume", "v", "bind mount or volume: SRC:DST[:ro] (repeatable)")
	}
	list(&p.Tmpfs, "tmpfs", "", "tmpfs mount: PATH[:OPTIONS] (repeatable)")
	list(&p.Env, "env", "e", "environment variable KEY=value (repeatable)")
	list(&p.Waivers, "waive", "", "loosen a rule on purpose: RULE=REASON (repeatable; the audit reports it as waived)")
	return p
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
		opts = append(opts, hardening.WithPublish(v))
	}
	for _, v := range p.Volumes {
		opts = append(opts, hardening.WithVolume(v))
	}
	for _, t := range p.Tmpfs {
		path, o, _ := strings.Cut(t, ":")
		opts = append(opts, hardening.WithTmpfs(path, o))
	}
	if len(p.Env) > 0 {
		opts = append(opts, hardening.WithEnv(p.Env...))
	}
	return opts, nil
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
