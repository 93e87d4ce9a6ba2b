package suite

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// ExitConfigError is the exit status of a run that could not start.
const ExitConfigError = 2

// Prepare is the first line of each suite's Test function, before
// RunSpecs: it refuses a broken configuration before any request (naming the
// variable, exit 2), a target that refuses connections ("target
// unreachable", exit 2) or selected specs that need a token the run was not
// given (CheckCredentials, exit 2), and wires Gomega and the run's report
// entry.
func Prepare() {
	e, err := Check()
	if err == nil {
		err = checkSelectedCredentials(e)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "chconform: %v\n", err)
		os.Exit(ExitConfigError)
	}
	Wire()
}

// checkSelectedCredentials is CheckCredentials for a suite run by `go test`
// or the Ginkgo CLI: the preview uses the filters of the command line.
func checkSelectedCredentials(e *Env) error {
	cfg, _ := ginkgo.GinkgoConfiguration()
	if cfg.DryRun {
		return nil // a dry run sends nothing and lists what would run
	}
	return CheckCredentials(e, func() ginkgo.Report { return ginkgo.PreviewSpecs("chconform") })
}

// Check loads the run's configuration, contract, profile and fixtures, and
// checks that a base URL accepts connections: a target that refuses them
// stops the run with one line, not one identical failure per spec.
func Check() (*Env, error) {
	e, err := Load()
	if err != nil {
		return nil, err
	}
	if e.Config.BaseURL != nil && inProcess == nil {
		ctx, cancel := context.WithTimeout(context.Background(), e.Config.Timeout)
		defer cancel()
		if err := harness.CheckReachable(ctx, e.Config.BaseURL, e.Config.Timeout); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Wire registers what every run needs before RunSpecs, once Check has
// passed: failure messages go through the run's redactor and are made safe
// for a CI log (fail.go: a target may quote the configured token back in
// any shape, or write workflow commands), and the run is described and its
// run log closed around the specs.
func Wire() {
	gomega.RegisterFailHandler(Fail)
	// The skips of CH_SKIPS join those declared in code (SetSkips): a
	// `chconform run` in CI declares its known failures there. Check has
	// loaded the configuration already (a broken CH_SKIPS stopped it).
	if e, err := Load(); err == nil {
		for _, s := range e.Config.Skips {
			declared = append(declared, report.Skip{Match: s.Match, Reason: s.Reason})
		}
	}
	if len(declared) > 0 {
		ginkgo.BeforeEach(skipDeclared)
	}
	ginkgo.BeforeSuite(recordRun)
	ginkgo.AfterSuite(closeTape)
}

// closeTape finishes the process's run log (record mode), so the HAR file is
// whole once the suite is over.
func closeTape() {
	if e := MustLoad(); e.Tape != nil {
		if err := e.Tape.Close(); err != nil {
			ginkgo.Fail(report.HarnessErrorPrefix + " closing the run log (CH_RECORD): " + err.Error())
		}
	}
}

// recordRun describes the run in the report once per process.
func recordRun() {
	e := MustLoad()
	run := report.RunEntry{
		Mode:     e.Config.Mode(),
		Profile:  e.Profile.Name,
		SpecPath: e.Spec.Path,
		SpecSHA:  e.Spec.SHA256,
		Config:   e.Config.Redacted(),
	}
	// The seed the generation phase used, set or drawn: replay and a run
	// made again with it send the same requests.
	run.Config["CH_EXPLORE_SEED"] = strconv.FormatInt(ExploreSeed(e), 10)
	if e.Config.BaseURL != nil {
		run.BaseURL = e.Config.Redacted()["CH_BASE_URL"]
	}
	run.Operations = report.OperationInfos(e.Spec)
	run.Floor = runFloor(e)
	run.Shard = shard
	run.Anonymous = e.Config.Anonymous
	run.Skips = declared
	if inProcess != nil {
		run.Mode = ModeHandler
	}
	ginkgo.AddReportEntry(report.EntryRun, run, ginkgo.ReportEntryVisibilityNever)
}

// shard is "I/N" when this process runs one part of a sharded run.
var shard string

// SetShard marks the process's run as the index-th of total parts; the
// runner calls it once, before Load and RunSpecs, and the run entry and the
// run log's name carry it.
func SetShard(index, total int) { shard = fmt.Sprintf("%d/%d", index, total) }

// runFloor is what the run must verify: the profile's coverage rule,
// CH_MIN_COVERAGE, and the documented responses no spec can exercise
// (ineligible.yaml), exempt from both.
func runFloor(e *Env) *report.Floor {
	f := &report.Floor{Min: e.Config.MinCoverage, Exempt: e.Exempt, MinResponse: e.Config.MinResponseCoverage}
	if e.Profile.Coverage != nil {
		f.Profile = e.Profile.Coverage.Require
		f.ProfileResponse = e.Profile.Coverage.Response
	}
	if e.Config.Anonymous {
		f.Mode = report.FloorAnonymous
	}
	return f
}

// Client returns a client for the running spec: it names the spec in every
// request and records every exchange into the spec's report.
func Client() *harness.Client {
	e := MustLoad()
	base, _ := url.Parse(e.BaseURL)
	name := ginkgo.CurrentSpecReport().FullText()
	return &harness.Client{
		// The client never follows a redirect: a 3xx is judged, not followed.
		HTTP:         &http.Client{Transport: e.Transport},
		Base:         base,
		Profile:      e.Profile,
		Timeout:      e.Config.Timeout,
		Recorder:     recorder{redact: e.Redactor, tape: e.Tape, spec: name},
		SpecName:     name,
		Limiter:      e.Limiter,
		Breaker:      e.Breaker,
		Deadline:     e.Deadline,
		MaxRetryWait: harness.DefaultMaxRetryWait,
	}
}

// Op returns the contract operation with the given id; an unknown id is a bug
// in the suite and fails loudly.
func Op(id string) *harness.Operation { return MustLoad().Spec.MustOperation(id) }

// Send sends a call for the running spec. A request no fixture answers makes
// the spec unsupported on the fixture target: not passed, not failed.
func Send(ctx context.Context, call harness.Call) *harness.Exchange {
	ginkgo.GinkgoHelper()
	return send(ctx, call, nil)
}

// send is Send; noFixture, when set, decides what a request no fixture
// answers means instead of the unsupported skip.
func send(ctx context.Context, call harness.Call, noFixture func(error)) *harness.Exchange {
	ginkgo.GinkgoHelper()
	RequireAllowed(call.Op)
	RequireCredentials(call)
	ex := Client().Do(ctx, call)
	if errors.Is(ex.Err, harness.ErrTargetDown) || errors.Is(ex.Err, harness.ErrRunTimeout) {
		Fail(report.HarnessErrorPrefix + " " + ex.Err.Error())
	}
	if errors.Is(ex.Err, harness.ErrNoFixture) && noFixture != nil {
		noFixture(ex.Err)
	}
	if errors.Is(ex.Err, harness.ErrNoFixture) {
		reason := ex.Err
		var urlErr *url.Error
		if errors.As(reason, &urlErr) {
			reason = urlErr.Err // the fixture error already names method and path
		}
		Skip(report.SkipUnsupported + reason.Error())
	}
	return ex
}

// SendDocumented sends the operation's documented request in state, or skips
// the spec as unsupported when the target's profile cannot reach the state.
func SendDocumented(ctx context.Context, op *harness.Operation, state string) *harness.Exchange {
	ginkgo.GinkgoHelper()
	return sendDocumented(ctx, op, state, nil)
}

func sendDocumented(ctx context.Context, op *harness.Operation, state string, noFixture func(error)) *harness.Exchange {
	ginkgo.GinkgoHelper()
	p := MustLoad().Profile
	call, err := op.DocumentedCall(p, state)
	if errors.Is(err, harness.ErrUnsupported) {
		Skip(report.SkipUnsupported + err.Error())
	}
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	// A write in the ordinary state goes to an account of its own where the
	// target can make one, so specs never see each other's changes.
	if op.Mutating() && op.Secured && call.Account == "" && p.Capability("signup") {
		RequireAllowed(op)
		call.As = FreshAccount(ctx)
	}
	return send(ctx, call, noFixture)
}

// RequireAllowed disables a spec that would change a live target's state or
// send an SMS, unless the configuration allows it. The fixtures, and a
// loopback target whose profile declares `mutations` (an emulator), run
// everything (harness.LiftsGuards); any other target needs
// CH_ALLOW_MUTATIONS=true for an operation that changes state, and
// CH_ALLOW_SMS=true for one that texts or calls a phone (the phone-auth
// flow, invite_to_app); CH_ALLOW_MUTATIONS alone does not enable those.
func RequireAllowed(op *harness.Operation) {
	ginkgo.GinkgoHelper()
	e := MustLoad()
	if reason := disabledReason(e, op); reason != "" {
		Skip(report.SkipDisabled + reason)
	}
}

// disabledReason says why the configuration keeps op from being sent, or "".
func disabledReason(e *Env, op *harness.Operation) string {
	if op == nil || harness.LiftsGuards(e.Config, e.Profile) {
		return ""
	}
	against := e.Profile.Name
	if e.Profile.Capability("mutations") {
		against += " (a profile's mutations capability counts only for a loopback target)"
	}
	if op.SendsSMS() || op.PhoneAuth() {
		if !e.Config.AllowSMS {
			what := "is part of the phone-auth flow, which texts or calls a real phone"
			if op.SendsSMS() {
				what = "texts or calls a real phone number"
			}
			return fmt.Sprintf("%s %s; set CH_ALLOW_SMS=true to run it against %s", op.ID, what, against)
		}
		if op.PhoneAuth() {
			return "" // the sign-in flow needs CH_ALLOW_SMS only
		}
	}
	if op.Mutating() && !e.Config.AllowMutations {
		return fmt.Sprintf("%s changes server state; set CH_ALLOW_MUTATIONS=true to run it against %s", op.ID, against)
	}
	return ""
}

// RequireCredentials makes a spec unsupported when its call authenticates as
// the profile's default account on an operation that needs a token, and the
// run has none (no CH_AUTH_TOKEN, or an anonymous run): "unsupported:
// CH_AUTH_TOKEN is not set".
func RequireCredentials(call harness.Call) {
	ginkgo.GinkgoHelper()
	if usesDefaultToken(call) {
		requireDefaultToken(MustLoad(), call.Op.ID)
	}
}

func missingCredentials(e *Env, call harness.Call) string {
	if !usesDefaultToken(call) {
		return ""
	}
	return defaultTokenMissing(e, call.Op.ID)
}

// RequireCapability makes the spec unsupported when the target's profile
// lacks the capability.
func RequireCapability(name string) {
	ginkgo.GinkgoHelper()
	if p := MustLoad().Profile; !p.Capability(name) {
		Skip(fmt.Sprintf("%sprofile %s lacks the capability %s", report.SkipUnsupported, p.Name, name))
	}
}

// LabelsFor returns the labels of a spec exercising ops: its group, one op label per
// operation, and "mutating" when any of them changes state.
func LabelsFor(ops ...*harness.Operation) ginkgo.Labels {
	var out ginkgo.Labels
	groups := map[string]bool{}
	mutating := false
	for _, op := range ops {
		if !groups[op.Group] {
			groups[op.Group] = true
			out = append(out, report.LabelGroup+op.Group)
		}
		out = append(out, report.LabelOp+op.ID)
		mutating = mutating || op.Mutating()
	}
	if mutating {
		out = append(out, report.LabelMutating)
	}
	sort.Strings(out)
	return out
}

// SpecName is the checklist sentence for a documented response.
func SpecName(op *harness.Operation, status int, ex harness.Example) string {
	parts := []string{op.String()}
	if phrase := harness.StatePhrase(ex.State); phrase != "" {
		parts = append(parts, phrase)
	}
	if ex.State != "" || status >= 400 {
		parts = append(parts, fmt.Sprintf("returns %d with the documented %s body", status, ex.Name))
	} else {
		parts = append(parts, fmt.Sprintf("returns %d with a body that conforms to the contract (%s)", status, ex.Name))
	}
	return strings.Join(parts, " ")
}

// ConformToSpec is harness.ConformToSpec in the run's strictness (CH_STRICT).
func ConformToSpec() types.GomegaMatcher {
	return harness.ConformToSpec(harness.Strict(MustLoad().Config.Strict))
}
