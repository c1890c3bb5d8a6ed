package daemonconf_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func mustGenerate(t *testing.T, opts ...daemonconf.Option) []byte {
	t.Helper()
	out, err := daemonconf.Generate(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGenerateMatrixBootsDockerd boots every combination of Generate's
// options that changes what dockerd reports, and checks Info.
func TestGenerateMatrixBootsDockerd(t *testing.T) {
	engine, err := daemonconf.ParseVersion(dockertest.EngineVersion(t))
	if err != nil {
		t.Fatal(err)
	}
	type combo struct {
		userns, syslog, cgroup bool
	}
	var combos []combo
	for _, u := range []bool{true, false} {
		for _, s := range []bool{true, false} {
			for _, c := range []bool{true, false} {
				combos = append(combos, combo{u, s, c})
			}
		}
	}
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, c := range combos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(fmt.Sprintf("userns=%v/syslog=%v/cgroup=%v", c.userns, c.syslog, c.cgroup), func(t *testing.T) {
				opts := []daemonconf.Option{daemonconf.WithEngineVersion(engine)}
				if !c.userns {
					opts = append(opts, daemonconf.Waive(daemonconf.DaemonUsernsRemap, "matrix"))
				}
				if c.syslog {
					opts = append(opts, daemonconf.WithSyslog("udp://127.0.0.1:5514"))
				}
				if c.cgroup {
					opts = append(opts, daemonconf.WithCgroupParent("safedock-test"))
				}
				cfg := mustGenerate(t, opts...)
				if res := daemonconf.Validate(cfg, daemonconf.Options{Version: engine}); !res.OK() {
					t.Fatalf("generated for %s, the validator objects: %v", engine, res.Errors())
				}
				d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: cfg})
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				info, err := d.Client.Info(ctx, client.InfoOptions{})
				if err != nil {
					t.Fatal(err)
				}
				in := info.Info
				if !in.LiveRestoreEnabled {
					t.Error("live-restore not enabled")
				}
				wantLog := "local"
				if c.syslog {
					wantLog = "syslog"
				}
				if in.LoggingDriver != wantLog {
					t.Errorf("logging driver %q, want %q", in.LoggingDriver, wantLog)
				}
				hasUserns := slices.ContainsFunc(in.SecurityOptions, func(s string) bool { return strings.Contains(s, "name=userns") })
				if hasUserns != c.userns {
					t.Errorf("userns in security options = %v, want %v (%v)", hasUserns, c.userns, in.SecurityOptions)
				}
				if in.Driver != "overlay2" {
					t.Errorf("storage driver %q", in.Driver)
				}
			})
		}()
	}
	wg.Wait()
}

func runProbe(t *testing.T, d *dockertest.Daemon, cmd ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{NoHealthcheck: true})
	cr, err := d.Client.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img.ID, Cmd: cmd}, Name: dockertest.Name("dc")})
	if err != nil {
		t.Fatal(err)
	}
	dockertest.RemoveContainerOnCleanup(t, d.Client, cr.ID)
	if _, err := d.Client.ContainerStart(ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	return cr.ID
}

// TestSyslogDelivers runs a UDP syslog listener on 127.0.0.1 inside the
// throwaway daemon's network namespace (the daemon's loopback is its own;
// the socket is created by a thread that joined that namespace), and
// checks that a container's output arrives there.
func TestSyslogDelivers(t *testing.T) {
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: mustGenerate(t,
		daemonconf.Waive(daemonconf.DaemonUsernsRemap, "speed"), daemonconf.WithSyslog("udp://127.0.0.1:5514"))})
	var pc net.PacketConn
	if err := d.InNetNS(func() (err error) { pc, err = net.ListenPacket("udp", "127.0.0.1:5514"); return err }); err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	marker := "safedock-syslog-" + dockertest.Name("m")
	runProbe(t, d, "echo", marker)
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_ = pc.SetReadDeadline(deadline)
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			break
		}
		if strings.Contains(string(buf[:n]), marker) {
			return
		}
	}
	t.Fatalf("syslog listener never received %q", marker)
}

// TestLiveRestoreKeepsContainer restarts the daemon under a running
// container started with a generated (hardened) config.
func TestLiveRestoreKeepsContainer(t *testing.T) {
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: mustGenerate(t)})
	id := runProbe(t, d, "sleep")
	ctx := context.Background()
	before, err := d.Client.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Restart()
	after, err := d.Client.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !after.Container.State.Running || after.Container.State.Pid != before.Container.State.Pid {
		t.Fatalf("container not kept across restart: before pid %d, after running=%v pid %d",
			before.Container.State.Pid, after.Container.State.Running, after.Container.State.Pid)
	}
}

type certs struct{ dir, ca, srvCert, srvKey, cliCert, cliKey, otherCert, otherKey string }

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key, der
}

func leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, server bool, certPath, keyPath string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, certPath, "CERTIFICATE", der)
	kb, _ := x509.MarshalECPrivateKey(key)
	writePEM(t, keyPath, "EC PRIVATE KEY", kb)
}

