package dockertest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TLSCerts are the files of a throwaway mutual-TLS setup, all in a test's
// temp dir: a CA, a server certificate for 127.0.0.1 and two client
// directories laid out as the docker CLI's DOCKER_CERT_PATH wants them
// (ca.pem, cert.pem, key.pem).
type TLSCerts struct {
	// CA, ServerCert and ServerKey are what dockerd's --tlscacert,
	// --tlscert and --tlskey take.
	CA, ServerCert, ServerKey string
	// ClientDir holds a client certificate the CA signed.
	ClientDir string
	// WrongClientDir holds the right ca.pem (the server is trusted) but a
	// client certificate another CA signed: the daemon must refuse it.
	WrongClientDir string
	// NoClientDir holds only ca.pem: no client certificate at all.
	NoClientDir string
}

// GenerateTLS writes a fresh CA, a server certificate (SAN 127.0.0.1,
// "localhost") and client certificates under t.TempDir().
func GenerateTLS(t testing.TB) TLSCerts {
	t.Helper()
	dir := t.TempDir()
	certs, err := generateTLS(dir)
	if err != nil {
		t.Fatalf("generating TLS certificates: %v", err)
	}
	return certs
}

func generateTLS(dir string) (TLSCerts, error) {
	ca, caKey, caPEM, err := newCA("safedock test CA")
	if err != nil {
		return TLSCerts{}, err
	}
	other, otherKey, _, err := newCA("safedock other CA")
	if err != nil {
		return TLSCerts{}, err
	}
	c := TLSCerts{
		CA: filepath.Join(dir, "ca.pem"), ServerCert: filepath.Join(dir, "server-cert.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		ClientDir: filepath.Join(dir, "client"), WrongClientDir: filepath.Join(dir, "wrong-client"), NoClientDir: filepath.Join(dir, "no-client"),
	}
	if err := os.WriteFile(c.CA, caPEM, 0o644); err != nil {
		return TLSCerts{}, err
	}
	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:    []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if err := writeLeaf(server, ca, caKey, c.ServerCert, c.ServerKey); err != nil {
		return TLSCerts{}, err
	}
	for _, cl := range []struct {
		dir    string
		ca     *x509.Certificate
		caKey  *ecdsa.PrivateKey
		noCert bool
	}{{c.ClientDir, ca, caKey, false}, {c.WrongClientDir, other, otherKey, false}, {c.NoClientDir, nil, nil, true}} {
		if err := os.MkdirAll(cl.dir, 0o755); err != nil {
			return TLSCerts{}, err
		}
		if err := os.WriteFile(filepath.Join(cl.dir, "ca.pem"), caPEM, 0o644); err != nil {
			return TLSCerts{}, err
		}
		if cl.noCert {
			continue
		}
		leaf := &x509.Certificate{Subject: pkix.Name{CommonName: "safedock test client"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		if err := writeLeaf(leaf, cl.ca, cl.caKey, filepath.Join(cl.dir, "cert.pem"), filepath.Join(cl.dir, "key.pem")); err != nil {
			return TLSCerts{}, err
		}
	}
	return c, nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
}

func newCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("creating CA %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

func writeLeaf(tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	sn, err := serial()
	if err != nil {
		return err
	}
	tmpl.SerialNumber = sn
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("signing %s: %w", tmpl.Subject.CommonName, err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

// TLSDaemon is a throwaway dockerd that also listens on a loopback TCP
// port behind mutual TLS (--tlsverify), in this machine's network
// namespace, so that the docker CLI and a client configured as the CLI is
// (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) reach it. Its Client
// and Host stay on its unix socket, for the test's own setup.
type TLSDaemon struct {
	*Daemon
	// Addr is the TCP address, "tcp://127.0.0.1:PORT".
	Addr  string
	Certs TLSCerts
}

// StartTLSDaemon starts a throwaway dockerd (see StartDaemon) with
// --tlsverify and the certificates GenerateTLS makes, listening on
// tcp://127.0.0.1:2376 inside its own network namespace. A forwarder on a
// free loopback port of this namespace passes the bytes through unchanged
// (TLS end to end, the certificate's 127.0.0.1 SAN still matches), so the
// docker CLI and client.FromEnv reach it as a remote daemon. dockerd never
// runs in this machine's network namespace: one that does rewrites the
// host's bridges (it deleted docker0 when tried).
func StartTLSDaemon(t testing.TB, opts DaemonOptions) *TLSDaemon {
	t.Helper()
	certs := GenerateTLS(t)
	const inner = "127.0.0.1:2376"
	opts.Args = append([]string{"--tlsverify", "--tlscacert", certs.CA, "--tlscert", certs.ServerCert, "--tlskey", certs.ServerKey, "-H", "tcp://" + inner}, opts.Args...)
	d := StartDaemon(t, opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for the TLS daemon's forwarder: %v", err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				forward(c, d.PID, inner)
			}()
		}
	}()
	return &TLSDaemon{Daemon: d, Addr: "tcp://" + l.Addr().String(), Certs: certs}
}

// forward copies c to and from addr dialed inside the network namespace of
// process pid, until either side closes.
func forward(c net.Conn, pid int, addr string) {
	defer c.Close()
	var up net.Conn
	err := inNetNS(pid, func() error {
		var d net.Dialer
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		up = conn
		return err
	})
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// Env returns the docker CLI's environment for the daemon with the client
// certificates in certDir (one of Certs' client directories):
// DOCKER_HOST, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH.
func (d *TLSDaemon) Env(certDir string) map[string]string {
	return map[string]string{"DOCKER_HOST": d.Addr, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir}
}

// SetEnv sets Env(certDir) for the rest of the test (t.Setenv), so that
// client.New(client.FromEnv) and a child docker CLI connect as the docker
// CLI would.
func (d *TLSDaemon) SetEnv(t testing.TB, certDir string) {
	t.Helper()
	for k, v := range d.Env(certDir) {
		t.Setenv(k, v)
	}
}
