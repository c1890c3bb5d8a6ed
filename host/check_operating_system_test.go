package host_test

import (
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestOperatingSystem(t *testing.T) {
	for osr, want := range map[string]string{
		"ID=flatcar\nNAME=\"Flatcar Container Linux by Kinvolk\"\n":       "Flatcar Container Linux",
		"ID=fedora\nVARIANT_ID=coreos\nNAME=\"Fedora Linux\"\n":           "Fedora CoreOS",
		"ID=bottlerocket\nNAME=Bottlerocket\n":                            "Bottlerocket",
		"ID=talos\nNAME=Talos\n":                                          "Talos Linux",
		"ID=photon\nNAME=\"VMware Photon OS\"\n":                          "VMware Photon OS",
		"ID=rancheros\nNAME=RancherOS\n":                                  "RancherOS",
		"ID=centos\nVARIANT_ID=atomic.host\n":                             "Project Atomic",
		"ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n":     "",
		"ID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n": "",
	} {
		if got := host.ParseOSRelease([]byte(osr)).ContainerOptimized(); got != want {
			t.Errorf("%q: %q, want %q", osr, got, want)
		}
	}
	root := t.TempDir()
	write(t, root, "usr/lib/os-release", "ID=flatcar\nPRETTY_NAME=\"Flatcar Container Linux 3975.2.0\"\n")
	rep, _ := host.Check(host.Inputs{Root: root})
	if f := find(t, rep, host.HostOperatingSystem); f.Status != rule.StatusPass {
		t.Errorf("flatcar tree: %s %q", f.Status, f.Reason)
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add([]byte("ID=\"flatcar\"\nVARIANT_ID='coreos'\nNAME=\"x\\\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = host.ParseOSRelease(data).ContainerOptimized()
	})
}
