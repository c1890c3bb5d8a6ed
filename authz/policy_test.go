package authz_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/authz"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

// staticFacts answers from fixed tables.
type staticFacts struct {
	images map[string]*hardening.ImageFacts
	nets   map[string]*hardening.NetworkFacts
}

func (s staticFacts) HostFacts(context.Context) (hardening.HostFacts, error) {
	return hardening.HostFacts{Known: true}, nil
}
func (s staticFacts) ImageFacts(_ context.Context, ref string) (*hardening.ImageFacts, error) {
	if f, ok := s.images[ref]; ok {
		return f, nil
	}
	return nil, assert.AnError
}
func (s staticFacts) NetworkFacts(_ context.Context, name string) (*hardening.NetworkFacts, error) {
	if f, ok := s.nets[name]; ok {
		return f, nil
	}
	return nil, assert.AnError
}

const imageID = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

var testFacts = staticFacts{
	images: map[string]*hardening.ImageFacts{imageID: {ID: imageID, Healthcheck: true}},
	nets: map[string]*hardening.NetworkFacts{
		"isolated": {Name: "isolated", Driver: "bridge", ICC: false},
		"open":     {Name: "open", Driver: "bridge", ICC: true},
		"bridge":   {Name: "bridge", Driver: "bridge", ICC: true},
	},
}

func policy(t *testing.T, opts ...authz.Option) *authz.Policy {
	t.Helper()
	p, err := authz.NewPolicy(append([]authz.Option{authz.WithFacts(testFacts, time.Second)}, opts...)...)
	require.NoError(t, err)
	return p
}

// hardenedBody is a create body that passes every rule.
func hardenedBody(mod func(hc map[string]any, top map[string]any)) []byte {
	hc := map[string]any{
		"CapDrop": []string{"ALL"}, "ReadonlyRootfs": true, "SecurityOpt": []string{"no-new-privileges"},
		"PidsLimit": 256, "Memory": 512 << 20, "CpuShares": 512, "NetworkMode": "isolated",
		"RestartPolicy": map[string]any{"Name": "on-failure", "MaximumRetryCount": 5},
		"LogConfig":     map[string]any{"Type": "json-file", "Config": map[string]string{"max-size": "10m"}},
	}
	top := map[string]any{"Image": imageID, "User": "65534:65534", "HostConfig": hc}
	if mod != nil {
		mod(hc, top)
	}
	b, _ := json.Marshal(top)
	return b
}

func judge(t *testing.T, p *authz.Policy, method, uri string, body []byte, headers ...string) *authz.Decision {
	t.Helper()
	req := &authz.Request{RequestMethod: method, RequestURI: uri, RequestBody: body, RequestHeaders: map[string]string{}}
	if body != nil {
		req.RequestHeaders["Content-Type"] = "application/json"
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.RequestHeaders[headers[i]] = headers[i+1]
	}
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	dreq, call, err := authz.DecodeRequest(raw)
	require.NoError(t, err, uri)
	return p.Judge(context.Background(), dreq, call)
}

func TestCreateHardenedAllowed(t *testing.T) {
	p := policy(t)
	for _, uri := range []string{"/v1.41/containers/create?name=web", "/containers/create?name=web", "/v1.51/containers/create"} {
		d := judge(t, p, "POST", uri, hardenedBody(nil))
		assert.True(t, d.Allow, "%s: %s", uri, d.Message())
		assert.Empty(t, d.Violations, uri)
	}
}

