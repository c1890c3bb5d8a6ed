# safedock — make targets. `make test` is the README's test command and what CI runs.
GO ?= go
PKGS := ./...
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 50000x
# The second engine: Debian sid's docker.io, unpacked (not installed) by
# scripts/modern-engine; its long-lived dockerd listens on MODERN_HOST.
ENGINE_PREFIX ?= /var/cache/safedock/engine-modern
MODERN_HOST ?= unix:///run/safedock-modern/docker.sock
# Tests that the second engine does not run yet, and why (none today: the
# daemon.json corpus is judged per engine version since issue 13).
MODERN_SKIP ?=

.PHONY: test unit lint fuzz bench docs audit docker modern-engine test-modern

docker:
	bash scripts/ensure-docker

modern-engine:
	SAFEDOCK_ENGINE_PREFIX=$(ENGINE_PREFIX) bash scripts/modern-engine start >/dev/null

## test: install/start Docker (20.10) and a current engine if needed, then gofmt, vet, race tests on
## 20.10, the whole suite again on the current engine, and a short fuzz pass.
test: docker modern-engine
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	@echo "== engine: $$(docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}')"
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	cd kube && $(GO) test -race -count=1 ./...
	cd tctest && $(GO) test -race -count=1 ./...
	$(MAKE) test-modern
	$(MAKE) fuzz

## test-modern: every package's tests against the current engine (its long-lived daemon, and its
## dockerd for throwaway daemons); MODERN_SKIP names what it does not run yet.
test-modern: modern-engine
	@echo "== engine: $$(DOCKER_HOST=$(MODERN_HOST) docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}') (skipping $(MODERN_SKIP))"
	DOCKER_HOST=$(MODERN_HOST) SAFEDOCK_ENGINE_PREFIX=$(ENGINE_PREFIX) $(GO) test -count=1 -timeout 20m -skip '$(MODERN_SKIP)' $(PKGS)
	cd tctest && DOCKER_HOST=$(MODERN_HOST) $(GO) test -count=1 ./...

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
