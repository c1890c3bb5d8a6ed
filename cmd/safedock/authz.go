package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/authz"
)

func init() {
	register(command{
		name:    "authz",
		summary: "run safedock as a Docker authorization plugin (authz serve|install)",
		run:     runAuthz,
	})
}

const authzUsage = `usage:
  safedock authz serve   [--socket PATH] [--waivers FILE] [--mode enforce|warn] [--log FILE|-]
                         [--docker-host URL | --no-facts]
  safedock authz install [--socket PATH] [--dir DIR] [--binary PATH] [--waivers FILE] [--log FILE]

serve answers dockerd's authorization requests on a unix socket until
SIGINT/SIGTERM (SIGHUP reloads the waiver file): every container create, update, exec, service, volume,
build and plugin install is judged with safedock's container rules; a
request it cannot judge is denied. warn mode allows and logs instead.
install writes /etc/docker/plugins/safedock.spec and a systemd unit under
--dir (default /); then add "authorization-plugins": ["safedock"] to
daemon.json. docs/authz.md has the break-glass procedure.`

func runAuthz(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, authzUsage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return authzServe(ctx, e, args[1:])
	case "install":
		return authzInstall(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "safedock authz: unknown subcommand %q\n\n%s\n", args[0], authzUsage)
	return exitUsage
}

func authzServe(ctx context.Context, e *env, args []string) int {
	fset := newFlagSet("safedock authz serve", nil)
	fset.SetOutput(e.stderr)
	socket := fset.String("socket", authz.DefaultSocket, "unix socket to listen on")
	waivers := fset.String("waivers", "", "approved waiver file (YAML)")
	mode := fset.String("mode", "enforce", "enforce (deny) or warn (allow and log)")
	logPath := fset.String("log", "-", "decision log: a file (appended) or - for stdout")
	host := fset.String("docker-host", "", "daemon to read image and network facts from (default DOCKER_HOST, else unix:///var/run/docker.sock)")
	noFacts := fset.Bool("no-facts", false, "do not read facts from the daemon (creates then need an explicit user; named networks are denied)")
	if err := fset.Parse(args); err != nil {
		return exitUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintln(e.stderr, authzUsage)
		return exitUsage
	}
	m, err := authz.ParseMode(*mode)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock authz serve:", err)
		return exitUsage
	}
	opts := []authz.Option{authz.WithMode(m)}
	if *waivers != "" {
		w, err := authz.NewReloadableWaivers(*waivers, waiverCatalog())
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock authz serve:", err)
			return exitError
		}
		opts = append(opts, authz.WithWaivers(w))
		// SIGHUP reads the waiver file again without a restart, during
		// which dockerd would refuse every request.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					if err := w.Reload(); err != nil {
						fmt.Fprintln(e.stderr, "safedock authz serve: reloading waivers (the previous ones stay in force):", err)
					} else {
						fmt.Fprintln(e.stderr, "safedock authz serve: waivers reloaded from", *waivers)
					}
				}
			}
		}()
	}
	if !*noFacts {
		h := *host
		if h == "" {
			h = e.getenv("DOCKER_HOST")
		}
		if h == "" {
			h = "unix:///var/run/docker.sock"
		}
		cli, err := client.New(client.WithHost(h))
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock authz serve: connecting to the Docker daemon:", err)
			return exitError
		}
		defer cli.Close()
		f, err := authz.NewDockerFacts(cli)
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock authz serve:", err)
			return exitError
		}
		opts = append(opts, authz.WithFacts(f, 5*time.Second))
	}
	p, err := authz.NewPolicy(opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock authz serve:", err)
		return exitError
	}
	var w io.Writer = e.stdout
	if *logPath != "-" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock authz serve: opening decision log:", err)
			return exitError
		}
		defer f.Close()
		w = f
	}
	srv, err := authz.NewServer(p, authz.NewDecisionLog(w), func(err error) { fmt.Fprintln(e.stderr, "safedock authz serve:", err) })
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock authz serve:", err)
		return exitError
	}
	l, err := authz.Listen(*socket)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock authz serve:", err)
		return exitError
	}
	fmt.Fprintf(e.stderr, "safedock authz: serving on %s (mode %s)\n", *socket, m)
	if err := srv.Serve(ctx, l); err != nil {
		fmt.Fprintln(e.stderr, "safedock authz serve:", err)
		return exitError
	}
	return exitOK
}

func authzInstall(e *env, args []string) int {
	fset := newFlagSet("safedock authz install", nil)
	fset.SetOutput(e.stderr)
	socket := fset.String("socket", authz.DefaultSocket, "unix socket the plugin listens on")
	dir := fset.String("dir", "/", "root directory to install under")
	binary := fset.String("binary", "", "safedock executable the unit runs (default: this one)")
	waivers := fset.String("waivers", "", "waiver file the unit passes to serve")
	logPath := fset.String("log", "", "decision log file the unit passes to serve (default: the journal)")
	if err := fset.Parse(args); err != nil {
		return exitUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintln(e.stderr, authzUsage)
		return exitUsage
	}
	bin := *binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock authz install: finding this executable:", err)
			return exitError
		}
		bin = exe
	}
	if !filepath.IsAbs(bin) {
		fmt.Fprintln(e.stderr, "safedock authz install: --binary must be an absolute path")
		return exitUsage
	}
	var serveArgs []string
	if *waivers != "" {
		serveArgs = append(serveArgs, "--waivers", *waivers)
	}
	if *logPath != "" {
		serveArgs = append(serveArgs, "--log", *logPath)
	}
	got, err := authz.Install(authz.InstallOptions{Root: *dir, Socket: *socket, Binary: bin, ServeArgs: serveArgs})
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock:", err)
		return exitError
	}
	fmt.Fprintf(e.stdout, "wrote %s\nwrote %s\nnext: systemctl daemon-reload && systemctl enable --now safedock-authz, then add \"authorization-plugins\": [%q] to daemon.json and restart docker\n",
		filepath.Join(*dir, got.Spec), filepath.Join(*dir, got.Unit), authz.PluginName)
	return exitOK
}
