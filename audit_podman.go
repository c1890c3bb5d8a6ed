package safedock

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/podmanconf"
	"github.com/safedock/safedock/rule"
)

// notApplicableToPodman prefixes the reason of every dockerd rule a Podman
// host is not judged by: such a rule is skipped, never passed.
const notApplicableToPodman = "not applicable to Podman: "

// PodmanSocket is rootful Podman's API socket (podman.socket's
// ListenStream).
const PodmanSocket = hostfs.DefaultPodmanSocket

// podmanDaemonReasons says, for each daemon.json rule, why it is not
// applicable to Podman: either Podman has no such setting, or its
// equivalent is judged by a podmanconf rule. A rule missing here gets
// podmanDaemonDefault.
var podmanDaemonReasons = map[rule.ID]string{
	daemonconf.DaemonValidConfig:         "daemon.json is dockerd's file; Podman's configuration files are judged by " + string(podmanconf.DaemonPodmanValidConfig),
	daemonconf.DaemonConfigHygiene:       "daemon.json is dockerd's file; Podman's configuration files are judged by " + string(podmanconf.DaemonPodmanValidConfig),
	daemonconf.DaemonLogLevel:            "Podman has no daemon whose log level containers.conf sets; the API service's --log-level is a flag of its own command line",
	daemonconf.DaemonIPTables:            "netavark always writes the firewall rules of Podman's networks; there is no switch to turn that off",
	daemonconf.DaemonInsecureRegistries:  "judged from registries.conf by " + string(podmanconf.DaemonPodmanInsecureRegistries),
	daemonconf.DaemonStorageDriver:       "Podman's storage (containers/storage: overlay, vfs, btrfs, zfs) has no overlay2 to choose; storage.conf's driver is Podman's own",
	daemonconf.DaemonDevicemapper:        "containers/storage has no devicemapper driver",
	daemonconf.DaemonTLS:                 "podman system service has no TLS: it serves a unix socket (reach it remotely over ssh); the socket is judged by " + string(podmanconf.FilePodmanSocket),
	daemonconf.DaemonDefaultUlimits:      "Podman's default_ulimits is containers.conf's; CIS leaves the values to the site",
	daemonconf.DaemonUsernsRemap:         "judged from containers.conf and storage.conf by " + string(podmanconf.DaemonPodmanUserns),
	daemonconf.DaemonCgroupParent:        "Podman has no daemon-wide cgroup-parent; containers.conf's cgroup settings place each container",
	daemonconf.DaemonAuthorizationPlugin: "Podman's API service has no authorization plugins: access is the socket's owner and mode, judged by " + string(podmanconf.FilePodmanSocket),
	daemonconf.DaemonRemoteLogging:       "judged from containers.conf by " + string(podmanconf.DaemonPodmanLogDriver),
	daemonconf.DaemonNoNewPrivileges:     "judged from containers.conf by " + string(podmanconf.DaemonPodmanNoNewPrivileges),
	daemonconf.DaemonLiveRestore:         "there is no daemon to restart: each container runs under its own conmon and outlives the API service",
	daemonconf.DaemonUserlandProxy:       "Podman forwards published ports with netavark's firewall rules (rootlessport when rootless); there is no docker-proxy",
	daemonconf.DaemonSeccompProfile:      "judged from containers.conf by " + string(podmanconf.DaemonPodmanSeccompProfile),
	daemonconf.DaemonExperimental:        "Podman has no experimental mode",
	daemonconf.DaemonLegacyRegistry:      "a daemon.json key of dockerd's",
}

const podmanDaemonDefault = "a dockerd setting with no Podman equivalent"

// podmanFilesReason is why Docker's file rules are not applicable to
// Podman.
const podmanFilesReason = "a file of dockerd's or its containerd's; Podman's socket and configuration files are judged by " +
	string(podmanconf.FilePodmanSocket) + " and " + string(podmanconf.FilePodmanConfig)

// auditPodmanConfig is the daemon section on a Podman host: Podman's
// configuration judged by podmanconf, dockerd's ICC rule judged for what
// Podman can do, and every other daemon.json rule skipped as not
// applicable, with the reason.
func auditPodmanConfig(in *hostInputs, e Engine) rule.Report {
	rep := podmanconf.Audit(podmanconf.Load(in.Podman))
	out := slices.Clone(rep.Findings)
	for _, r := range daemonconf.Rules() {
		var res rule.Result
		switch r.ID {
		case daemonconf.DaemonICC:
			// Measured on podman 4.3.1 with netavark 1.4: containers on
			// one network reach each other whatever the network was
			// created with (hardening's launcher refuses such networks
			// for the same reason).
			res = rule.Fail(e.String()+" cannot disable traffic between containers on a network",
				"netavark's bridge networks have no inter-container traffic option; com.docker.network.bridge.enable_icc=false is stored as isolate=true, which separates networks, not the containers on one")
		default:
			why, ok := podmanDaemonReasons[r.ID]
			if !ok {
				why = podmanDaemonDefault
			}
			res = rule.Skip(notApplicableToPodman + why)
		}
		res.Method = podmanconf.Method
		out = append(out, r.Finding(podmanconf.Target, res))
	}
	return rule.NewReport(out)
}