func TestCreateViolations(t *testing.T) {
	p := policy(t)
	cases := []struct {
		name string
		mod  func(hc, top map[string]any)
		want rule.ID
	}{
		{"privileged", func(hc, _ map[string]any) { hc["Privileged"] = true }, rule.ContainerPrivileged},
		{"bind etc", func(hc, _ map[string]any) { hc["Binds"] = []string{"/etc:/x"} }, rule.ContainerSensitiveMounts},
		{"bind with an option hardening does not parse", func(hc, _ map[string]any) { hc["Binds"] = []string{"/etc:/x:delegated"} }, rule.ContainerSensitiveMounts},
		{"docker socket", func(hc, _ map[string]any) { hc["Binds"] = []string{"/var/run/docker.sock:/s:ro"} }, rule.ContainerDockerSocket},
		{"mount bind", func(hc, _ map[string]any) {
			hc["Mounts"] = []map[string]any{{"Type": "bind", "Source": "/", "Target": "/host"}}
		}, rule.ContainerSensitiveMounts},
		{"inline local volume", func(hc, _ map[string]any) {
			hc["Mounts"] = []map[string]any{{"Type": "volume", "Source": "v", "Target": "/x", "VolumeOptions": map[string]any{
				"DriverConfig": map[string]any{"Name": "local", "Options": map[string]string{"type": "none", "o": "bind", "device": "/usr"}}}}}
		}, rule.ContainerSensitiveMounts},
		{"sys admin", func(hc, _ map[string]any) { hc["CapAdd"] = []string{"SYS_ADMIN"} }, rule.ContainerCapabilities},
		{"pid host", func(hc, _ map[string]any) { hc["PidMode"] = "host" }, rule.ContainerHostPID},
		{"host network", func(hc, _ map[string]any) { hc["NetworkMode"] = "host" }, rule.ContainerHostNetwork},
		{"default bridge with icc", func(hc, _ map[string]any) { hc["NetworkMode"] = "default" }, rule.ContainerNetworkIsolation},
		{"open network", func(hc, _ map[string]any) { hc["NetworkMode"] = "open" }, rule.ContainerNetworkIsolation},
		{"unknown network", func(hc, _ map[string]any) { hc["NetworkMode"] = "nobody-knows" }, rule.ContainerNetworkIsolation},
		{"extra endpoint on an open network", func(_, top map[string]any) {
			top["NetworkingConfig"] = map[string]any{"EndpointsConfig": map[string]any{"open": map[string]any{}}}
		}, rule.ContainerNetworkIsolation},
		{"root user", func(_, top map[string]any) { top["User"] = "0" }, rule.ContainerNonRootUser},
		{"no user, image unknown", func(_, top map[string]any) { delete(top, "User"); top["Image"] = "sha256:" + strings.Repeat("f", 64) }, rule.ContainerNonRootUser},
		{"tag", func(_, top map[string]any) { top["Image"] = "alpine:latest" }, rule.ContainerImagePinned},
		{"seccomp off", func(hc, _ map[string]any) { hc["SecurityOpt"] = []string{"no-new-privileges", "seccomp=unconfined"} }, rule.ContainerSeccomp},
		{"no memory", func(hc, _ map[string]any) { delete(hc, "Memory") }, rule.ContainerMemoryLimit},
		{"devices", func(hc, _ map[string]any) {
			hc["Devices"] = []map[string]string{{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}}
		}, rule.ContainerHostDevices},
		{"unmasked proc", func(hc, _ map[string]any) { hc["MaskedPaths"] = []string{} }, authz.AuthzSystemPaths},
		{"legacy top-level HostConfig field", func(_, top map[string]any) { top["Privileged"] = true }, authz.AuthzJudgeable},
		{"legacy top-level HostConfig only", func(hc, top map[string]any) { delete(top, "HostConfig"); top["Binds"] = []string{"/:/h"} }, authz.AuthzJudgeable},
		{"unknown HostConfig field with a value", func(hc, _ map[string]any) { hc["Capabilities"] = []string{"CAP_SYS_ADMIN"} }, authz.AuthzJudgeable},
		{"case-folded key still judged", func(hc, _ map[string]any) { hc["privileged"] = true }, rule.ContainerPrivileged},
	}
	for _, c := range cases {
		d := judge(t, p, "POST", "/v1.41/containers/create?name=x", hardenedBody(c.mod))
		assert.False(t, d.Allow, c.name)
		assert.Contains(t, d.Rules(), c.want, "%s: %s", c.name, d.Message())
		assert.Contains(t, d.Message(), "["+string(c.want)+"]", c.name)
	}
}

func TestCreateZeroUnknownFieldsAllowed(t *testing.T) {
	// Older clients send fields newer types dropped (KernelMemory): with a
	// zero value they change nothing and are allowed.
	p := policy(t)
	d := judge(t, p, "POST", "/v1.41/containers/create", hardenedBody(func(hc, top map[string]any) {
		hc["KernelMemory"] = 0
		hc["Capabilities"] = nil
		top["Cpuset"] = ""
	}))
	assert.True(t, d.Allow, d.Message())
}

