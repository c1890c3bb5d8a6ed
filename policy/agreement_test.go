package policy_test

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/runspec"
)

// The agreement tests walk every fact of this package through hardening's
// builder (Build, what Run and Modifiers use) and runspec.Apply and demand
// one verdict from both.

const testImage = "sha256:0000000000000000000000000000000000000000000000000000000000000001"

// verdict summarizes an outcome: "accept", "refuse <rule IDs>" for rule
// violations, or "invalid" for input an option or the builder rejects.
func verdict(err error) string {
	if err == nil {
		return "accept"
	}
	vs := rule.Violations(err)
	if len(vs) == 0 {
		return "invalid"
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, string(v.Rule))
	}
	slices.Sort(ids)
	return "refuse " + strings.Join(slices.Compact(ids), ",")
}

func hardeningVerdict(opts ...hardening.Option) string {
	_, err := hardening.Build(testImage, append([]hardening.Option{hardening.WithNonRootUser()}, opts...)...)
	return verdict(err)
}

func runspecVerdict(spec *specs.Spec, opts ...runspec.Option) string {
	if spec == nil {
		spec = &specs.Spec{}
	}
	return verdict(runspec.Apply(spec, opts...))
}

func capabilityInputs() []string {
	return append(policy.Capabilities(), policy.AllCapabilities)
}

func TestAgreementCapabilities(t *testing.T) {
	for _, c := range capabilityInputs() {
		want := "accept"
		if policy.IsDangerousCapability(c) {
			want = "refuse " + string(rule.ContainerCapabilities)
		}
		for _, form := range []string{c, "CAP_" + c, strings.ToLower(c)} {
			if c == policy.AllCapabilities && form != c {
				continue
			}
			t.Run(form, func(t *testing.T) {
				h := hardeningVerdict(hardening.WithAddedCapabilities(form))
				r := runspecVerdict(nil, runspec.WithAddedCapabilities(form))
				if h != want || r != want {
					t.Errorf("--cap-add %s: hardening %q, runspec %q, want both %q", form, h, r, want)
				}
				waiver := "needs the capability"
				h = hardeningVerdict(hardening.WithAddedCapabilities(form), hardening.Waive(rule.ContainerCapabilities, waiver))
				r = runspecVerdict(nil, runspec.WithAddedCapabilities(form), runspec.Waive(rule.ContainerCapabilities, waiver))
				if h != "accept" || r != "accept" {
					t.Errorf("--cap-add %s with a waiver: hardening %q, runspec %q, want both accept", form, h, r)
				}
			})
		}
	}
}

func TestAgreementUnknownCapability(t *testing.T) {
	for _, c := range []string{"NOT_A_CAP", "CAP_", ""} {
		h := hardeningVerdict(hardening.WithAddedCapabilities(c))
		r := runspecVerdict(nil, runspec.WithAddedCapabilities(c))
		if h != "invalid" || r != "invalid" {
			t.Errorf("--cap-add %q: hardening %q, runspec %q, want both invalid", c, h, r)
		}
	}
}

// hostPaths are the sensitive paths, their aliases, paths below them, and
// paths that are not sensitive.
func hostPaths() []string {
	var out []string
	for _, p := range policy.SensitivePaths() {
		out = append(out, p)
		if p != "/" {
			out = append(out, p+"/sub", p+"/")
		}
	}
	for _, a := range policy.UsrMergeAliases() {
		out = append(out, a, a+"/x")
	}
	return append(out, "/srv/data", "/home/user", "/opt/app", "/var/lib/app", "/mnt", "/etcetera", "/usrlocal", "/bin2")
}

func TestAgreementSensitiveMounts(t *testing.T) {
	for _, p := range hostPaths() {
		t.Run(p, func(t *testing.T) {
			sensitive := policy.SensitiveDir(policy.FoldAliases(p)) != ""
			for _, ro := range []bool{false, true} {
				mode, opt := "rw", "rw"
				if ro {
					mode, opt = "ro", "ro"
				}
				bind := &specs.Spec{Mounts: []specs.Mount{{Destination: "/x", Type: "bind", Source: p, Options: []string{"rbind", opt}}}}
				h := hardeningVerdict(hardening.WithAddedVolume(p + ":/x:" + mode))
				r := runspecVerdict(bind)
				if h != r {
					t.Errorf("bind %s:/x:%s: hardening %q, runspec %q", p, mode, h, r)
				}
				if got := strings.Contains(h, string(rule.ContainerSensitiveMounts)); got != (sensitive && !ro) {
					t.Errorf("bind %s:/x:%s: hardening %q, want a %s violation: %v", p, mode, h, rule.ContainerSensitiveMounts, sensitive && !ro)
				}
				waiver := "needs it"
				bind = &specs.Spec{Mounts: []specs.Mount{{Destination: "/x", Type: "bind", Source: p, Options: []string{"rbind", opt}}}}
				h = hardeningVerdict(hardening.WithAddedVolume(p+":/x:"+mode), hardening.Waive(rule.ContainerSensitiveMounts, waiver))
				r = runspecVerdict(bind, runspec.Waive(rule.ContainerSensitiveMounts, waiver))
				if h != r || strings.Contains(h, string(rule.ContainerSensitiveMounts)) {
					t.Errorf("bind %s:/x:%s waived: hardening %q, runspec %q, want the same and no %s violation", p, mode, h, r, rule.ContainerSensitiveMounts)
				}
			}
		})
	}
}

