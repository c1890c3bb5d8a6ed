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
	}
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

// TestCorpusAgainstDockerd boots every corpus file on a throwaway dockerd
// (four at a time, each in its own netns and directories) and compares
// dockerd's verdict (refused to start or not) with Validate's.
func TestCorpusAgainstDockerd(t *testing.T) {
	cases := loadCorpus(t)
	host := thisHost(t)
	type verdict struct {
		dockerd   bool
		validator bool
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
		res := daemonconf.Validate(data, daemonconf.Options{DockerdArgs: args, Host: host})
		results[i].validator = res.Refused()
		results[i].problems = res.Errors()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.File, func(t *testing.T) {
				b := dockertest.BootConfig(t, data, c.Args...)
				results[i].dockerd, results[i].reason = b.Refused, b.Error
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
		t.Logf("DISAGREE %s: dockerd refused=%v (%s); validator refused=%v %v", c.File, r.dockerd, r.reason, r.validator, r.problems)
	}
	pct := 100 * float64(agree) / float64(len(cases))
	t.Logf("validator agrees with dockerd on %d of %d corpus files (%.1f%%)", agree, len(cases), pct)
	if pct < 95 {
		t.Errorf("agreement %.1f%% is below 95%%", pct)
	}
}
