# safedock — make targets. `make test` is the README's test command and what CI runs.
GO ?= go
PKGS := ./...
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 50000x

.PHONY: test unit lint fuzz bench docs audit docker

docker:
	bash scripts/ensure-docker

## test: install/start Docker if needed, then lint-free build, vet, race tests and a short fuzz pass.
test: docker
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	cd kube && $(GO) test -race -count=1 ./...
	cd tctest && $(GO) test -race -count=1 ./...
	$(MAKE) fuzz

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
