package dockertest_test

import (
	"context"
	"os"
	"testing"

	"github.com/safedock/safedock/internal/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

func TestProbeImageBuildsFromScratch(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{User: "65534:65534", Expose: []string{"22/tcp"}})
	ins, err := cli.ImageInspect(context.Background(), img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ins.Config.User != "65534:65534" {
		t.Errorf("image user = %q, want 65534:65534", ins.Config.User)
	}
	if ins.Config.Healthcheck == nil {
		t.Error("probe image has no HEALTHCHECK")
	}
}