// auditPodmanFiles is the files section on a Podman host: Podman's socket
// and configuration files, and Docker's file rules skipped as not
// applicable.
func auditPodmanFiles(in *hostInputs) rule.Report {
	rep := podmanconf.AuditFiles(in.PodmanFiles)
	out := slices.Clone(rep.Findings)
	for _, r := range perms.Rules() {
		f := r.Finding("podman", rule.Skip(notApplicableToPodman+podmanFilesReason))
		f.Method = podmanconf.FileMethod
		out = append(out, f)
	}
	return rule.NewReport(out)
}

// podmanHostReasons says why a host rule written for dockerd is not
// applicable to a Podman host.
var podmanHostReasons = map[rule.ID]string{
	host.HostEngineVersion:      "the supported-versions table is Docker Engine's release series; Podman's support is its own (or its distribution's)",
	host.HostSocketGroupMembers: "the docker group's members reach dockerd's socket; Podman's socket's owner and mode are judged by " + string(podmanconf.FilePodmanSocket),
}

// podmanHost turns the host section's dockerd-only findings into skips
// with the reason, on a Podman host.
func podmanHost(rep rule.Report) rule.Report {
	out := slices.Clone(rep.Findings)
	for i, f := range out {
		if why, ok := podmanHostReasons[f.Rule]; ok {
			f.Status, f.Reason, f.Detail, f.Remediation = rule.StatusSkip, notApplicableToPodman+why, "", ""
			out[i] = f
		}
	}
	return rule.NewReport(out)
}

// gatherPodman reads Podman's configuration files and stats them, its
// directories and its sockets (rootful Podman's and, when the client
// talks to a unix socket, that one), through r.
func gatherPodman(r *hostfs.Root, acc *hostfs.Accounts, clientSocket string) (podmanconf.Inputs, []podmanconf.FileFacts) {
	in := podmanconf.Gather(
		func(p string) ([]byte, error) { return r.ReadFile(p, maxPodmanConf) },
		r.ReadDir)
	var paths []string
	for _, f := range in.Files() {
		paths = append(paths, f.Path)
	}
	paths = append(paths, "/etc/containers", "/etc/containers/containers.conf.d", "/etc/containers/registries.conf.d")
	sockets := []string{PodmanSocket}
	if clientSocket != "" {
		sockets = append(sockets, hostfs.Clean(clientSocket))
	}
	var facts []podmanconf.FileFacts
	seen := map[string]bool{}
	add := func(p string, socket bool) {
		if seen[p] {
			return
		}
		seen[p] = true
		f := podmanconf.FileFacts{Path: p, Socket: socket}
		st, err := r.Lstat(p)
		switch {
		case err == nil:
			f.Mode, f.Perm, f.UID, f.GID = st.Mode, st.Perm, st.UID, st.GID
			if acc != nil {
				f.Owner, f.Group = acc.UserName(st.UID), acc.GroupName(st.GID)
			}
		case errors.Is(err, fs.ErrNotExist):
			f.Missing = true
		default:
			f.Err = fmt.Errorf("lstat %s: %w", p, err)
		}
		facts = append(facts, f)
	}
	for _, p := range sockets {
		add(p, true)
	}
	for _, p := range paths {
		add(p, false)
	}
	return in, facts
}

// maxPodmanConf bounds one Podman configuration file read.
const maxPodmanConf = 1 << 20

// podmanContainerDefaults are the engine-wide defaults Podman applies to
// every container that does not override them, from its merged
// containers.conf c: no_new_privileges, seccomp_profile (unset: Podman's
// default profile) and log_driver with log_size_max (unset: k8s-file,
// unbounded) as the log driver and its max-size. A setting of the wrong type is left out: Podman refuses
// such a file, and podmanconf's rules report it.
func podmanContainerDefaults(h hardening.HostFacts, c *podmanconf.Config) hardening.HostFacts {
	if v, ok := c.Containers["no_new_privileges"]; ok {
		if b, ok := v.V.(bool); ok && b {
			h.NoNewPrivileges = true
		}
	}
	if v, ok := c.Containers["seccomp_profile"]; ok {
		if p, ok := v.V.(string); ok && strings.TrimSpace(p) != "" {
			h.SeccompProfile = strings.TrimSpace(p)
		}
	}
	if h.LogConfig == nil {
		lc := &container.LogConfig{Type: "k8s-file"}
		if v, ok := c.Containers["log_driver"]; ok {
			if d, ok := v.V.(string); ok && d != "" {
				lc.Type = d
			}
		}
		if lc.Type == "k8s-file" {
			// Podman's Docker-compatible API names k8s-file "json-file"
			// in a container's inspect (measured on 4.3.1): the default
			// is named the same way, so that it applies.
			lc.Type = "json-file"
		}
		if v, ok := c.Containers["log_size_max"]; ok {
			if n, ok := v.V.(int64); ok && n > 0 {
				lc.Config = map[string]string{"max-size": strconv.FormatInt(n, 10)}
			}
		}
		h.LogConfig = lc
	}
	return h
}
