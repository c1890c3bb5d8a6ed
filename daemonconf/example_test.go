package daemonconf_test

import (
	"fmt"

	"github.com/safedock/safedock/daemonconf"
)

func ExampleValidate() {
	file := []byte(`{
  "icc": false,
  "disable-legacy-registry": true,
  "log-opts": {"max-size": "10m", "max-file": 3}
}`)
	res := daemonconf.Validate(file, daemonconf.Options{DockerdArgs: []string{"-H", "fd://"}})
	fmt.Println("dockerd refuses:", res.Refused())
	for _, p := range res.Errors() {
		fmt.Println(p.Pos, p.Code, p.Key)
	}
	// Output:
	// dockerd refuses: true
	// 3:3 removed-key disable-legacy-registry
	// 4:3 wrong-type log-opts
}

func ExampleValidate_flagConflict() {
	res := daemonconf.Validate([]byte(`{"hosts": ["tcp://0.0.0.0:2375"]}`),
		daemonconf.Options{DockerdArgs: []string{"-H", "fd://", "--containerd=/run/containerd/containerd.sock"}})
	for _, p := range res.Errors() {
		fmt.Println(p.Code, p.Key)
	}
	// Output:
	// flag-conflict hosts
}

func ExampleValidate_didYouMean() {
	res := daemonconf.Validate([]byte(`{"Log-driver": "journald"}`), daemonconf.Options{})
	fmt.Println(res.Errors()[0].Hint)
	// Output:
	// did you mean "log-driver"?
}

func ExampleGenerate() {
	out, err := daemonconf.Generate(daemonconf.WithSyslog("udp://logs.example.com:514"), daemonconf.WithCgroupParent("docker-safe"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// {
	//   "cgroup-parent": "docker-safe",
	//   "default-ulimits": {
	//     "nofile": {
	//       "Hard": 4096,
	//       "Name": "nofile",
	//       "Soft": 1024
	//     }
	//   },
	//   "experimental": false,
	//   "icc": false,
	//   "iptables": true,
	//   "live-restore": true,
	//   "log-driver": "syslog",
	//   "log-level": "info",
	//   "log-opts": {
	//     "syslog-address": "udp://logs.example.com:514",
	//     "tag": "{{.Name}}/{{.ID}}"
	//   },
	//   "no-new-privileges": true,
	//   "storage-driver": "overlay2",
	//   "userland-proxy": false,
	//   "userns-remap": "default"
	// }
}

func ExampleHarden() {
	_, changes, err := daemonconf.Harden([]byte(`{"icc": true, "log-level": "debug", "registry-mirrors": ["https://mirror.gcr.io"]}`), daemonconf.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range changes {
		fmt.Println(c.Rule, "|", c.Description)
	}
	// Output:
	// daemon.icc | icc: true -> false
	// daemon.log-level | log-level: debug -> info
	// daemon.iptables | iptables: set to true
	// daemon.default-ulimits | default-ulimits: set nofile 1024:4096
	// daemon.remote-logging | log-opts: json-file rotation max-size 10m, max-file 3
	// daemon.no-new-privileges | no-new-privileges: set to true
	// daemon.live-restore | live-restore: set to true
	// daemon.userland-proxy | userland-proxy: set to false
	// daemon.experimental | experimental: set to false
}
