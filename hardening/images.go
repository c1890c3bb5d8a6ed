package hardening

import (
	"context"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// Image rule IDs: what an image on the daemon says about the containers it
// will become.
const (
	ImageNonRootUser rule.ID = "image.non-root-user"
	ImageHealthcheck rule.ID = "image.healthcheck"
	ImageNoSSHPort   rule.ID = "image.no-ssh-port"
	ImageSize        rule.ID = "image.size"
)

// MinimalImageSize is the size above which image.size warns (the seed asks
// for minimal images; this is a judgement, not a CIS number).
const MinimalImageSize = 1 << 30

// inspectedImage is what an image rule judges: the facts of one image on
// the daemon, its size in bytes and its number of layers.
type inspectedImage struct {
	facts  ImageFacts
	size   int64
	layers int
}

// imageChecks is the catalog of image rules, in report order; each lives in
// its own check_image_*.go file with its test.
var imageChecks = rule.Checks[inspectedImage]{
	checkImageNonRootUser,
	checkImageHealthcheck,
	checkImageNoSSHPort,
	checkImageSize,
}.MustValidate()

// ImageRules returns the catalog of image rules. Each call returns a fresh copy.
func ImageRules() rule.Catalog {
	return imageChecks.Catalog()
}

// ImageAuditClient is what AuditImages needs from the daemon.
type ImageAuditClient interface {
	ImageList(ctx context.Context, options client.ImageListOptions) (client.ImageListResult, error)
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
}

// AuditImages checks every tagged image on the daemon: one image list, then
// one inspect per image, with bounded concurrency (AutoConcurrency when not positive). Targets are
// "image:REPO:TAG" (the first tag) or "image:ID".
func AuditImages(ctx context.Context, cli ImageAuditClient, concurrency int) (rule.Report, error) {
	list, err := cli.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit images: listing images: %w", err)
	}
	type inspected struct {
		res client.ImageInspectResult
		err error
	}
	all := pipeline(len(list.Items), concurrency, func(i int) inspected {
		res, err := cli.ImageInspect(ctx, list.Items[i].ID)
		return inspected{res, err}
	}, func(i int, in inspected) []rule.Finding {
		img := list.Items[i]
		id := strings.TrimPrefix(img.ID, "sha256:")
		target := "image:" + id[:min(12, len(id))]
		if len(img.RepoTags) > 0 && img.RepoTags[0] != "<none>:<none>" {
			target = "image:" + img.RepoTags[0]
		}
		res, err := in.res, in.err
		if err != nil {
			if cerrdefs.IsNotFound(err) {
				return nil
			}
			var out []rule.Finding
			for _, c := range imageChecks {
				out = append(out, c.Rule.Finding(target, rule.Skip(fmt.Sprintf("inspect failed: %v", err))))
			}
			return out
		}
		return EvaluateImage(target, imageFacts(res), res.Size, len(res.RootFS.Layers))
	})
	if err := ctx.Err(); err != nil {
		return rule.Report{}, fmt.Errorf("audit images: %w", err)
	}
	return rule.NewReport(all), nil
}

// EvaluateImage applies the image rules to one image's facts.
func EvaluateImage(target string, img ImageFacts, size int64, layers int) []rule.Finding {
	in := inspectedImage{facts: img, size: size, layers: layers}
	out := make([]rule.Finding, 0, len(imageChecks))
	for _, c := range imageChecks {
		res := c.Judge(in)
		res.Method = "inspect"
		out = append(out, c.Rule.Finding(target, res))
	}
	return out
}

// imageFacts extracts what the rules need from an image inspect.
func imageFacts(img client.ImageInspectResult) ImageFacts {
	facts := ImageFacts{ID: img.ID, RepoDigests: img.RepoDigests}
	if img.Config != nil {
		facts.User = img.Config.User
		facts.Healthcheck = img.Config.Healthcheck != nil && len(img.Config.Healthcheck.Test) > 0 && img.Config.Healthcheck.Test[0] != "NONE"
		for p := range img.Config.ExposedPorts {
			facts.ExposedPorts = append(facts.ExposedPorts, p)
		}
	}
	return facts
}

// resolveImage inspects ref once (never pulling) and returns the facts of
// the image it names, including its ID, which the launchers then use.
func resolveImage(ctx context.Context, cli interface {
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
}, ref string) (ImageFacts, error) {
	img, err := cli.ImageInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return ImageFacts{}, fmt.Errorf("%w: build or pull %q first (safedock never pulls)", ErrImageNotFound, ref)
		}
		return ImageFacts{}, fmt.Errorf("inspecting image: %w", err)
	}
	return imageFacts(img), nil
}