func makeCerts(t *testing.T) certs {
	dir := t.TempDir()
	c := certs{dir: dir, ca: filepath.Join(dir, "ca.pem"), srvCert: filepath.Join(dir, "srv.pem"), srvKey: filepath.Join(dir, "srv-key.pem"),
		cliCert: filepath.Join(dir, "cli.pem"), cliKey: filepath.Join(dir, "cli-key.pem"), otherCert: filepath.Join(dir, "other.pem"), otherKey: filepath.Join(dir, "other-key.pem")}
	ca, caKey, caDER := newCA(t, "safedock test CA")
	writePEM(t, c.ca, "CERTIFICATE", caDER)
	leaf(t, ca, caKey, true, c.srvCert, c.srvKey)
	leaf(t, ca, caKey, false, c.cliCert, c.cliKey)
	other, otherKey, _ := newCA(t, "another CA")
	leaf(t, other, otherKey, false, c.otherCert, c.otherKey)
	return c
}

// TestTLSMutualAuth starts dockerd with the generated TLS config on
// 127.0.0.1 (inside its netns; the test dials from a thread in it).
func TestTLSMutualAuth(t *testing.T) {
	c := makeCerts(t)
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{ConfigFunc: func(sock string) []byte {
		return mustGenerate(t, daemonconf.Waive(daemonconf.DaemonUsernsRemap, "speed"),
			daemonconf.WithTLS(c.ca, c.srvCert, c.srvKey, "127.0.0.1:2376"), daemonconf.WithSocket(sock))
	}})
	ping := func(cli *client.Client) error {
		defer cli.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := cli.Ping(ctx, client.PingOptions{})
		return err
	}
	good, err := daemonconf.NewClient(daemonconf.ClientOptions{Host: "tcp://127.0.0.1:2376", CACert: c.ca, Cert: c.cliCert, Key: c.cliKey, DialContext: d.DialContext})
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(good); err != nil {
		t.Fatalf("right certificate refused: %v", err)
	}
	wrong, err := daemonconf.NewClient(daemonconf.ClientOptions{Host: "tcp://127.0.0.1:2376", CACert: c.ca, Cert: c.otherCert, Key: c.otherKey, DialContext: d.DialContext})
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(wrong); err == nil {
		t.Error("certificate from another CA accepted")
	}
	caPEM, _ := os.ReadFile(c.ca)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	nocert, err := client.New(client.WithHost("tcp://127.0.0.1:2376"),
		client.WithHTTPClient(d.HTTPClient(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}})))
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(nocert); err == nil {
		t.Error("client without a certificate accepted")
	}
}

// TestEffectiveSettingsOnDockerd boots the two files whose keys say one
// thing while dockerd applies another, and checks what dockerd did against
// what Validate says.
func TestEffectiveSettingsOnDockerd(t *testing.T) {
	t.Run("debug overrides log-level", func(t *testing.T) {
		cfg := []byte(`{"debug": true, "log-level": "info"}`)
		d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: cfg})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		info, err := d.Client.Info(ctx, client.InfoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		log := d.LogText()
		if !info.Info.Debug || !strings.Contains(log, "level=debug") {
			t.Fatalf("dockerd with %s: Info.Debug=%v, debug lines in its log: %v", cfg, info.Info.Debug, strings.Contains(log, "level=debug"))
		}
		f := finding(t, daemonconf.Validate(cfg, daemonconf.Options{}), daemonconf.DaemonLogLevel)
		if f.Status != rule.StatusFail {
			t.Errorf("dockerd logs at debug, Validate says %s: %s", f.Status, f.Reason)
		}
	})
	t.Run("userns-remap root is off", func(t *testing.T) {
		cfg := []byte(`{"userns-remap": "root"}`)
		d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: cfg})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		info, err := d.Client.Info(ctx, client.InfoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		userns := slices.ContainsFunc(info.Info.SecurityOptions, func(s string) bool { return strings.Contains(s, "name=userns") })
		if userns || !strings.Contains(d.LogText(), "user namespaces are OFF") {
			t.Fatalf("dockerd with %s: userns in security options = %v (%v)", cfg, userns, info.Info.SecurityOptions)
		}
		f := finding(t, daemonconf.Validate(cfg, daemonconf.Options{}), daemonconf.DaemonUsernsRemap)
		if f.Status != rule.StatusFail {
			t.Errorf("dockerd runs without user namespaces, Validate says %s: %s", f.Status, f.Reason)
		}
	})
}

// TestLiveRestoreRefusedOnSwarmNode restarts a swarm node's data root with
// live-restore on: dockerd 20.10 exits, as Validate says when told the node
// is in a swarm.
func TestLiveRestoreRefusedOnSwarmNode(t *testing.T) {
	d := dockertest.StartSwarm(t, dockertest.DaemonOptions{})
	dataRoot := filepath.Join(d.Dir, "r")
	d.Stop() // the swarm state stays in the data root
	cfg := []byte(`{"live-restore": true}`)
	b := dockertest.BootConfig(t, cfg, "--data-root", dataRoot)
	if !b.Refused || !strings.Contains(b.Error+b.Log, "incompatible with swarm mode") {
		t.Fatalf("dockerd with live-restore on a swarm node: refused=%v %s", b.Refused, b.Error)
	}
	t.Logf("dockerd: %s", b.Error)
	res := daemonconf.Validate(cfg, daemonconf.Options{Host: &daemonconf.HostFacts{SwarmActive: true}})
	if !res.Refused() {
		t.Errorf("Validate accepts what dockerd refused: %v", res.Problems)
	}
}
