package hardening

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// healthPoll is how often WaitHealthy asks the daemon for the container's
// state.
var healthPoll = 200 * time.Millisecond

// ErrUnhealthy is wrapped by WaitHealthy's error when the container's
// health check reports unhealthy, or the container stopped before it was
// healthy.
var ErrUnhealthy = errors.New("container is not healthy")

// Inspect returns the daemon's current view of the container.
func (c *Container) Inspect(ctx context.Context) (container.InspectResponse, error) {
	res, err := c.cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, fmt.Errorf("inspecting %s: %w", c.Name, err)
	}
	return res.Container, nil
}

// WaitHealthy blocks until the container's health check (the image's
// HEALTHCHECK or WithHealthcheck) reports healthy, and returns nil. It
// returns an error wrapping ErrUnhealthy, with the last health check's
// output, as soon as the container is reported unhealthy or is no longer
// running (exited, dead, or restarting after a crash); an error when the
// container has no health check; and ctx's error when ctx ends first.
// Bound it with a ctx deadline.
func (c *Container) WaitHealthy(ctx context.Context) error {
	t := time.NewTicker(healthPoll)
	defer t.Stop()
	last := "not inspected yet"
	for {
		ins, err := c.Inspect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("waiting for %s to be healthy: %w (last state: %s)", c.Name, ctx.Err(), last)
			}
			return fmt.Errorf("waiting for %s to be healthy: %w", c.Name, err)
		}
		if done, err := c.healthState(ins); done {
			return err
		}
		last = describeHealth(ins)
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to be healthy: %w (last state: %s)", c.Name, ctx.Err(), last)
		case <-t.C:
		}
	}
}

// healthState decides WaitHealthy on one inspect: done with nil (healthy),
// done with an error (unhealthy, stopped, no check), or not done.
func (c *Container) healthState(ins container.InspectResponse) (bool, error) {
	st := ins.State
	if st == nil {
		return true, fmt.Errorf("waiting for %s to be healthy: the daemon reported no state", c.Name)
	}
	if ins.Config != nil && (ins.Config.Healthcheck == nil || len(ins.Config.Healthcheck.Test) == 0 || ins.Config.Healthcheck.Test[0] == "NONE") && st.Health == nil {
		return true, fmt.Errorf("waiting for %s to be healthy: the container has no health check (use WithHealthcheck or an image with a HEALTHCHECK)", c.Name)
	}
	if !st.Running || st.Restarting {
		what := fmt.Sprintf("%s (exit code %d)", st.Status, st.ExitCode)
		if st.Error != "" {
			what += ": " + st.Error
		}
		return true, fmt.Errorf("waiting for %s to be healthy: %w: it is %s%s", c.Name, ErrUnhealthy, what, lastHealthLog(st.Health))
	}
	if st.Health == nil {
		return false, nil
	}
	switch st.Health.Status {
	case container.Healthy:
		return true, nil
	case container.Unhealthy:
		return true, fmt.Errorf("waiting for %s to be healthy: %w: unhealthy after %d failed checks%s", c.Name, ErrUnhealthy, st.Health.FailingStreak, lastHealthLog(st.Health))
	}
	return false, nil
}

func lastHealthLog(h *container.Health) string {
	if h == nil || len(h.Log) == 0 || h.Log[len(h.Log)-1] == nil {
		return ""
	}
	l := h.Log[len(h.Log)-1]
	out := strings.TrimSpace(l.Output)
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return fmt.Sprintf("; last check exited %d: %q", l.ExitCode, out)
}

func describeHealth(ins container.InspectResponse) string {
	if ins.State == nil {
		return "unknown"
	}
	s := string(ins.State.Status)
	if ins.State.Health != nil {
		s += ", health " + string(ins.State.Health.Status) + lastHealthLog(ins.State.Health)
	}
	return s
}