func TestAgreementMemoryFloor(t *testing.T) {
	for _, b := range []int64{1, 1 << 20, 4 << 20, 5 << 20, policy.MinMemory - 1, policy.MinMemory, policy.MinMemory + 1, 64 << 20, policy.DefaultMemory} {
		t.Run(fmt.Sprint(b), func(t *testing.T) {
			want := "accept"
			if b < policy.MinMemory {
				want = "invalid"
			}
			h := hardeningVerdict(hardening.WithMemory(b))
			r := runspecVerdict(nil, runspec.WithMemory(b))
			if h != want || r != want {
				t.Errorf("memory %d: hardening %q, runspec %q, want both %q", b, h, r, want)
			}
		})
	}
}

func TestAgreementUser(t *testing.T) {
	for _, u := range []string{"0", "0:0", "0:1000", "1000:0", "1000", "1000:1001", policy.DefaultUser} {
		t.Run(u, func(t *testing.T) {
			want := "accept"
			if strings.HasPrefix(u, "0") {
				want = "refuse " + string(rule.ContainerNonRootUser)
			}
			h := hardeningVerdict(hardening.WithUser(u))
			r := runspecVerdict(nil, runspec.WithUser(u))
			if h != want || r != want {
				t.Errorf("user %s: hardening %q, runspec %q, want both %q", u, h, r, want)
			}
			waiver := "legacy init"
			h = hardeningVerdict(hardening.WithUser(u), hardening.Waive(rule.ContainerNonRootUser, waiver))
			r = runspecVerdict(nil, runspec.WithUser(u), runspec.Waive(rule.ContainerNonRootUser, waiver))
			if h != "accept" || r != "accept" {
				t.Errorf("user %s waived: hardening %q, runspec %q, want both accept", u, h, r)
			}
		})
	}
	// Names: an image's /etc/passwd resolves them for Docker; an OCI spec
	// has numeric ids only, so runspec refuses a name with a clear error.
	for _, u := range []string{"nobody", "root", "app:app"} {
		err := runspec.Apply(&specs.Spec{}, runspec.WithUser(u))
		if verdict(err) != "invalid" || !strings.Contains(err.Error(), "numeric") {
			t.Errorf("runspec user %q: %v, want an error saying ids are numeric", u, err)
		}
	}
	for _, u := range []string{"", "1000:", ":1000", "a b"} {
		h := hardeningVerdict(hardening.WithUser(u))
		r := runspecVerdict(nil, runspec.WithUser(u))
		if h != "invalid" || r != "invalid" {
			t.Errorf("user %q: hardening %q, runspec %q, want both invalid", u, h, r)
		}
	}
}

func TestAgreementDefaults(t *testing.T) {
	sp, err := hardening.Build(testImage, hardening.WithNonRootUser())
	if err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{}
	if err := runspec.Apply(spec); err != nil {
		t.Fatal(err)
	}
	hc, res := sp.HostConfig, spec.Linux.Resources
	if hc.Memory != policy.DefaultMemory || *res.Memory.Limit != policy.DefaultMemory {
		t.Errorf("memory: hardening %d, runspec %d, want %d", hc.Memory, *res.Memory.Limit, policy.DefaultMemory)
	}
	if hc.CPUShares != policy.DefaultCPUShares || int64(*res.CPU.Shares) != policy.DefaultCPUShares {
		t.Errorf("cpu shares: hardening %d, runspec %d, want %d", hc.CPUShares, *res.CPU.Shares, policy.DefaultCPUShares)
	}
	if *hc.PidsLimit != policy.DefaultPidsLimit || *res.Pids.Limit != policy.DefaultPidsLimit {
		t.Errorf("pids: hardening %d, runspec %d, want %d", *hc.PidsLimit, *res.Pids.Limit, policy.DefaultPidsLimit)
	}
	if u := spec.Process.User; sp.Config.User != policy.DefaultUser || u.UID != policy.DefaultUID || u.GID != policy.DefaultGID {
		t.Errorf("user: hardening %q, runspec %d:%d, want %s", sp.Config.User, u.UID, u.GID, policy.DefaultUser)
	}
}

// socketPaths are the engine sockets (with "*" as a user ID), every
// directory above them, a socket by name elsewhere, and paths that hold none.
func socketPaths() []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, s := range policy.EngineSocketPatterns() {
		p := strings.ReplaceAll(s, "*", "1000")
		for ; p != "/"; p = path.Dir(p) {
			add(p)
			add("/var" + p)
		}
		add("/")
	}
	for _, n := range policy.EngineSocketNames() {
		add("/srv/sockets/" + n)
	}
	for _, p := range []string{"/var", "/run/lock", "/run/user/1000/app", "/var/lib/app", "/srv/docker.socket", "/runx"} {
		add(p)
	}
	return out
}

func TestAgreementEngineSockets(t *testing.T) {
	for _, p := range socketPaths() {
		t.Run(p, func(t *testing.T) {
			_, _, want := policy.EngineSocketAt(p)
			bind := &specs.Spec{Mounts: []specs.Mount{{Destination: "/x", Type: "bind", Source: p, Options: []string{"rbind", "ro"}}}}
			h := hardeningVerdict(hardening.WithAddedVolume(p + ":/x:ro"))
			r := runspecVerdict(bind)
			if h != r {
				t.Errorf("bind %s:/x:ro: hardening %q, runspec %q", p, h, r)
			}
			if got := strings.Contains(h, string(rule.ContainerDockerSocket)); got != want {
				t.Errorf("bind %s:/x:ro: hardening %q, want a %s violation: %v", p, h, rule.ContainerDockerSocket, want)
			}
		})
	}
}
