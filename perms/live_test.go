package perms_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

// TestLiveDaemon discovers the running daemon's files from its command line
// and configuration (never assuming the defaults) and checks them. It only
// reads: the shared daemon's files are never changed.
func TestLiveDaemon(t *testing.T) {
	cli := dockertest.Client(t)
	host := cli.DaemonHost()
	if !strings.HasPrefix(host, "unix://") {
		t.Skipf("daemon at %s is not on a local unix socket", host)
	}
	sock := strings.TrimPrefix(host, "unix://")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := perms.Discover("/", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("discovered dockerd args %q", cfg.DockerdArgs)
	ts, err := perms.Targets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	realSock, _ := filepath.EvalSymlinks(sock)
	var sawSock, sawData, sawContainerd bool
	for _, tg := range ts {
		t.Logf("target %s %s (%s) %s", tg.Class, tg.Path, tg.Source, tg.Skip)
		p, _ := filepath.EvalSymlinks(tg.Path)
		switch tg.Class {
		case perms.DockerSock:
			if p == realSock {
				sawSock = true
			}
		case perms.DataRoot:
			// With userns-remap the API reports <root>/<uid>.<gid>.
			want := info.Info.DockerRootDir
			if p == want || strings.HasPrefix(want, p+"/") {
				sawData = true
			}
		case perms.ContainerdSock:
			if fi, err := os.Stat(tg.Path); err == nil && fi.Mode()&os.ModeSocket != 0 {
				sawContainerd = true
			}
		case perms.TLSCACert, perms.TLSServerCert, perms.TLSServerKey:
			if tg.Skip == "" && tg.Path == "" {
				t.Errorf("TLS target without a path: %+v", tg)
			}
		}
	}
	if !sawSock {
		t.Errorf("the socket the client uses (%s) is not among the targets", sock)
	}
	if !sawData {
		t.Errorf("the daemon's data root (%s) is not among the targets", info.Info.DockerRootDir)
	}
	if !sawContainerd {
		t.Error("no containerd socket found where the daemon's containerd listens")
	}
	rep, err := perms.Check(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Logf("%s %s %s: %s", f.Status, f.Rule, f.Target, f.Reason)
		if f.Rule == perms.DockerSock.ModeRule() && f.Status == rule.StatusSkip {
			t.Errorf("the live socket was not examined: %s", f.Reason)
		}
	}
}
