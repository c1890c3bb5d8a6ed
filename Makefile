# safedock — make targets. `make test` is the README's test command and what CI runs.
GO ?= go
PKGS := ./...
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 20000x
# The second engine: Debian sid's docker.io, unpacked (not installed) by
# scripts/modern-engine; its long-lived dockerd listens on MODERN_HOST.
ENGINE_PREFIX ?= /var/cache/safedock/engine-modern
MODERN_HOST ?= unix:///run/safedock-modern/docker.sock
# Tests that the second engine does not run yet, and why (none today: the
# daemon.json corpus is judged per engine version since issue 13).
MODERN_SKIP ?=
# The daemon.json corpus (every file booted on the engine, its verdict
# against the validator's) runs as a step of its own in each engine's pass,
# so that its agreement per engine is printed.
CORPUS := ^TestCorpusAgainstDockerd$$

.PHONY: test unit lint fuzz bench docs audit docker modern-engine podman test-modern corpus

docker:
	bash scripts/ensure-docker

modern-engine:
	SAFEDOCK_ENGINE_PREFIX=$(ENGINE_PREFIX) bash scripts/modern-engine start >/dev/null

# Podman 4.3's Docker-compatible API, for the tests that must hold on Podman
# too (dockertest.Podman finds it at /run/safedock-podman/podman.sock).
podman:
	bash scripts/podman-engine start >/dev/null

## test: install/start Docker (20.10), a current engine and Podman if needed, then gofmt, vet, race
## tests on 20.10 (the Podman tests on Podman), the whole suite again on the current engine, and a
## short fuzz pass.
test: docker modern-engine podman
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	@echo "== engine: $$(docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}')"
	$(GO) test -race -count=1 -timeout 20m -skip '$(CORPUS)' $(PKGS)
	$(MAKE) corpus
	cd kube && $(GO) test -race -count=1 ./...
	cd tctest && $(GO) test -race -count=1 ./...
	$(MAKE) test-modern
	$(MAKE) fuzz

## test-modern: every package's tests against the current engine (its long-lived daemon, and its
## dockerd for throwaway daemons); MODERN_SKIP names what it does not run yet.
test-modern: modern-engine
	@echo "== engine: $$(DOCKER_HOST=$(MODERN_HOST) docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}')$(if $(MODERN_SKIP), (skipping $(MODERN_SKIP)))"
	DOCKER_HOST=$(MODERN_HOST) SAFEDOCK_ENGINE_PREFIX=$(ENGINE_PREFIX) $(GO) test -count=1 -timeout 20m -skip '$(CORPUS)$(if $(MODERN_SKIP),|$(MODERN_SKIP))' $(PKGS)
	DOCKER_HOST=$(MODERN_HOST) SAFEDOCK_ENGINE_PREFIX=$(ENGINE_PREFIX) $(MAKE) corpus
	cd tctest && DOCKER_HOST=$(MODERN_HOST) $(GO) test -count=1 ./...

## corpus: boot every daemon.json of daemonconf/testdata/corpus on the engine throwaway daemons run
## (SAFEDOCK_ENGINE_PREFIX), and print how many of dockerd's verdicts the validator agrees with.
corpus:
	@log=$$(mktemp); $(GO) test -count=1 -timeout 15m -run '$(CORPUS)' -v ./daemonconf/ >$$log 2>&1; s=$$?; \
	grep -E 'corpus_test.go:[0-9]+: (engine |DISAGREE)' $$log | sed 's/^ *corpus_test.go:[0-9]*: /== corpus: /'; \
	if [ $$s -ne 0 ]; then tail -n 80 $$log; fi; rm -f $$log; exit $$s

## unit: the tests that need no daemon (integration tests skip).
unit:
	SAFEDOCK_REQUIRE_DOCKER= DOCKER_HOST=unix:///nonexistent $(GO) test -count=1 $(PKGS)

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

## fuzz: a short run of every fuzz target (FUZZTIME each: a count of executions, "Nx", or a duration).
fuzz:
	bash scripts/fuzz-all $(FUZZTIME)

bench: docker
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

docs:
	$(GO) generate $(PKGS)

## audit: the main job — audit the whole local Docker host (exit 1 = findings, shown above, is success here).
audit: docker
	$(GO) run ./cmd/safedock audit --all || [ $$? -eq 1 ]
