package host_test

import (
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestDataRootMount(t *testing.T) {
	tests := []struct {
		name      string
		mountinfo string
		info      system.Info
		want      rule.Status
	}{
		{"own partition", mountRoot + "41 26 254:16 / /var/lib/docker rw - xfs /dev/vdb rw\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusPass},
		{"bind mount of the root filesystem", mountRoot + "41 26 254:0 /var/lib/docker /var/lib/docker rw shared:1 - ext4 /dev/vda rw\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusFail},
		{"on /", mountRoot, system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusFail},
		{"userns-remap subdirectory", mountRoot + "41 26 254:16 / /var/lib/docker rw - xfs /dev/vdb rw\n",
			system.Info{DockerRootDir: "/var/lib/docker/100000.100000", SecurityOptions: []string{"name=userns"}}, rule.StatusPass},
		{"configured data root with a space", mountRoot + "41 26 254:16 / /srv/docker\\040data rw - xfs /dev/vdb rw\n", system.Info{DockerRootDir: "/srv/docker data"}, rule.StatusPass},
		{"empty mount table", "garbage\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusSkip},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := tc.info
			rep, err := host.Check(host.Inputs{Root: t.TempDir(), Info: &info, MountInfo: []byte(tc.mountinfo)})
			if err != nil {
				t.Fatal(err)
			}
			f := find(t, rep, host.HostDataRootMount)
			if f.Status != tc.want {
				t.Errorf("%s: %s (%s), want %s", tc.name, f.Status, f.Reason, tc.want)
			}
		})
	}
}
