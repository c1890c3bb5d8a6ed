package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
)

// TestVersionModel pins behaviours read from moby's source per release:
// the outcome of one file on each engine (refused, containers fail, ok).
func TestVersionModel(t *testing.T) {
	v20, v24, v25, v28, v292, v297 := daemonconf.Version{Major: 20, Minor: 10}, daemonconf.Version{Major: 24}, daemonconf.Version{Major: 25},
		daemonconf.Version{Major: 28, Minor: 5}, daemonconf.Version{Major: 29, Minor: 2}, daemonconf.Version{Major: 29, Minor: 7}
	v23 := daemonconf.Version{Major: 23}
	cases := []struct {
		name string
		file string
		want map[daemonconf.Version]string
	}{
		{"utf-8 BOM", "\xef\xbb\xbf{\"debug\": true}", map[daemonconf.Version]string{v20: "refused", v23: "ok", v28: "ok"}},
		{"empty file", "", map[daemonconf.Version]string{v20: "refused", v23: "ok", v28: "ok"}},
		{"utf-16le BOM", "\xff\xfe{\x00}\x00", map[daemonconf.Version]string{v20: "refused", v23: "ok", v28: "ok"}},
		{"utf-16be BOM bad key", "\xfe\xff\x00{\x00\"\x00x\x00\"\x00:\x001\x00}", map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"whitespace only", " \n\t\n", map[daemonconf.Version]string{v20: "refused", v28: "ok"}},
		{"max-download-attempts 0", `{"max-download-attempts": 0}`, map[daemonconf.Version]string{v20: "refused", v23: "ok", v28: "ok"}},
		{"max-download-attempts -1", `{"max-download-attempts": -1}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"override_kernel_check", `{"storage-driver": "overlay2", "storage-opts": ["overlay2.override_kernel_check=true"]}`, map[daemonconf.Version]string{v20: "ok", v23: "ok", v24: "refused", v28: "refused"}},
		{"dm option on overlay2", `{"storage-opts": ["dm.basesize=20G"]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"log-level warning", `{"log-level": "warning"}`, map[daemonconf.Version]string{v20: "ok", v24: "ok", v25: "refused", v28: "refused"}},
		{"log-level warn", `{"log-level": "warn"}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"features string", `{"features": {"buildkit": "true"}}`, map[daemonconf.Version]string{v20: "refused", v28: "refused", v297: "refused"}},
		{"features bool", `{"features": {"buildkit": true}}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"proxies", `{"proxies": {"http-proxy": "http://p:3128"}}`, map[daemonconf.Version]string{v20: "refused", v23: "ok", v28: "ok"}},
		{"proxies unknown member", `{"proxies": {"ftp-proxy": "http://p:3128"}}`, map[daemonconf.Version]string{v28: "refused"}},
		{"proxies wrong type", `{"proxies": {"http-proxy": 3128}}`, map[daemonconf.Version]string{v28: "refused"}},
		{"default-stop-timeout", `{"default-stop-timeout": 30}`, map[daemonconf.Version]string{v20: "refused", v28: "refused", v292: "refused", v297: "ok"}},
		{"default-stop-timeout negative", `{"default-stop-timeout": -1}`, map[daemonconf.Version]string{v297: "refused"}},
		{"nri-opts", `{"nri-opts": {"enable": true}}`, map[daemonconf.Version]string{v28: "refused", v292: "ok", v297: "ok"}},
		{"allow-nondistributable-artifacts", `{"allow-nondistributable-artifacts": ["r.example.com"]}`, map[daemonconf.Version]string{v20: "ok", v28: "ok", v297: "ok"}},
		{"firewall-backend", `{"firewall-backend": "nftables"}`, map[daemonconf.Version]string{v28: "refused", {Major: 29}: "ok"}},
		{"bridge-accept-fwmark", `{"bridge-accept-fwmark": "0x1"}`, map[daemonconf.Version]string{v28: "refused", {Major: 29}: "ok"}},
		{"min-api-version", `{"min-api-version": "1.24"}`, map[daemonconf.Version]string{v28: "refused", {Major: 29}: "ok"}},
		{"allow-direct-routing", `{"allow-direct-routing": true}`, map[daemonconf.Version]string{{Major: 28, Minor: 1}: "refused", {Major: 28, Minor: 2}: "ok"}},
		{"ip-forward-no-drop", `{"ip-forward-no-drop": true}`, map[daemonconf.Version]string{{Major: 27, Minor: 5}: "refused", {Major: 28}: "ok"}},
		{"network-diagnostic-port", `{"network-diagnostic-port": 7946}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"network-diagnostic-port out of range", `{"network-diagnostic-port": 70000}`, map[daemonconf.Version]string{v20: "ok", v28: "refused"}},
		{"deprecated-key-path", `{"deprecated-key-path": "/etc/docker/key.json"}`, map[daemonconf.Version]string{v20: "ok", v28: "ok", v297: "ok"}},
		{"swarm-raft-election-tick (a field, no flag)", `{"swarm-raft-election-tick": 10}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"flag name feature", `{"feature": "buildkit"}`, map[daemonconf.Version]string{v20: "refused", v28: "ok"}},
		{"snapshotter name", `{"features": {"containerd-snapshotter": true}, "storage-driver": "overlayfs"}`, map[daemonconf.Version]string{v20: "refused", v23: "refused", v24: "ok", v28: "ok"}},
		{"snapshotter with userns-remap", `{"features": {"containerd-snapshotter": true}, "userns-remap": "default"}`, map[daemonconf.Version]string{v20: "ok", v28: "ok", {Major: 29}: "refused"}},
		{"legacy overlay driver", `{"storage-driver": "overlay"}`, map[daemonconf.Version]string{v23: "ok", v24: "refused", v28: "refused"}},
		{"ip6tables without experimental", `{"ipv6": true, "fixed-cidr-v6": "fd00::/64", "ip6tables": true}`, map[daemonconf.Version]string{v20: "refused", v25: "refused", {Major: 26, Minor: 1}: "refused", {Major: 27}: "ok", v28: "ok"}},
		{"ip6tables with experimental", `{"ipv6": true, "fixed-cidr-v6": "fd00::/64", "ip6tables": true, "experimental": true}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"exec-opt unknown", `{"exec-opts": ["native.umask=normal"]}`, map[daemonconf.Version]string{v20: "ok", {Major: 27}: "ok", v28: "refused"}},
		{"exec-opt cgroupdriver bad", `{"exec-opts": ["native.cgroupdriver=cgroupv2"]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"exec-opt cgroupfs", `{"exec-opts": ["native.cgroupdriver=cgroupfs"]}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"address pool size too small", `{"default-address-pools": [{"base": "10.10.0.0/16", "size": 8}]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"address pool size too big", `{"default-address-pools": [{"base": "10.10.0.0/16", "size": 33}]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"address pool ok", `{"default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"dns-search with a space", `{"dns-search": ["corp example.com"]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"dns-search ok", `{"dns-search": ["corp.example.com", "."]}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"mirror with a path", `{"registry-mirrors": ["https://m.example.com/hub"]}`, map[daemonconf.Version]string{v20: "refused", v24: "refused", v25: "ok", v28: "ok"}},
		{"mirror with a query", `{"registry-mirrors": ["https://m.example.com/?x=1"]}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"shutdown-timeout negative", `{"shutdown-timeout": -1}`, map[daemonconf.Version]string{v20: "ok", v23: "ok", v28: "ok"}},
		{"nested object of flags", `{"settings": {"debug": true}}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"nested object of non-flags", `{"settings": {"colour": "blue"}}`, map[daemonconf.Version]string{v20: "refused", v28: "refused"}},
		{"ulimit without Name", `{"default-ulimits": {"nofile": {"Hard": 64000, "Soft": 64000}}}`, map[daemonconf.Version]string{v20: "containers-fail", v28: "containers-fail"}},
		{"ulimit unknown name", `{"default-ulimits": {"files": {"Name": "files", "Hard": 64, "Soft": 64}}}`, map[daemonconf.Version]string{v20: "containers-fail", v28: "containers-fail"}},
		{"ulimit ok", `{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}}`, map[daemonconf.Version]string{v20: "ok", v28: "ok"}},
		{"max-size bad unit", `{"log-opts": {"max-size": "100mbit"}}`, map[daemonconf.Version]string{v20: "containers-fail", v28: "containers-fail"}},
		{"userland-proxy-path relative", `{"userland-proxy-path": "docker-proxy"}`, map[daemonconf.Version]string{v20: "ok", v25: "refused"}},
		{"userland-proxy-path with proxy off", `{"userland-proxy": false, "userland-proxy-path": "docker-proxy"}`, map[daemonconf.Version]string{v28: "ok"}},
	}
	for _, c := range cases {
		for ver, want := range c.want {
			res := daemonconf.Validate([]byte(c.file), daemonconf.Options{Version: ver})
			if got := outcomeOf(res); got != want {
				t.Errorf("%s on %s: got %s, want %s: %v", c.name, ver, got, want, res.Problems)
			}
		}
	}
}

func outcomeOf(res *daemonconf.Result) string {
	switch {
	case res.Refused():
		return "refused"
	case !res.OK():
		return "containers-fail"
	}
	return "ok"
}

// TestHostDependentWithFacts: a missing userland proxy only warns without
// facts, and is an error when the host is known to lack it.
func TestHostDependentWithFacts(t *testing.T) {
	file := []byte(`{"userland-proxy-path": "/nonexistent/docker-proxy", "exec-opts": ["native.cgroupdriver=systemd"]}`)
	ver := daemonconf.Version{Major: 28}
	res := daemonconf.Validate(file, daemonconf.Options{Version: ver})
	if !res.OK() {
		t.Fatalf("without host facts: want warnings only, got %v", res.Errors())
	}
	facts := &daemonconf.HostFacts{LookPath: func(string) (string, error) { return "", errNotFound }, Init: "other"}
	res = daemonconf.Validate(file, daemonconf.Options{Version: ver, Host: facts})
	var codes []string
	for _, p := range res.Errors() {
		codes = append(codes, p.Key+":"+string(p.Effect))
	}
	if len(codes) != 2 || codes[0] != "userland-proxy-path:refuse" && codes[1] != "userland-proxy-path:refuse" {
		t.Fatalf("with host facts: want a refusal for userland-proxy-path and containers-fail for exec-opts, got %v", codes)
	}
}

var errNotFound = errorString("not found")

type errorString string

func (e errorString) Error() string { return string(e) }
