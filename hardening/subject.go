package hardening

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/rule"
)

// Label keys safedock writes on the containers it launches, so that an audit
// of a running container sees what the launcher decided.
const (
	// LabelWaivePrefix + rule ID holds the reason of a waiver.
	LabelWaivePrefix = "io.safedock.waive."
	// LabelImageRef records the image reference the caller asked for.
	LabelImageRef = "io.safedock.image.ref"
	// LabelImageID records the image ID the reference resolved to.
	LabelImageID = "io.safedock.image.id"
	// LabelImageDigest records the repository digest of the image, when it has one.
	LabelImageDigest = "io.safedock.image.digest"
	// LabelManaged marks networks the launcher created.
	LabelManaged = "io.safedock.managed"
)

// ICCOption is the bridge driver option that turns inter-container
// communication on or off for a user-defined network.
const ICCOption = "com.docker.network.bridge.enable_icc"

// HostFacts describe the daemon's host as far as the rules need it. The
// zero value means "unknown": rules that depend on a fact then report skip.
type HostFacts struct {
	// Known is true once the facts were read (from the daemon's /info).
	Known bool
	// AppArmor and SELinux say whether the daemon confines containers with them.
	AppArmor bool
	SELinux  bool
	// UsernsRemap says whether the daemon runs with userns-remap.
	UsernsRemap bool
	// NoNewPrivileges says the daemon sets no-new-privileges by default
	// (daemon.json "no-new-privileges": true). The Engine API does not expose
	// it, so callers that read daemon.json may set it.
	NoNewPrivileges bool
	// SocketPaths are the host paths of the audited daemon's sockets (from
	// DOCKER_HOST, its "hosts", its discovered listeners; a "unix://"
	// prefix is allowed). Mounting one, an alias of one (a symlink, a hard
	// link, /var/run for /run) or a directory holding one gives the
	// container the daemon. The well-known sockets of Docker, containerd,
	// Podman and rootless dockerd (EngineSocketPaths) count too.
	SocketPaths []string
	// Local says host paths can be resolved on this machine: the daemon
	// runs here (Run sets it for a unix-socket daemon). The mount rules then
	// judge what a source really is (symlinks, "..", /usr merge aliases)
	// and recognise sockets by device and inode; otherwise they judge
	// sources as written and say so in the finding's method ("as-written").
	Local bool
	// Root is the directory that is "/" of the host when Local is set ("":
	// this machine's /). Symlinks are resolved inside it, like a chroot.
	Root string
	// DataRoot is the daemon's data root (/info's DockerRootDir), an
	// in-root path. On a local host the builder reads the local volume
	// driver's options there, so a named volume created with o=bind
	// device=/etc is judged as the /etc it binds.
	DataRoot string
	// SeccompProfile is the daemon's default seccomp profile (daemon.json
	// "seccomp-profile", /info's "name=seccomp,profile=..."): "" or
	// "default"/"builtin" for Docker's built-in profile, "unconfined", or
	// the path of a custom profile. Containers without a seccomp option get it.
	SeccompProfile string
	// LogConfig is the daemon's default log driver and options (daemon.json
	// "log-driver" and "log-opts"); nil when unknown. A container that sets
	// no log driver gets it; one that sets the same driver inherits the
	// options it does not set itself.
	LogConfig *container.LogConfig
}

// FromSecurityOptions fills AppArmor, SELinux, UsernsRemap,
// NoNewPrivileges and SeccompProfile from the daemon's SecurityOptions
// ("name=apparmor", "name=selinux", "name=userns", "name=no-new-privileges",
// "name=seccomp,profile=default").
func (h HostFacts) FromSecurityOptions(opts []string) HostFacts {
	h.Known = true
	for _, o := range opts {
		kvs := strings.Split(o, ",")
		for _, kv := range kvs {
			switch kv {
			case "name=apparmor", "apparmor":
				h.AppArmor = true
			case "name=selinux", "selinux":
				h.SELinux = true
			case "name=userns", "userns":
				h.UsernsRemap = true
			case "name=no-new-privileges", "no-new-privileges":
				h.NoNewPrivileges = true
			}
		}
		if kvs[0] == "name=seccomp" {
			for _, kv := range kvs[1:] {
				if p, ok := strings.CutPrefix(kv, "profile="); ok && h.SeccompProfile == "" {
					h.SeccompProfile = p
				}
			}
		}
	}
	return h
}

// ImageFacts are the parts of an image's configuration the rules need.
type ImageFacts struct {
	ID           string   // sha256:...
	RepoDigests  []string // name@sha256:...
	User         string
	Healthcheck  bool
	ExposedPorts []string // "22/tcp"
}

