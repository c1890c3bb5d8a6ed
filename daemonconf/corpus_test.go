package daemonconf_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
)

type corpusCase struct {
	File    string   `json:"file"`
	Args    []string `json:"dockerd_args"`
	Source  string   `json:"source"`
	Pattern string   `json:"pattern"`
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct{ Cases []corpusCase }
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Cases
}

// thisHost returns the facts of the machine the throwaway daemons run on.
// Storage drivers: overlay2/overlay (the kernel has overlayfs) and vfs;
// the data roots live on the same filesystem as /tmp, never btrfs or zfs,
// and aufs is not in the kernel.
func thisHost(t *testing.T) *daemonconf.HostFacts {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	return &daemonconf.HostFacts{
		StorageDrivers:  []string{"overlay2", "overlay", "vfs"},
		NofileHardLimit: lim.Max, // dockerd inherits the test's limit
		LookPath:        exec.LookPath,
		PathExists:      func(p string) bool { _, err := os.Stat(p); return err == nil },
		UserExists:      func(n string) bool { _, err := user.Lookup(n); return err == nil },
		AuthzPlugins:    []string{}, // a throwaway daemon has no plugins
		Init:            initSystem(),
	}
}

func initSystem() string {
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		return "systemd"
	}
	return "other"
}

func TestCorpusIndex(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		if c.Source == "" || c.Pattern == "" {
			t.Errorf("%s: no source or pattern in the index", c.File)
		}
		if _, err := os.Stat(filepath.Join("testdata", "corpus", c.File)); err != nil {
			t.Error(err)
		}
	}
}

// outcome is what a daemon.json does to dockerd: it refuses to start, it
// starts but every container fails, or it starts and containers run.
type outcome string

const (
	outRefused    outcome = "refused"
	outContainers outcome = "containers-fail"
	outOK         outcome = "ok"
)

func validatorOutcome(res *daemonconf.Result) outcome {
	switch {
	case res.Refused():
		return outRefused
	case !res.OK():
		return outContainers
	}
	return outOK
}

// TestCorpusAgainstDockerd boots every corpus file on a throwaway dockerd of
// the engine the suite runs (20.10, or the modern engine under
// SAFEDOCK_ENGINE_PREFIX), four at a time, each in its own netns and
// directories; on a daemon that starts it runs one container from a FROM
// scratch probe image. It compares dockerd's outcome (refused, every
// container fails, fine) with Validate's for that engine version, told the
// facts of this host.
func TestCorpusAgainstDockerd(t *testing.T) {
	cases := loadCorpus(t)
	engine := dockertest.EngineVersion(t)
	ver, err := daemonconf.ParseVersion(engine)
	if err != nil {
		t.Fatal(err)
	}
	host := thisHost(t)
	type verdict struct {
		dockerd   outcome
		validator outcome
		reason    string
		problems  []daemonconf.Problem
	}
	results := make([]verdict, len(cases))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata", "corpus", c.File))
		if err != nil {
			t.Fatal(err)
		}
		args := append(dockertest.DaemonArgs(), c.Args...)
		res := daemonconf.Validate(data, daemonconf.Options{Version: ver, DockerdArgs: args, Host: host})
		results[i].validator = validatorOutcome(res)
		results[i].problems = res.Errors()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.File, func(t *testing.T) {
				b, cr := dockertest.BootConfigContainer(t, data, c.Args...)
				switch {
				case b.Refused:
					results[i].dockerd, results[i].reason = outRefused, b.Error
				case cr.Failed:
					results[i].dockerd, results[i].reason = outContainers, cr.Error
				default:
					results[i].dockerd = outOK
				}
			})
		}()
	}
	wg.Wait()
	agree := 0
	for i, c := range cases {
		r := results[i]
		if r.dockerd == r.validator {
			agree++
			continue
		}
		t.Logf("DISAGREE %s: dockerd %s: %s; validator %s: %v", c.File, r.dockerd, r.reason, r.validator, r.problems)
	}
	pct := 100 * float64(agree) / float64(len(cases))
	t.Logf("engine %s: %d of %d agree (%.1f%%)", engine, agree, len(cases), pct)
	if pct < 98 {
		t.Errorf("engine %s: agreement %.1f%% is below 98%%", engine, pct)
	}
}