// HostPort returns the host address ("127.0.0.1:32768", "[::1]:8080")
// that the container port ("8080/tcp", or "8080" for tcp) is published
// on, as the daemon bound it: a random host port (WithAddedPort("127.0.0.1::8080"))
// is reported with the port the daemon chose. The container must be
// running. When the port has several bindings, the first IPv4 one wins.
func (c *Container) HostPort(ctx context.Context, port string) (string, error) {
	if !strings.Contains(port, "/") {
		port += "/tcp"
	}
	p, err := network.ParsePort(port)
	if err != nil {
		return "", fmt.Errorf("host port of %s: container port %q: %w", c.Name, port, err)
	}
	ins, err := c.Inspect(ctx)
	if err != nil {
		return "", fmt.Errorf("host port of %s: %w", c.Name, err)
	}
	if ins.State == nil || !ins.State.Running {
		return "", fmt.Errorf("host port of %s: the container is not running", c.Name)
	}
	var bindings []network.PortBinding
	if ins.NetworkSettings != nil {
		bindings = ins.NetworkSettings.Ports[p]
	}
	var best *network.PortBinding
	for i := range bindings {
		b := &bindings[i]
		if b.HostPort == "" || b.HostPort == "0" {
			continue
		}
		if best == nil || (!best.HostIP.Is4() && b.HostIP.Is4()) {
			best = b
		}
	}
	if best == nil {
		return "", fmt.Errorf("host port of %s: port %s is not published (use WithAddedPort)", c.Name, port)
	}
	ip := "0.0.0.0"
	if best.HostIP.IsValid() {
		ip = best.HostIP.String()
	}
	return net.JoinHostPort(ip, best.HostPort), nil
}

// ExecOptions adjusts Exec.
type ExecOptions struct {
	// User runs the command as this user ("uid[:gid]" or a name); empty
	// means the container's user. Root needs the container to have been
	// launched with a waiver of container.non-root-user.
	User string
	// Env adds environment variables ("KEY=value").
	Env []string
	// WorkingDir is the directory the command starts in; empty means the
	// container's.
	WorkingDir string
	// Privileged is refused (a rule violation of container.privileged)
	// unless the container was launched with that rule waived.
	Privileged bool
	// MaxOutput bounds what is kept of stdout and of stderr each, in bytes
	// (default 16 MiB); the rest is read and dropped.
	MaxOutput int
}

// ExecResult is what a command run by Exec did.
type ExecResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
}

const defaultMaxExecOutput = 16 << 20

