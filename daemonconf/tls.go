package daemonconf

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/docker/go-connections/tlsconfig"
	"github.com/moby/moby/client"
	"github.com/safedock/safedock/rule"
)

// ErrPlainTCP is returned by NewClient for a tcp:// daemon without TLS
// files when DaemonTLS is not waived.
var ErrPlainTCP = errors.New("refusing a plain tcp:// daemon address: anyone on the network who reaches it is root on that host")

// ClientOptions say how to reach a daemon.
type ClientOptions struct {
	// Host is the daemon address: unix:///path or tcp://host:port.
	Host string
	// CACert, Cert, Key are the PEM files for mutual TLS (required for tcp://).
	CACert, Cert, Key string
	// Waivers: waiving DaemonTLS allows a plain tcp:// address.
	Waivers rule.Waivers
	// DialContext, when set, replaces the dialer (tests, SSH tunnels).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// TLSConfig returns the client side of mutual TLS for a Docker daemon:
// it trusts only caCert, presents cert/key, and needs TLS 1.2 or newer.
func TLSConfig(caCert, cert, key string) (*tls.Config, error) {
	c, err := tlsconfig.Client(tlsconfig.Options{CAFile: caCert, CertFile: cert, KeyFile: key, ExclusiveRootPools: true, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, fmt.Errorf("loading docker client TLS files: %w", err)
	}
	return c, nil
}

// NewClient builds a moby client for o.Host. A tcp:// address needs
// CACert, Cert and Key (mutual TLS) unless DaemonTLS is waived.
func NewClient(o ClientOptions) (*client.Client, error) {
	u, err := url.Parse(o.Host)
	if err != nil {
		return nil, fmt.Errorf("docker client for %q: %w", o.Host, err)
	}
	opts := []client.Opt{client.WithHost(o.Host)}
	switch u.Scheme {
	case "unix":
	case "tcp", "https":
		tr := &http.Transport{TLSHandshakeTimeout: 10 * time.Second, IdleConnTimeout: 30 * time.Second}
		if o.CACert == "" && o.Cert == "" && o.Key == "" {
			if _, waived := o.Waivers[DaemonTLS]; !waived {
				return nil, fmt.Errorf("docker client for %s: %w", o.Host, ErrPlainTCP)
			}
		} else {
			tc, err := TLSConfig(o.CACert, o.Cert, o.Key)
			if err != nil {
				return nil, fmt.Errorf("docker client for %s: %w", o.Host, err)
			}
			tr.TLSClientConfig = tc
		}
		if o.DialContext != nil {
			tr.DialContext = o.DialContext
		}
		opts = append(opts, client.WithHTTPClient(&http.Client{Transport: tr}))
	default:
		return nil, fmt.Errorf("docker client for %q: unsupported scheme %q", o.Host, u.Scheme)
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", o.Host, err)
	}
	return c, nil
}