func TestCreateWithoutBodyDenied(t *testing.T) {
	p := policy(t)
	for _, h := range [][]string{nil, {"Content-Type", "application/x-tar"}, {"Content-Length", "2000000"}} {
		d := judge(t, p, "POST", "/containers/create", nil, h...)
		assert.False(t, d.Allow)
		assert.Equal(t, []rule.ID{authz.AuthzJudgeable}, d.Rules())
	}
	d := judge(t, p, "POST", "/containers/create", nil, "Content-Type", "text/plain")
	assert.Contains(t, d.Message(), "only application/json is forwarded")
	d = judge(t, p, "POST", "/containers/create", []byte("{not json"))
	assert.Equal(t, []rule.ID{authz.AuthzJudgeable}, d.Rules())
}

func TestLabelWaiversIgnored(t *testing.T) {
	p := policy(t)
	d := judge(t, p, "POST", "/containers/create?name=emulator", hardenedBody(func(hc, top map[string]any) {
		hc["Privileged"] = true
		top["Labels"] = map[string]string{hardening.LabelWaivePrefix + "container.privileged": "trust me"}
	}))
	assert.False(t, d.Allow)
	assert.Contains(t, d.Rules(), rule.ContainerPrivileged)
}

func TestFileWaivers(t *testing.T) {
	w, err := authz.ParseWaivers([]byte(`waivers:
  - rule: container.capabilities
    target: container:emulator
    reason: needs NET_ADMIN for tap devices
    expires: 2027-06-30
    approved-by: security-team
  - rule: authz.plugin-install
    target: plugin:vieux/*
    reason: sshfs volumes
    expires: 2027-01-01
    approved-by: ops
`))
	require.NoError(t, err)
	w.Now = func() time.Time { return time.Date(2027, 6, 30, 23, 0, 0, 0, time.UTC) }
	p := policy(t, authz.WithWaivers(w))
	body := hardenedBody(func(hc, _ map[string]any) { hc["CapAdd"] = []string{"NET_ADMIN"} })
	d := judge(t, p, "POST", "/containers/create?name=emulator", body)
	assert.True(t, d.Allow, d.Message())
	require.Len(t, d.Waived, 1)
	assert.Equal(t, rule.ContainerCapabilities, d.Waived[0].Rule)
	assert.Contains(t, d.Waived[0].Reason, "needs NET_ADMIN for tap devices (approved by security-team, expires 2027-06-30)")
	// Another container name: not covered.
	d = judge(t, p, "POST", "/containers/create?name=other", body)
	assert.False(t, d.Allow)
	// Expired: not covered any more.
	w.Now = func() time.Time { return time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC) }
	d = judge(t, p, "POST", "/containers/create?name=emulator", body)
	assert.False(t, d.Allow, "expired waiver must not count")
	// Authz rules are waivable too; the glob matches plugin names with a slash.
	d = judge(t, p, "POST", "/v1.41/plugins/pull?remote=vieux/sshfs:latest&name=vieux/sshfs", []byte("[]"))
	assert.False(t, d.Allow, "expired on 2027-01-01")
	w.Now = func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	d = judge(t, p, "POST", "/v1.41/plugins/pull?remote=vieux/sshfs:latest&name=vieux/sshfs", []byte("[]"))
	assert.True(t, d.Allow, "plugin:vieux/* covers plugin:vieux/sshfs: %s", d.Message())
	d = judge(t, p, "POST", "/v1.41/plugins/pull?remote=evil/rootkit", []byte("[]"))
	assert.False(t, d.Allow, "another plugin is not covered")
}

