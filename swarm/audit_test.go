package swarm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/api/types/network"
	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/swarm"
)

// fakeSwarm answers the reads Audit makes; any other call panics (the
// embedded nil interface), which proves Audit changes nothing.
type fakeSwarm struct {
	swarm.Client
	info     swarmtypes.Info
	spec     swarmtypes.Spec
	networks []network.Summary
	services []swarmtypes.Service
}

func (f *fakeSwarm) Info(context.Context, client.InfoOptions) (client.SystemInfoResult, error) {
	return client.SystemInfoResult{Info: system.Info{Swarm: f.info}}, nil
}

func (f *fakeSwarm) SwarmInspect(context.Context, client.SwarmInspectOptions) (client.SwarmInspectResult, error) {
	return client.SwarmInspectResult{Swarm: swarmtypes.Swarm{ClusterInfo: swarmtypes.ClusterInfo{Spec: f.spec}}}, nil
}

func (f *fakeSwarm) NetworkList(context.Context, client.NetworkListOptions) (client.NetworkListResult, error) {
	return client.NetworkListResult{Items: f.networks}, nil
}

func (f *fakeSwarm) ServiceList(context.Context, client.ServiceListOptions) (client.ServiceListResult, error) {
	return client.ServiceListResult{Items: f.services}, nil
}

func (f *fakeSwarm) ImageInspect(context.Context, string, ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	return client.ImageInspectResult{}, errors.New("no such image")
}

// swarmFindings returns the findings of the swarm rules, "target rule" →
// status, and their methods.
func swarmFindings(t *testing.T, r rule.Report) (map[string]rule.Status, map[string]bool) {
	t.Helper()
	got, methods := map[string]rule.Status{}, map[string]bool{}
	for _, f := range r.Findings {
		if _, ok := swarm.Rules().Lookup(f.Rule); ok {
			got[f.Target+" "+string(f.Rule)] = f.Status
			methods[f.Method] = true
		}
	}
	return got, methods
}

// Audit judges each swarm rule in its scope: the engine-wide and
// cluster-wide ones once under "swarm", the network rule on every overlay,
// the service rules on every service; a worker skips all but swarm.mode,
// and an engine outside a swarm reports swarm.mode alone.
func TestAuditScopes(t *testing.T) {
	ctx := context.Background()

	t.Run("not in a swarm", func(t *testing.T) {
		r, err := swarm.Audit(ctx, &fakeSwarm{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateInactive}}, swarm.AuditOptions{})
		require.NoError(t, err)
		got, methods := swarmFindings(t, r)
		assert.Equal(t, map[string]rule.Status{"swarm swarm.mode": rule.StatusPass}, got)
		assert.Equal(t, map[string]bool{"api": true}, methods)
		assert.Len(t, r.Findings, 1)
	})

	t.Run("worker", func(t *testing.T) {
		r, err := swarm.Audit(ctx, &fakeSwarm{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateActive}}, swarm.AuditOptions{})
		require.NoError(t, err)
		got, methods := swarmFindings(t, r)
		want := map[string]rule.Status{"swarm swarm.mode": rule.StatusWarn}
		for _, id := range []rule.ID{swarm.SwarmManagers, swarm.SwarmAutolock, swarm.SwarmNodeCertExpiry, swarm.SwarmEncryptedOverlay, swarm.SwarmRoutingMesh, swarm.SwarmSecretsInEnv} {
			want["swarm "+string(id)] = rule.StatusSkip
		}
		assert.Equal(t, want, got)
		assert.Equal(t, map[string]bool{"api": true}, methods)
		assert.Len(t, r.Findings, len(want))
	})

	t.Run("manager", func(t *testing.T) {
		f := &fakeSwarm{
			info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateActive, ControlAvailable: true, Managers: 2},
			spec: swarmtypes.Spec{CAConfig: swarmtypes.CAConfig{NodeCertExpiry: 100 * 24 * time.Hour}},
			networks: []network.Summary{
				{Network: network.Network{Name: "ingress", ID: "i1", Driver: "overlay", Ingress: true}},
				{Network: network.Network{Name: "secure", ID: "s1", Driver: "overlay", Options: map[string]string{"encrypted": ""}}},
				{Network: network.Network{Name: "bridge", ID: "b1", Driver: "bridge"}},
			},
			services: []swarmtypes.Service{
				{ID: "svc1", Spec: swarmtypes.ServiceSpec{
					Annotations:  swarmtypes.Annotations{Name: "web"},
					TaskTemplate: swarmtypes.TaskSpec{ContainerSpec: &swarmtypes.ContainerSpec{Image: "web:1", Env: []string{"DB_PASSWORD=x"}}},
					EndpointSpec: &swarmtypes.EndpointSpec{Ports: []swarmtypes.PortConfig{{Protocol: "tcp", TargetPort: 80, PublishedPort: 8080}}},
				}},
				{ID: "svc2", Spec: swarmtypes.ServiceSpec{
					TaskTemplate: swarmtypes.TaskSpec{ContainerSpec: &swarmtypes.ContainerSpec{Image: "api:1"}},
				}},
			},
		}
		r, err := swarm.Audit(ctx, f, swarm.AuditOptions{Waivers: rule.Waivers{swarm.SwarmManagers: "two managers while the third is rebuilt"}})
		require.NoError(t, err)
		got, methods := swarmFindings(t, r)
		assert.Equal(t, map[string]rule.Status{
			"swarm swarm.mode":                        rule.StatusWarn,
			"swarm swarm.managers":                    rule.StatusWaived,
			"swarm swarm.autolock":                    rule.StatusFail,
			"swarm swarm.node-cert-expiry":            rule.StatusWarn,
			"network:ingress swarm.encrypted-overlay": rule.StatusFail,
			"network:secure swarm.encrypted-overlay":  rule.StatusPass,
			"service:web swarm.routing-mesh":          rule.StatusFail,
			"service:web swarm.secrets-in-env":        rule.StatusFail,
			"service:svc2 swarm.routing-mesh":         rule.StatusPass,
			"service:svc2 swarm.secrets-in-env":       rule.StatusPass,
		}, got)
		assert.Equal(t, map[string]bool{"api": true}, methods)
		var container int
		for _, f := range r.Findings {
			if f.Target == "service:web" && f.Rule == rule.ContainerNonRootUser {
				container++
			}
		}
		assert.Equal(t, 1, container, "every service is judged by the container rules too")
	})
}
