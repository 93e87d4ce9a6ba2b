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

.PHONY: all test test-e2e conformance lint lint-go lint-contract fixtures vet

all: lint test test-e2e conformance

# make test proves the suite itself, offline: no CH_* setting of the shell
# may point it at a real target.
OFFLINE = env $(foreach v,$(filter CH_%,$(.VARIABLES)),-u $(v))

## test: vet, unit tests, the contract and coverage tests, every suite in fixture mode (about a minute warm)
test: vet
	$(OFFLINE) $(GO) test -short -count=1 ./...
	$(OFFLINE) $(GO) test -short -count=1 -race ./emulator/...

## test-e2e: everything test leaves out: whole runs of the built command against hostile, faulty, drifted and
## recorded targets, the regression gate, sharding, replay, the race detector on the harness, and the suite embedded
## in another module's go test (examples/embed: an in-process handler, a skip, a faulty handler) (CI runs both)
test-e2e: vet
	$(OFFLINE) $(GO) test -count=1 ./...
	$(OFFLINE) $(GO) test -count=1 -race ./emulator/... ./harness/
	cd examples/embed && $(GO) vet ./... && $(OFFLINE) $(GO) test -count=1 ./...

vet:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## conformance: `chconform run`, every spec against the target; reports in $(CH_REPORT_DIR) (exit 0 pass, 1 fail, 2 error; make reports any failure as 2, scripts/conformance.sh keeps them apart)
conformance:
	@FILTER='$(FILTER)' GINKGO_FLAGS='$(GINKGO_FLAGS)' bash scripts/conformance.sh

## lint: Go formatting and vet, then the contract through kin-openapi, Spectral and Redocly
lint: vet lint-contract

lint-contract:
	$(GO) test -count=1 -skip TestCorruptedFixturesFailTheRun .
	bash scripts/lint-contract.sh

## fixtures: write a fixture for every documented example that has none
fixtures:
	$(GO) tool chconform fixtures -dir fixtures

## Reports, regression gate and contract diff (issue 5). KIND picks the
## baseline: fixtures (default) or emulator. Call the scripts directly where
## exit 1 (regression, breaking change) must be told from 2 (could not run).
KIND ?= fixtures
REF  ?= HEAD

.PHONY: regressions baseline spec-diff report-screenshot

## regressions: run the suites against KIND and diff with reports/baseline/KIND (exit 1 on a regression)
regressions:
	@bash scripts/regressions.sh $(KIND)

## baseline: deliberately rewrite reports/baseline/KIND/summary.json from a fresh run
baseline:
	@bash scripts/baseline.sh $(KIND)

## spec-diff: the working api.yaml against REF:api.yaml with oasdiff (exit 1 on a breaking change)
spec-diff:
	@bash scripts/spec-diff.sh $(REF)

## report-screenshot: render $(CH_REPORT_DIR)/report.html in headless Chromium into docs/report.png
report-screenshot:
	@bash scripts/screenshot-report.sh $(CH_REPORT_DIR)/report.html docs/report.png

## audit: judge captured traffic against the contract (FILES='a.har b.json'; reports in $(CH_REPORT_DIR))
.PHONY: audit audit-realdata suggest-realdata
FILES ?=
audit:
	$(GO) tool chconform audit $(FILES)

## audit-realdata: audit the real captures of ../shared/realdata (skipped with a message where absent)
audit-realdata:
	@bash scripts/audit-realdata.sh

## suggest-realdata: the overlay audit --suggest writes for the real capture against api.yaml before its hand corrections, applied and re-audited (skipped where ../shared/realdata is absent)
suggest-realdata:
	@bash scripts/suggest-realdata.sh

## emulate: run the Clubhouse emulator on 127.0.0.1:8080 (API under /api)
.PHONY: emulate conformance-emulator
emulate:
	$(GO) tool chconform emulate -addr 127.0.0.1:8080 $(EMULATOR_FLAGS)

## conformance-emulator: build and start the emulator on a free port, run every suite against it, stop it
conformance-emulator:
	@FILTER='$(FILTER)' GINKGO_FLAGS='$(GINKGO_FLAGS)' bash scripts/conformance-emulator.sh

## Suite strength and speed (issue 7).
.PHONY: mutation mutation-sample bench bench-compare

## mutation: every mutant of the contract against the suites that exercise it; score and survivors in reports/mutation/
# MUTATION_FLAGS narrows a run: MUTATION_FLAGS='-ops get_topic -out /tmp/m'.
MUTATION_FLAGS ?=
mutation:
	$(GO) tool chconform mutate run -workers 2 -out reports/mutation $(MUTATION_FLAGS)

## mutation-sample: what CI runs on every push: 250 mutants drawn with a seed from HEAD (exit 1 on a survivor or an errored mutant)
mutation-sample:
	bash scripts/mutation-sample.sh 250

## bench: the Go benchmarks (contract, validation, suite runs, emulator throughput); bench/RESULTS.md records them
bench:
	bash bench/run.sh

## bench-compare: chconform, Dredd and Prism on the same mutants, side by side (needs Node.js and npm)
bench-compare:
	bash bench/compare.sh
