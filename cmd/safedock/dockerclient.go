package main

import (
	"fmt"

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