func TestParseWaiversRefusesIncompleteEntries(t *testing.T) {
	for name, doc := range map[string]string{
		"no reason":     "waivers:\n  - {rule: container.privileged, target: 'container:x', expires: 2027-01-01, approved-by: a}\n",
		"no expiry":     "waivers:\n  - {rule: container.privileged, target: 'container:x', reason: r, approved-by: a}\n",
		"bad date":      "waivers:\n  - {rule: container.privileged, target: 'container:x', reason: r, expires: soon, approved-by: a}\n",
		"no approver":   "waivers:\n  - {rule: container.privileged, target: 'container:x', reason: r, expires: 2027-01-01}\n",
		"bad rule":      "waivers:\n  - {rule: Privileged, target: 'container:x', reason: r, expires: 2027-01-01, approved-by: a}\n",
		"unknown rule":  "waivers:\n  - {rule: container.no-such-rule, target: 'container:x', reason: r, expires: 2027-01-01, approved-by: a}\n",
		"unknown key":   "waivers:\n  - {rule: container.privileged, target: 'container:x', reason: r, expires: 2027-01-01, approved-by: a, scope: all}\n",
		"not waivable":  "waivers:\n  - {rule: authz.judgeable, target: '*', reason: r, expires: 2027-01-01, approved-by: a}\n",
		"not yaml list": "waivers: yes\n",
	} {
		_, err := authz.ParseWaivers([]byte(doc))
		assert.Error(t, err, name)
	}
	w, err := authz.ParseWaivers(nil)
	require.NoError(t, err, "an empty file has no waivers")
	_, ok := w.Waive(rule.ContainerPrivileged, "container:x")
	assert.False(t, ok)
}

func TestEndpoints(t *testing.T) {
	p := policy(t)
	allowed := []struct{ method, uri string }{
		{"GET", "/v1.41/containers/json"}, {"HEAD", "/_ping"}, {"GET", "/_ping"}, {"GET", "/v1.41/plugins/privileges?remote=x"},
		{"POST", "/v1.41/containers/abc/start"}, {"POST", "/containers/abc/start"}, {"POST", "/v1.41/containers/abc/stop"},
		{"POST", "/v1.41/containers/abc/kill"}, {"POST", "/v1.41/containers/abc/wait"}, {"POST", "/v1.41/containers/abc/attach"},
		{"PUT", "/v1.41/containers/abc/archive?path=/tmp"}, {"DELETE", "/v1.41/containers/abc?force=1"},
		{"POST", "/v1.41/exec/e1/start"}, {"POST", "/v1.41/images/create?fromImage=x"}, {"POST", "/v1.41/images/reg.example/a/b/tag?repo=c"},
		{"DELETE", "/v1.41/images/reg.example/a/b:1"}, {"POST", "/v1.41/build?t=x"}, {"POST", "/v1.41/build?networkmode=none"},
		{"POST", "/v1.41/networks/create"}, {"POST", "/v1.41/networks/n/disconnect"}, {"POST", "/v1.41/volumes/prune"},
		{"POST", "/v1.41/plugins/vieux/sshfs:latest/enable"}, {"POST", "/v1.41/swarm/leave"}, {"POST", "/v1.41/auth"},
		{"POST", "/v1.41/secrets/create"}, {"POST", "/v1.41/commit?container=abc"},
	}
	for _, c := range allowed {
		d := judge(t, p, c.method, c.uri, nil)
		assert.True(t, d.Allow, "%s %s: %s", c.method, c.uri, d.Message())
	}
	denied := []struct {
		method, uri string
		body        []byte
		want        rule.ID
	}{
		{"POST", "/v1.23/containers/abc/start", nil, authz.AuthzJudgeable},
		{"POST", "/v1.41/build?networkmode=host", nil, rule.ContainerHostNetwork},
		{"POST", "/v1.41/build?version=2", nil, authz.AuthzBuildKit},
		{"POST", "/session", nil, authz.AuthzBuildKit},
		{"POST", "/grpc", nil, authz.AuthzBuildKit},
		{"POST", "/v1.41/plugins/pull?remote=vieux/sshfs", []byte("[]"), authz.AuthzPluginInstall},
		{"POST", "/v1.41/plugins/vieux/sshfs:latest/upgrade?remote=x", []byte("[]"), authz.AuthzPluginInstall},
		{"POST", "/v1.41/plugins/vieux/sshfs/set", []byte(`["mount.source=/"]`), authz.AuthzPluginInstall},
		{"POST", "/v1.41/plugins/create?name=x", nil, authz.AuthzPluginInstall},
		{"POST", "/v1.41/swarm/init", []byte("{}"), authz.AuthzSwarmMembership},
		{"POST", "/v1.41/swarm/join", []byte("{}"), authz.AuthzSwarmMembership},
		{"POST", "/v1.41/containers/abc/frobnicate", nil, authz.AuthzJudgeable},
		{"POST", "/v1.41/nothing", nil, authz.AuthzJudgeable},
		{"PATCH", "/v1.41/containers/abc", nil, authz.AuthzJudgeable},
		{"POST", "/v1.41/containers/cre%61te", hardenedBody(func(hc, _ map[string]any) { hc["Privileged"] = true }), rule.ContainerPrivileged},
		{"POST", "/v1.41/containers/abc/update", []byte(`{"PidsLimit":0}`), rule.ContainerPidsLimit},
		{"POST", "/v1.41/containers/abc/update", []byte(`{"RestartPolicy":{"Name":"always"}}`), rule.ContainerRestartPolicy},
		{"POST", "/v1.41/containers/abc/update", []byte(`{"Memory":-1}`), rule.ContainerMemoryLimit},
		{"POST", "/v1.41/containers/abc/update", []byte(`{"CpuShares":1024}`), rule.ContainerCPUShares},
		{"POST", "/v1.41/containers/abc/update", nil, authz.AuthzJudgeable},
		{"POST", "/v1.41/containers/abc/exec", []byte(`{"Privileged":true,"Cmd":["sh"]}`), rule.ContainerPrivileged},
		{"POST", "/v1.41/containers/abc/exec", []byte(`{"User":"root","Cmd":["sh"]}`), rule.ContainerNonRootUser},
		{"POST", "/v1.41/volumes/create", []byte(`{"Name":"v","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}`), rule.ContainerSensitiveMounts},
		{"POST", "/v1.41/volumes/create", []byte(`{"Name":"v","DriverOpts":{"device":"/run/docker.sock","o":"bind,ro"}}`), rule.ContainerDockerSocket},
		{"POST", "/v1.41/networks/open/connect", []byte(`{"Container":"web"}`), rule.ContainerNetworkIsolation},
		{"POST", "/v1.41/services/create", []byte(`{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"x","Privileges":{"Seccomp":{"Mode":"unconfined"}}}}}`), rule.ContainerSeccomp},
		{"POST", "/v1.41/services/create", []byte(`{"Name":"s","TaskTemplate":{"PluginSpec":{"Name":"x"}}}`), authz.AuthzPluginInstall},
		{"POST", "/v1.41/services/abc/update?version=3", []byte(`{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"x","Mounts":[{"Type":"bind","Source":"/etc","Target":"/e"}]}}}`), rule.ContainerSensitiveMounts},
	}
	for _, c := range denied {
		d := judge(t, p, c.method, c.uri, c.body)
		assert.False(t, d.Allow, "%s %s", c.method, c.uri)
		assert.Contains(t, d.Rules(), c.want, "%s %s: %s", c.method, c.uri, d.Message())
	}
	// Loosened nothing: allowed.
	for _, c := range []struct{ uri, body string }{
		{"/v1.41/containers/abc/update", `{"Memory":268435456,"PidsLimit":128,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}`},
		{"/v1.41/containers/abc/exec", `{"Cmd":["ls"],"User":"65534"}`},
		{"/v1.41/volumes/create", `{"Name":"v"}`},
		{"/v1.41/volumes/create", `{"Name":"v","DriverOpts":{"type":"nfs","o":"addr=10.0.0.1","device":":/export"}}`},
		{"/v1.41/volumes/create", `{"Name":"v","DriverOpts":{"type":"none","o":"bind,ro","device":"/etc"}}`},
		{"/v1.41/networks/isolated/connect", `{"Container":"web"}`},
	} {
		d := judge(t, p, "POST", c.uri, []byte(c.body))
		assert.True(t, d.Allow, "%s %s: %s", c.uri, c.body, d.Message())
	}
}

