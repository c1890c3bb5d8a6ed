package hardening

import (
	"context"
	"errors"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// The image catalog validates itself, keeps to its prefix and does not
// collide with the container rules.
func TestImageChecksValidate(t *testing.T) {
	if err := imageChecks.Validate(); err != nil {
		t.Fatal(err)
	}
	rs := ImageRules()
	if err := append(rs, Rules()...).Validate(); err != nil {
		t.Fatalf("image and container rules together: %v", err)
	}
	if len(rs) != len(imageChecks) {
		t.Fatalf("%d rules, %d checks", len(rs), len(imageChecks))
	}
	for _, r := range rs {
		if !strings.HasPrefix(string(r.ID), "image.") {
			t.Errorf("%s: not an image.* ID", r.ID)
		}
	}
	if got := EvaluateImage("image:x", ImageFacts{}, 0, 0); len(got) != len(imageChecks) {
		t.Fatalf("EvaluateImage: %d findings, want one per rule (%d)", len(got), len(imageChecks))
	}
}

// ImageRules returns a copy: changing it changes nothing the image audit
// judges by.
func TestImageRulesIsACopy(t *testing.T) {
	rs := ImageRules()
	for i := range rs {
		rs[i].Title = "changed"
		rs[i].CIS = append(rs[i].CIS[:0:0], "x")
	}
	for _, r := range ImageRules() {
		if r.Title == "changed" || len(r.CIS) == 1 && r.CIS[0] == "x" {
			t.Fatalf("%s changed through a returned copy: %+v", r.ID, r)
		}
	}
}

// fakeImages is a daemon with a fixed image list; inspecting an image in
// fail returns that error.
type fakeImages struct {
	list []image.Summary
	fail map[string]error
}

func (f fakeImages) ImageList(context.Context, client.ImageListOptions) (client.ImageListResult, error) {
	return client.ImageListResult{Items: f.list}, nil
}

func (f fakeImages) ImageInspect(_ context.Context, id string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	if err := f.fail[id]; err != nil {
		return client.ImageInspectResult{}, err
	}
	return client.ImageInspectResult{InspectResponse: image.InspectResponse{ID: id, Size: 2_000_000, RootFS: image.RootFS{Layers: []string{"l1"}}}}, nil
}

// AuditImages names each image by its first tag or its short ID, skips
// every rule of an image it could not inspect, and drops an image removed
// in between.
func TestAuditImagesTargetsAndSkips(t *testing.T) {
	cli := fakeImages{
		list: []image.Summary{
			{ID: "sha256:aaaaaaaaaaaaaaaaaaaa", RepoTags: []string{"web:1", "web:latest"}},
			{ID: "sha256:bbbbbbbbbbbbbbbbbbbb", RepoTags: []string{"<none>:<none>"}},
			{ID: "sha256:cccccccccccccccccccc"},
			{ID: "sha256:dddddddddddddddddddd", RepoTags: []string{"gone:1"}},
		},
		fail: map[string]error{
			"sha256:cccccccccccccccccccc": errors.New("daemon hiccup"),
			"sha256:dddddddddddddddddddd": cerrdefs.ErrNotFound,
		},
	}
	rep, err := AuditImages(context.Background(), cli, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[rule.Status]int{}
	for _, f := range rep.Findings {
		if got[f.Target] == nil {
			got[f.Target] = map[rule.Status]int{}
		}
		got[f.Target][f.Status]++
	}
	n := len(imageChecks)
	if len(got) != 3 || got["image:web:1"][rule.StatusSkip] != 0 || len(rep.Findings) != 3*n {
		t.Fatalf("findings by target: %v", got)
	}
	if got["image:bbbbbbbbbbbb"] == nil {
		t.Errorf("an untagged image is named by its short ID: %v", got)
	}
	if got["image:cccccccccccc"][rule.StatusSkip] != n {
		t.Errorf("an image that could not be inspected skips every rule: %v", got["image:cccccccccccc"])
	}
}