// NetworkFacts describe a network a container is attached to.
type NetworkFacts struct {
	Name   string
	Driver string
	// ICC is false when the network blocks inter-container traffic.
	ICC bool
	// Internal networks have no route off the host.
	Internal bool
}

// Mount is one filesystem mount of a container, normalized from Binds,
// Mounts and Tmpfs (when building) or from inspect's Mounts (when auditing).
type Mount struct {
	Type        mount.Type
	Source      string // host path for binds; volume name for volumes
	Destination string
	RW          bool
	Propagation mount.Propagation
	Options     string // tmpfs options
	// Via says how a host path reaches the container when it is not a
	// plain bind, e.g. "volume data (local driver, o=bind)". The mount
	// rules set it on the mounts they derive.
	Via string
	// Problem is why a mount could not be read (a bind the parser
	// refuses); the mount rules fail on it rather than skip it.
	Problem string
}

// Subject is everything a rule looks at for one container, whether it is
// about to be created (from a Spec) or already exists (from an inspect).
type Subject struct {
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
	Mounts     []Mount
	// AppArmorProfile is the profile the daemon applied (audit only).
	AppArmorProfile string
	// Image is nil when the image is not known yet.
	Image *ImageFacts
	// ImageID is the ID the container runs (audit) or will run (launch).
	ImageID string
	Host    HostFacts
	// Networks the container is attached to; nil entries are unknown.
	Networks map[string]*NetworkFacts
	// Processes is the command line of every process, when known.
	Processes      []string
	ProcessesKnown bool
	ProcessMethod  string
	Running        bool
	Waivers        rule.Waivers

	// inspected: the subject is an existing container (SubjectFromInspect),
	// whose Mounts already hold what VolumesFrom brought.
	inspected bool
}

// Target names the subject in findings: "container:NAME".
func (s *Subject) Target() string {
	return "container:" + strings.TrimPrefix(s.Name, "/")
}

// user returns the effective user and where it came from.
func (s *Subject) user() (string, bool) {
	if s.Config != nil && s.Config.User != "" {
		return s.Config.User, true
	}
	if s.Image != nil {
		return s.Image.User, true
	}
	return "", false
}

// mountsFromHostConfig normalizes Binds, Mounts and Tmpfs of hc: one
// Mount for each bind parseBind reads, each entry of Mounts and each tmpfs.
// The mount rules read hc themselves too (hostView.mounts): a bind the
// parser refuses, a volume that binds a host path and VolumesFrom are
// judged there, never dropped.
func mountsFromHostConfig(hc *container.HostConfig) []Mount {
	var out []Mount
	for _, b := range hc.Binds {
		if m, err := parseBind(b); err == nil {
			out = append(out, m)
		}
	}
	for _, m := range hc.Mounts {
		nm := Mount{Type: m.Type, Source: m.Source, Destination: m.Target, RW: !m.ReadOnly}
		if m.Type == mount.TypeBind && m.Source != "" {
			nm.Source = path.Clean(m.Source)
		}
		if m.Target != "" {
			nm.Destination = path.Clean(m.Target)
		}
		if m.BindOptions != nil {
			nm.Propagation = m.BindOptions.Propagation
		}
		if m.Type == mount.TypeTmpfs && m.TmpfsOptions != nil {
			nm.Options = "size=" + strconv.FormatInt(m.TmpfsOptions.SizeBytes, 10)
		}
		out = append(out, nm)
	}
	for dst, opts := range hc.Tmpfs {
		out = append(out, Mount{Type: mount.TypeTmpfs, Destination: dst, RW: !hasOpt(opts, "ro"), Options: opts})
	}
	return out
}

// volumeBinds returns the host path a --mount type=volume brings in when
// its driver options make the local driver bind one (o=bind device=/etc).
func volumeBinds(m mount.Mount) []Mount {
	if m.Type != mount.TypeVolume || m.VolumeOptions == nil || m.VolumeOptions.DriverConfig == nil {
		return nil
	}
	dc := m.VolumeOptions.DriverConfig
	if dc.Name != "" && dc.Name != "local" {
		return nil
	}
	dev, ro := bindVolumeSource(dc.Options)
	if dev == "" {
		return nil
	}
	name := m.Source
	if name == "" {
		name = "(anonymous)"
	}
	return []Mount{{Type: mount.TypeBind, Source: path.Clean("/" + dev), Destination: path.Clean(m.Target), RW: !m.ReadOnly && !ro,
		Via: fmt.Sprintf("volume %s (local driver, o=%s device=%s)", name, dc.Options["o"], dev)}}
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if strings.TrimSpace(o) == want {
			return true
		}
	}
	return false
}