func TestUncleanPathsDenied(t *testing.T) {
	p := policy(t)
	for _, uri := range []string{"/v1.41/containers//create", "/v1.41/containers/x/../create", "containers/create", "/v1.4x.1/containers/json"} {
		req, _ := json.Marshal(authz.Request{RequestMethod: "POST", RequestURI: uri})
		r, call, err := authz.DecodeRequest(req)
		if err != nil {
			assert.ErrorIs(t, err, authz.ErrUndecodable, uri)
			continue
		}
		d := p.Judge(context.Background(), r, call)
		assert.False(t, d.Allow, uri)
	}
}

func TestWarnModeAllowsAndRecords(t *testing.T) {
	p := policy(t, authz.WithMode(authz.ModeWarn))
	d := judge(t, p, "POST", "/containers/create?name=x", hardenedBody(func(hc, _ map[string]any) { hc["Privileged"] = true }))
	assert.True(t, d.Allow)
	assert.True(t, d.Violates)
	assert.Contains(t, d.Rules(), rule.ContainerPrivileged)
	assert.Contains(t, d.Message(), "would deny (warn mode)")
	_, err := authz.NewPolicy(authz.WithMode("lenient"))
	assert.Error(t, err)
}

func TestRulesCatalogValid(t *testing.T) {
	require.NoError(t, authz.Rules().Validate())
	all := append(hardening.Rules(), authz.Rules()...)
	require.NoError(t, all.Validate(), "no authz rule ID collides with a container rule")
}

