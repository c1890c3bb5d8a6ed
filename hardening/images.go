package hardening

import (
	"context"
	"fmt"
	"slices"
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

// ImageRules returns the catalog of image rules. Each call returns a fresh copy.
func ImageRules() rule.Catalog {
	return rule.Catalog{
		{ID: ImageNonRootUser, Title: "Images declare a non-root USER", Severity: rule.SeverityMedium, CIS: []string{"4.1"},
			Rationale:   "An image without USER runs as root unless every caller remembers --user.",
			Remediation: "Add a USER instruction with a non-root uid (e.g. USER 65534:65534) to the Dockerfile."},
		{ID: ImageHealthcheck, Title: "Images define a HEALTHCHECK", Severity: rule.SeverityLow, CIS: []string{"4.6"},
			Rationale:   "A HEALTHCHECK lets the engine and orchestrators see that a running container no longer works.",
			Remediation: "Add a HEALTHCHECK instruction to the Dockerfile."},
		{ID: ImageNoSSHPort, Title: "Images do not expose SSH (port 22)", Severity: rule.SeverityMedium, CIS: []string{"5.7"},
			Rationale:   "EXPOSE 22 usually means an sshd is baked into the image; containers are reached with docker exec.",
			Remediation: "Remove the SSH server and EXPOSE 22 from the image."},
		{ID: ImageSize, Title: "Images are minimal", Severity: rule.SeverityInfo,
			Rationale:   "Every package in an image is attack surface and patch work; small images (distroless, scratch, alpine) have less of both. Vulnerability scanning (Clair, Trivy) is out of safedock's scope.",
			Remediation: "Use a multi-stage build and a minimal base image; scan images with a vulnerability scanner."},
	}
}

// ImageAuditClient is what AuditImages needs from the daemon.
type ImageAuditClient interface {
	ImageList(ctx context.Context, options client.ImageListOptions) (client.ImageListResult, error)
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
}

// AuditImages checks every tagged image on the daemon: one image list, then
// one inspect per image, with bounded concurrency (DefaultConcurrency when not positive). Targets are
// "image:REPO:TAG" (the first tag) or "image:ID".
func AuditImages(ctx context.Context, cli ImageAuditClient, concurrency int) (rule.Report, error) {
	list, err := cli.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit images: listing images: %w", err)
	}
	cat := ImageRules()
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
			for _, r := range cat {
				out = append(out, r.Finding(target, rule.Skip(fmt.Sprintf("inspect failed: %v", err))))
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
	cat := ImageRules()
	get := func(id rule.ID) rule.Rule { r, _ := cat.Lookup(id); return r }
	var out []rule.Finding
	add := func(id rule.ID, res rule.Result) {
		res.Method = "inspect"
		out = append(out, get(id).Finding(target, res))
	}

	switch {
	case img.User == "":
		add(ImageNonRootUser, rule.Fail("no USER: containers run as root unless told otherwise", "Config.User is empty"))
	case isRootUser(img.User):
		add(ImageNonRootUser, rule.Fail("USER is root", fmt.Sprintf("Config.User=%q", img.User)))
	default:
		add(ImageNonRootUser, rule.Pass("non-root USER", fmt.Sprintf("Config.User=%q", img.User)))
	}
	if img.Healthcheck {
		add(ImageHealthcheck, rule.Pass("HEALTHCHECK defined", ""))
	} else {
		add(ImageHealthcheck, rule.Warn("no HEALTHCHECK", "Config.Healthcheck is empty"))
	}
	ports := slices.Sorted(slices.Values(img.ExposedPorts))
	if slices.Contains(ports, "22/tcp") {
		add(ImageNoSSHPort, rule.Fail("exposes port 22 (ssh)", fmt.Sprintf("Config.ExposedPorts=%v", ports)))
	} else {
		add(ImageNoSSHPort, rule.Pass("does not expose port 22", fmt.Sprintf("Config.ExposedPorts=%v", ports)))
	}
	detail := fmt.Sprintf("%d MB in %d layers", size/1_000_000, layers)
	if size > MinimalImageSize {
		add(ImageSize, rule.Warn("large image: consider a minimal base", detail))
	} else {
		add(ImageSize, rule.Pass("size within the minimal-image bound", detail))
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
