package hardening

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/policy"
)

// Methods the mount rules report: how a host path was judged.
const (
	// MethodResolved: the source was resolved on this machine as the
	// kernel will resolve it (HostFacts.Local).
	MethodResolved = "resolved"
	// MethodAsWritten: the daemon is not local, so the source was judged
	// as written (with the /var/run and /usr merge aliases folded).
	MethodAsWritten = "as-written"
	// MethodDaemonDefault: the container sets nothing, and the daemon's
	// default setting (HostFacts) decided.
	MethodDaemonDefault = "daemon-default"
)

// hostView resolves the host paths of one subject's mounts.
type hostView struct {
	local bool
	root  *hostfs.Root
	err   error // why the root could not be opened (local only)
	ids   map[fileID]string
}

// fileID is a file's identity: device and inode.
type fileID struct{ dev, ino uint64 }

func openHostView(h HostFacts) *hostView {
	v := &hostView{local: h.Local}
	if h.Local {
		v.root, v.err = hostfs.Open(h.Root)
		if v.err != nil {
			v.err = fmt.Errorf("opening the host root: %w", v.err)
		}
	}
	return v
}

func (v *hostView) close() {
	if v.root != nil {
		v.root.Close()
	}
}

func (v *hostView) method() string {
	if v.local {
		return MethodResolved
	}
	return MethodAsWritten
}

// resolve returns the host path a mount source names: resolved inside the
// root on a local daemon (what the kernel will mount; a missing tail is
// what dockerd would create), or as written with the aliases every
// current distribution has folded (/var/run is /run; /bin, /sbin, /lib*
// are /usr's on a merged-/usr host).
func (v *hostView) resolve(src string) (string, error) {
	if !v.local {
		return policy.FoldAliases(src), nil
	}
	if v.err != nil {
		return "", v.err
	}
	f, err := v.root.Follow(path.Clean("/" + src))
	if err != nil {
		return "", err
	}
	return f.Path, nil
}

// identity returns the device and inode of the in-root path p (symlinks
// followed), or false when it does not exist or the daemon is not local.
func (v *hostView) identity(p string) (fileID, bool) {
	if v.root == nil {
		return fileID{}, false
	}
	st, err := v.root.StatFollow(p)
	if err != nil {
		return fileID{}, false
	}
	return fileID{st.Dev, st.Ino}, true
}

// hostPathMount reports whether m brings a host path into the container:
// a bind (or a mount of unknown type), or a volume that binds one.
func hostPathMount(m Mount) bool {
	return m.Type == mount.TypeBind || m.Type == ""
}

// sensitiveIdentity finds the sensitive directory that p (a resolved
// path) is, or is below, by identity: a bind-mount alias of /etc (or a
// volume that mounts /etc while in use) has /etc's device and inode under
// any name. It returns the path p amounts to ("/etc/ssl" for the alias's
// ssl) and the sensitive directory, or "" when none.
func (v *hostView) sensitiveIdentity(p string) (string, string) {
	if v.root == nil {
		return "", ""
	}
	if v.ids == nil {
		v.ids = map[fileID]string{}
		for _, d := range policy.SensitivePaths() {
			if id, ok := v.identity(d); ok {
				if _, dup := v.ids[id]; !dup {
					v.ids[id] = d
				}
			}
		}
	}
	rest := ""
	for cur := p; ; cur = path.Dir(cur) {
		if id, ok := v.identity(cur); ok {
			if d, hit := v.ids[id]; hit {
				eff := path.Join(d, rest)
				if s := policy.SensitiveDir(eff); s != "" {
					return eff, s
				}
			}
		}
		if cur == "/" {
			return "", ""
		}
		rest = path.Join(path.Base(cur), rest)
	}
}

// bindVolumeSource returns the host path a local volume's driver options
// bind (type=none o=bind device=/path, as docker volume create -o takes
// them) and whether the binding is read-only; "" when it binds none.
func bindVolumeSource(opts map[string]string) (string, bool) {
	dev := opts["device"]
	if dev == "" {
		return "", false
	}
	bind, ro := false, false
	for _, o := range strings.Split(opts["o"], ",") {
		switch strings.TrimSpace(o) {
		case "bind", "rbind":
			bind = true
		case "ro":
			ro = true
		}
	}
	if !bind {
		return "", false
	}
	return dev, ro
}

// maxVolumeOpts bounds the local driver's opts.json read.
const maxVolumeOpts = 64 << 10

// mounts returns every host path the subject's container gets, for the
// mount rules: its Mounts; a bind of HostConfig.Binds the parser refuses
// (with its Problem: dockerd reads it some way this checker cannot);
// the host path a volume's local-driver options bind (o=bind device=...),
// from --mount's driver options and, on a local host, from the options
// the driver stored (opts.json); and, before create, VolumesFrom (a
// Problem: the other container's mounts are not known yet).
func (v *hostView) mounts(s *Subject) []Mount {
	out := slices.Clone(s.Mounts)
	if hc := s.HostConfig; hc != nil {
		for _, b := range hc.Binds {
			if _, err := parseBind(b); err != nil {
				out = append(out, Mount{Type: mount.TypeBind, Source: b, RW: true, Problem: err.Error()})
			}
		}
		for _, m := range hc.Mounts {
			out = append(out, volumeBinds(m)...)
		}
		if !s.inspected {
			for _, vf := range hc.VolumesFrom {
				out = append(out, Mount{Via: "volumes-from " + vf,
					Problem: fmt.Sprintf("VolumesFrom %q: the other container's mounts cannot be judged before create; mount them explicitly", vf)})
			}
		}
	}
	for _, m := range s.Mounts {
		out = append(out, v.volumeOptsBinds(s.Host, m)...)
	}
	return out
}

// volumeOptsBinds reads the options the local volume driver stored for the
// volume behind m, on a local host, and returns the host path they bind:
// a volume created with docker volume create -o o=bind -o device=/etc is
// /etc however the container names it. The file is opts.json beside the
// volume's _data directory (an inspect's Source), or under the data root
// for a volume known by name (the builder). Best effort: a missing or
// unreadable file binds nothing.
func (v *hostView) volumeOptsBinds(h HostFacts, m Mount) []Mount {
	if v.root == nil || m.Type != mount.TypeVolume || m.Source == "" {
		return nil
	}
	var file string
	switch {
	case strings.HasPrefix(m.Source, "/") && path.Base(m.Source) == "_data":
		file = path.Join(path.Dir(m.Source), "opts.json")
	case h.DataRoot != "" && volumeNamePattern().MatchString(m.Source):
		file = path.Join("/", h.DataRoot, "volumes", m.Source, "opts.json")
	default:
		return nil
	}
	data, err := v.root.ReadFile(file, maxVolumeOpts)
	if err != nil {
		return nil
	}
	var o struct{ MountType, MountOpts, MountDevice string }
	if json.Unmarshal(data, &o) != nil {
		return nil
	}
	dev, ro := bindVolumeSource(map[string]string{"type": o.MountType, "o": o.MountOpts, "device": o.MountDevice})
	if dev == "" {
		return nil
	}
	return []Mount{{Type: mount.TypeBind, Source: path.Clean("/" + dev), Destination: m.Destination, RW: m.RW && !ro,
		Via: fmt.Sprintf("volume %s (local driver, o=%s device=%s)", path.Base(path.Dir(file)), o.MountOpts, o.MountDevice)}}
}