func TestDuplicateKeysCannotHideAField(t *testing.T) {
	// encoding/json merges repeated object keys: an empty second copy of an
	// unknown field must not hide a first one with a value.
	p := policy(t)
	body := []byte(`{"Image":"` + imageID + `","User":"65534","RestartPolicy":{"Name":"always"},"RestartPolicy":{},` +
		`"HostConfig":{"CapDrop":["ALL"],"Frobnicate":{"x":1}},"HostConfig":{"Frobnicate":{}}}`)
	d := judge(t, p, "POST", "/containers/create", body)
	assert.False(t, d.Allow)
	assert.Contains(t, d.Rules(), authz.AuthzJudgeable)
	assert.Contains(t, d.Message(), "RestartPolicy")
	// [{}] is not a zero value.
	d = judge(t, p, "POST", "/containers/create", hardenedBody(func(hc, _ map[string]any) { hc["Capabilities"] = []any{map[string]any{}} }))
	assert.Contains(t, d.Rules(), authz.AuthzJudgeable)
	d = judge(t, p, "POST", "/containers/create", hardenedBody(func(hc, _ map[string]any) { hc["KernelMemory"] = 0.0 }))
	assert.True(t, d.Allow, d.Message())
}

func TestUnknownHostFactsFailClosed(t *testing.T) {
	// Without facts the plugin cannot tell whether the host has AppArmor or
	// SELinux: turning either off is denied, not skipped.
	p, err := authz.NewPolicy()
	require.NoError(t, err)
	for opt, want := range map[string]rule.ID{"apparmor=unconfined": rule.ContainerAppArmor, "label=disable": rule.ContainerSELinux} {
		d := judge(t, p, "POST", "/containers/create", hardenedBody(func(hc, _ map[string]any) {
			hc["SecurityOpt"] = []string{"no-new-privileges", opt}
		}))
		assert.Contains(t, d.Rules(), want, opt)
	}
}

func TestAbsoluteFormURIDenied(t *testing.T) {
	// Go's server (dockerd) accepts "POST http://host/path": RequestURI is
	// then absolute; the plugin does not guess and denies.
	raw, _ := json.Marshal(authz.Request{RequestMethod: "POST", RequestURI: "http://docker/v1.41/containers/create",
		RequestBody: hardenedBody(func(hc, _ map[string]any) { hc["Privileged"] = true })})
	_, _, err := authz.DecodeRequest(raw)
	require.ErrorIs(t, err, authz.ErrUndecodable)
}

func TestReloadableWaivers(t *testing.T) {
	file := t.TempDir() + "/w.yaml"
	entry := "waivers:\n  - {rule: container.capabilities, target: 'container:emulator', reason: tap, expires: 2099-01-01, approved-by: sec}\n"
	require.NoError(t, os.WriteFile(file, []byte("waivers: []\n"), 0o600))
	w, err := authz.NewReloadableWaivers(file, nil)
	require.NoError(t, err)
	p := policy(t, authz.WithWaivers(w))
	body := hardenedBody(func(hc, _ map[string]any) { hc["CapAdd"] = []string{"NET_ADMIN"} })
	assert.False(t, judge(t, p, "POST", "/containers/create?name=emulator", body).Allow)
	require.NoError(t, os.WriteFile(file, []byte(entry), 0o600))
	require.NoError(t, w.Reload())
	assert.True(t, judge(t, p, "POST", "/containers/create?name=emulator", body).Allow, "new waiver in force after reload")
	require.NoError(t, os.WriteFile(file, []byte("waivers: [{rule: x}]\n"), 0o600))
	assert.Error(t, w.Reload())
	assert.True(t, judge(t, p, "POST", "/containers/create?name=emulator", body).Allow, "a bad file keeps the previous waivers")
}
