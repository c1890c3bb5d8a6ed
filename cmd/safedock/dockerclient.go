package main

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/moby/moby/client"
)

// dockerClient connects to the daemon the way the docker CLI does:
// DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and DOCKER_API_VERSION.
func dockerClient() (*client.Client, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("connecting to the Docker daemon: %w", err)
	}
	return cli, nil
}

// statsEnv is a hidden, documented switch (see bench/README.md): with
// SAFEDOCK_STATS=1, "safedock audit" prints "api_calls=N" to stderr, the
// number of HTTP requests its client sent to the daemon (version
// negotiation included). bench/audit.sh reads it.
const statsEnv = "SAFEDOCK_STATS"

// countingDockerClient is dockerClient with every request counted in calls.
func countingDockerClient(calls *atomic.Int64) (*client.Client, error) {
	cli, err := client.New(client.FromEnv, client.WithHTTPRequestHook(func(*http.Request) error {
		calls.Add(1)
		return nil
	}))
	if err != nil {
		return nil, fmt.Errorf("connecting to the Docker daemon: %w", err)
	}
	return cli, nil
}
