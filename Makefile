# chconform: the two commands a newcomer needs are `make conformance` (the
# suites against the configured target, the embedded fixtures by default) and
# `make test` (everything that proves the suite itself works).

GO            ?= go
GINKGO        := $(GO) tool ginkgo
CH_REPORT_DIR ?= reports/latest
# FILTER narrows a run by label: FILTER=group:auth, FILTER='op:join_channel',
# FILTER='!mutating'.
FILTER        ?=
GINKGO_FLAGS  ?=

export CH_REPORT_DIR

.PHONY: all test conformance lint lint-go lint-contract fixtures vet

all: lint test conformance

## test: vet, unit tests, the contract tests and every suite in fixture mode
test: vet
	$(GO) test -count=1 ./...

vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## conformance: every suite against the target; reports in $(CH_REPORT_DIR); exit 0 pass, 1 fail, 2 error
conformance:
	@rm -rf "$(CH_REPORT_DIR)" && mkdir -p "$(CH_REPORT_DIR)"
	@$(GINKGO) -r --keep-going --randomize-all $(GINKGO_FLAGS) \
	  $(if $(FILTER),--label-filter='$(FILTER)') \
	  --json-report=ginkgo.json --junit-report=junit.xml --output-dir="$(CH_REPORT_DIR)" \
	  ./suites/... ; status=$$?; \
	  $(GO) run ./cmd/chreport summary; code=$$?; \
	  if [ $$code -eq 0 ] && [ $$status -ne 0 ]; then echo "ginkgo exited $$status although no spec failed"; exit 2; fi; \
	  exit $$code

## lint: Go formatting and vet, then the contract through kin-openapi, Spectral and Redocly
lint: vet lint-contract

lint-contract:
	$(GO) test -count=1 -skip TestCorruptedFixturesFailTheRun .
	bash scripts/lint-contract.sh

## fixtures: write a fixture for every documented example that has none
fixtures:
	$(GO) run ./cmd/chfixtures -dir fixtures