// Exec runs cmd in the running container, as the container's user (or
// opts.User), waits for it and returns its exit code and output. It is
// judged like the container: a privileged exec, or one as root, is refused
// with a *rule.Violation unless the container was launched with that rule
// waived. A non-zero exit code is not an error. When ctx ends Exec stops
// reading and returns ctx's error; the daemon has no way to kill an exec,
// so the command itself runs on until it ends or the container stops.
func (c *Container) Exec(ctx context.Context, cmd []string, opts ExecOptions) (ExecResult, error) {
	if len(cmd) == 0 {
		return ExecResult{}, fmt.Errorf("exec in %s: %w: no command", c.Name, ErrInvalidSpec)
	}
	if err := c.judgeExec(opts); err != nil {
		return ExecResult{}, fmt.Errorf("exec in %s: %w", c.Name, err)
	}
	for _, e := range opts.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return ExecResult{}, fmt.Errorf("exec in %s: %w: env %q: want KEY=value", c.Name, ErrInvalidSpec, e)
		}
	}
	cr, err := c.cli.ExecCreate(ctx, c.ID, client.ExecCreateOptions{
		User: opts.User, Env: opts.Env, WorkingDir: opts.WorkingDir, Cmd: cmd,
		AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return ExecResult{}, fmt.Errorf("exec in %s: creating: %w", c.Name, err)
	}
	at, err := c.cli.ExecAttach(ctx, cr.ID, client.ExecAttachOptions{})
	if err != nil {
		return ExecResult{}, fmt.Errorf("exec in %s: starting: %w", c.Name, err)
	}
	defer at.Close()
	limit := opts.MaxOutput
	if limit <= 0 {
		limit = defaultMaxExecOutput
	}
	stdout, stderr := &capped{max: limit}, &capped{max: limit}
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(stdout, stderr, at.Reader)
		copied <- err
	}()
	select {
	case err = <-copied:
	case <-ctx.Done():
		at.Close()
		<-copied
		return ExecResult{}, fmt.Errorf("exec in %s: %w", c.Name, ctx.Err())
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return ExecResult{}, fmt.Errorf("exec in %s: reading output: %w", c.Name, err)
	}
	// The stream ends a moment before the daemon records the exit code.
	for {
		ins, err := c.cli.ExecInspect(ctx, cr.ID, client.ExecInspectOptions{})
		if err != nil {
			return ExecResult{}, fmt.Errorf("exec in %s: inspecting: %w", c.Name, err)
		}
		if !ins.Running {
			return ExecResult{ExitCode: ins.ExitCode, Stdout: stdout.String(), Stderr: stderr.String()}, nil
		}
		select {
		case <-ctx.Done():
			return ExecResult{}, fmt.Errorf("exec in %s: %w", c.Name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// judgeExec refuses a privileged or root exec unless the container's
// launch waived the rule.
func (c *Container) judgeExec(opts ExecOptions) error {
	var ws rule.Waivers
	if c.Spec != nil {
		ws = c.Spec.Waivers
	}
	if opts.Privileged {
		r := ws.Apply(rule.ContainerPrivileged, rule.Fail("privileged exec", "ExecOptions.Privileged=true"))
		if r.Status != rule.StatusWaived {
			return &rule.Violation{Rule: rule.ContainerPrivileged, Reason: "a privileged exec gets every capability and device",
				Detail: "ExecOptions.Privileged=true", Fix: "drop Privileged, or launch the container with Waive(\"" + string(rule.ContainerPrivileged) + "\", reason)."}
		}
	}
	if opts.User != "" {
		if !userPattern().MatchString(opts.User) {
			return fmt.Errorf("%w: user %q: want uid[:gid] or name[:group]", ErrInvalidSpec, opts.User)
		}
		if isRootUser(opts.User) {
			r := ws.Apply(rule.ContainerNonRootUser, rule.Fail("exec as root", "ExecOptions.User="+opts.User))
			if r.Status != rule.StatusWaived {
				return &rule.Violation{Rule: rule.ContainerNonRootUser, Reason: "exec as root (" + opts.User + ")",
					Detail: "ExecOptions.User=" + opts.User, Fix: "run the command as a non-root user, or launch the container with Waive(\"" + string(rule.ContainerNonRootUser) + "\", reason)."}
			}
		}
	}
	return nil
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

func (w *capped) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (w *capped) String() string { return w.buf.String() }

// LogOptions selects what LogsWith copies.
type LogOptions struct {
	// Follow streams new output until the container stops or ctx ends.
	Follow bool
	// Tail, when positive, starts with the last Tail lines; 0 means all.
	Tail int
	// Since and Until, when set, keep only the output between them.
	Since, Until time.Time
	// Timestamps prefixes every line with its RFC 3339 time.
	Timestamps bool
}

// LogsWith copies the container's output to stdout and stderr (nil
// discards), as opts selects. Logs(ctx, out, err, follow) is the short form.
func (c *Container) LogsWith(ctx context.Context, stdout, stderr io.Writer, opts LogOptions) error {
	if opts.Tail < 0 {
		return fmt.Errorf("logs of %s: tail %d: want 0 (all) or more", c.Name, opts.Tail)
	}
	o := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Timestamps: opts.Timestamps}
	if opts.Tail > 0 {
		o.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		o.Since = strconv.FormatFloat(float64(opts.Since.UnixNano())/1e9, 'f', 9, 64)
	}
	if !opts.Until.IsZero() {
		o.Until = strconv.FormatFloat(float64(opts.Until.UnixNano())/1e9, 'f', 9, 64)
	}
	rc, err := c.cli.ContainerLogs(ctx, c.ID, o)
	if err != nil {
		return fmt.Errorf("logs of %s: %w", c.Name, err)
	}
	return copyLogs(c.Name, rc, stdout, stderr)
}

// Restart stops the container (killing it after timeout; a negative
// timeout means the container's stop timeout, WithStopTimeout, or the
// daemon's 10 s) and starts it again.
func (c *Container) Restart(ctx context.Context, timeout time.Duration) error {
	o := client.ContainerRestartOptions{}
	if timeout >= 0 {
		secs := int(timeout.Seconds())
		o.Timeout = &secs
	}
	if _, err := c.cli.ContainerRestart(ctx, c.ID, o); err != nil {
		return fmt.Errorf("restarting %s: %w", c.Name, err)
	}
	return nil
}
