package suite

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
)

// maxWalkPages bounds a pagination walk: enough to cross several pages,
// small enough that a target with thousands of items is not walked whole.
const maxWalkPages = 20

// NegativeProbes declares, for every operation of group with a request body,
// one spec per malformed request (bad JSON, a field of the wrong type, a
// required field missing): each must get a refusal the contract knows (a 4xx
// in one of its refusal envelopes), never a 2xx or a 5xx. Most operations do
// not document the 400 the real server refuses such input with (ground
// truth §2.2): that gap of the contract is one provisional spec per
// operation, listed apart, never the target's failure.
func NegativeProbes(group string) {
	var entries []ginkgo.TableEntry
	for _, op := range mustSpec().Group(group) {
		cases := harness.MalformedRequests(op)
		for _, c := range cases {
			name := fmt.Sprintf("%s with %s gets a 4xx, never a 2xx or a 5xx", op, c.Name)
			entries = append(entries, ginkgo.Entry(name, malformedLabels(op), op, c))
		}
		if len(cases) > 0 {
			undocumentedRefusals(op, cases)
		}
	}
	if len(entries) == 0 {
		return
	}
	ginkgo.DescribeTable("malformed requests", func(ctx ginkgo.SpecContext, op *harness.Operation, c harness.MalformedCase) {
		gomega.Expect(sendMalformed(ctx, op, c, malformedSender(ctx, op))).To(harness.RejectMalformedInput())
	}, entries)
}

// undocumentedRefusals declares the provisional spec of op's malformed
// requests: every refusal comes with a status op documents.
func undocumentedRefusals(op *harness.Operation, cases []harness.MalformedCase) {
	ProvisionalIt(fmt.Sprintf("%s documents the status it refuses malformed requests with", op), malformedLabels(op), func(ctx ginkgo.SpecContext) {
		var undocumented []string
		refused := 0
		as := malformedSender(ctx, op)
		for _, c := range cases {
			ex := sendMalformed(ctx, op, c, as)
			if ex.Response == nil || ex.Response.Status/100 != 4 {
				continue // no refusal: its own spec fails it
			}
			refused++
			if why := harness.UndocumentedRefusal(ex); why != "" {
				undocumented = append(undocumented, c.Name+": "+why)
			}
		}
		gomega.Expect(refused).To(gomega.BeNumerically(">", 0), "no malformed request was refused: no status to judge")
		gomega.Expect(len(undocumented)).To(gomega.BeZero(), "%d of %d refusals with a status the contract does not document: %s",
			len(undocumented), refused, strings.Join(undocumented, "; "))
	})
}

// malformedLabels are the labels of a malformed-request spec of op: it
// writes as a fresh account where op changes state, else as the default one.
func malformedLabels(op *harness.Operation) ginkgo.Labels {
	labels := LabelsFor(op)
	if op.Mutating() && op.Secured {
		return append(labels, WriterNeedsToken(op)...)
	}
	return append(labels, NeedsToken(op)...)
}

// malformedSender is the account a malformed request to op goes as: a
// writer where op changes state (disabled before one is signed up where the
// configuration keeps op from being sent), nil for the call's default.
func malformedSender(ctx context.Context, op *harness.Operation) *harness.Account {
	ginkgo.GinkgoHelper()
	if !op.Mutating() || !op.Secured {
		return nil
	}
	RequireAllowed(op)
	return WriterAccount(ctx)
}

func sendMalformed(ctx context.Context, op *harness.Operation, c harness.MalformedCase, as *harness.Account) *harness.Exchange {
	ginkgo.GinkgoHelper()
	return Send(ctx, harness.Call{Op: op, Body: c.Body, RawBody: c.RawBody, As: as})
}

// MethodProbes declares, for every operation of group that the contract says
// also answers another method (x-alternate-methods), a spec sending the same
// input by both methods: the answers must be the same. When both were
// refused the spec is unsupported: it judged their conformance, and nothing
// about equivalence.
func MethodProbes(group string) {
	var entries []ginkgo.TableEntry
	for _, op := range mustSpec().Group(group) {
		for _, m := range op.AlternateMethods() {
			name := fmt.Sprintf("%s answers the same input by %s as by %s", op, m, op.Method)
			entries = append(entries, ginkgo.Entry(name, LabelsFor(op), tokenLabel(documentedNeedsToken(MustLoad(), op, "")), op, m))
		}
	}
	if len(entries) == 0 {
		return
	}
	ginkgo.DescribeTable("method equivalence", func(ctx ginkgo.SpecContext, op *harness.Operation, method string) {
		call, err := op.DocumentedCall(MustLoad().Profile, "")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		alternate, documented := sameInputBothWays(ctx, call, byMethod(call, method))
		gomega.Expect(documented).To(ConformToSpec())
		gomega.Expect(alternate).To(ConformToSpec())
		if refused := harness.AllRefused(documented, alternate); refused != "" {
			Skip(report.SkipUnsupported + "every method was refused (" + refused + "): the same refusal shows nothing about " +
				"what the methods answer; the profile's account must be one the target answers")
		}
		gomega.Expect(alternate).To(harness.AnswerTheSameAs(documented))
	}, entries)
}

// equivalenceAttempts bounds how often a comparison is retried while the
// target's data keeps changing under it.
const equivalenceAttempts = 3

// sameInputBothWays asks documented, then alternate, then documented again,
// and returns the alternate answer with the documented answer it should be
// compared with. Other specs may change shared data (the rooms of
// get_channels) between two requests; when the two documented answers
// differ, the alternate one is compared with whichever it matches, and the
// round is retried when it matches neither: only a difference seen while the
// data held still is the target's fault.
func sameInputBothWays(ctx context.Context, documented, alternate harness.Call) (alt, doc *harness.Exchange) {
	ginkgo.GinkgoHelper()
	for attempt := 1; ; attempt++ {
		before := Send(ctx, documented)
		alt = Send(ctx, alternate)
		if before.Response == nil || alt.Response == nil {
			return alt, before // judged as they are: no response fails the spec
		}
		after := Send(ctx, documented)
		switch {
		case sameAnswer(alt, before):
			return alt, before
		case sameAnswer(alt, after):
			return alt, after
		case sameAnswer(before, after), attempt == equivalenceAttempts:
			return alt, before
		}
	}
}

func sameAnswer(a, b *harness.Exchange) bool {
	if a == nil || b == nil || a.Response == nil || b.Response == nil {
		return false
	}
	findings, skip := harness.MethodEquivalence(b).Run(a)
	return skip == "" && len(findings) == 0
}

// byMethod moves the call's input where clients put it for method: query
// parameters for GET, a JSON body for POST (ground truth §1.1).
func byMethod(call harness.Call, method string) harness.Call {
	call.Method = method
	if method == "GET" {
		q := url.Values{}
		for k, v := range call.Query {
			q[k] = v
		}
		if body, ok := call.Body.(map[string]any); ok {
			for k, v := range body {
				if v != nil {
					q.Set(k, fmt.Sprint(v))
				}
			}
		}
		call.Query, call.Body = q, nil
		return call
	}
	body := map[string]any{}
	if m, ok := call.Body.(map[string]any); ok {
		body = m
	}
	for k := range call.Query {
		v := call.Query.Get(k)
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			body[k] = n
		} else if b, err := strconv.ParseBool(v); err == nil {
			body[k] = b
		} else {
			body[k] = v
		}
	}
	call.Query, call.Body = nil, body
	return call
}

// PaginationWalks declares, for every operation of group with page and
// page_size query parameters, two walks through its pages: one item per page
// for the first pages (every page consistent with the one asked for, and a
// short list adding up to count), and ten per page to the last page, where a
// wrong count shows on lists longer than the first walk reaches.
func PaginationWalks(group string) {
	var entries []ginkgo.TableEntry
	for _, op := range mustSpec().Group(group) {
		if !op.QueryParameter("page_size") || !op.QueryParameter("page") {
			continue
		}
		for _, w := range walks {
			name := fmt.Sprintf("%s read %s per page %s", op, w.per, w.promise)
			entries = append(entries, ginkgo.Entry(name, LabelsFor(op), tokenLabel(documentedNeedsToken(MustLoad(), op, "")), op, w))
		}
	}
	if len(entries) == 0 {
		return
	}
	ginkgo.DescribeTable("pagination walks", func(ctx ginkgo.SpecContext, op *harness.Operation, w walk) {
		call, err := op.DocumentedCall(MustLoad().Profile, "")
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		for attempt := 1; attempt <= equivalenceAttempts; attempt++ {
			if walkPages(ctx, call, w, attempt == equivalenceAttempts) {
				return
			}
		}
	}, entries)
}

// walk is one way of reading a paginated list.
type walk struct {
	per      string
	size     int
	maxPages int
	// toTheEnd fails a walk that finds no last page within maxPages.
	toTheEnd bool
	promise  string
}

var walks = []walk{
	{per: "one item", size: 1, maxPages: 20, promise: "gives consistent pages that add up to count"},
	{per: "ten items", size: 10, maxPages: 100, toTheEnd: true, promise: "reaches a last page consistent with count"},
}

// walkPages walks the list and judges it. It gives up (false, nothing
// judged) when count changes during the walk, which means another spec
// changed the list under it; on the last attempt it judges anyway, since a
// list that never holds still is worth a failure.
func walkPages(ctx context.Context, call harness.Call, w walk, last bool) bool {
	ginkgo.GinkgoHelper()
	seen, count := 0, int64(-1)
	for page := 1; page <= w.maxPages; page++ {
		ex := Send(ctx, atPage(call, page, w.size))
		gomega.Expect(ex).To(ConformToSpec())
		body := gjson.ParseBytes(ex.Response.JSONText())
		if count >= 0 && body.Get("count").Int() != count && !last {
			return false
		}
		gomega.Expect(ex).To(harness.BePaginatedConsistently(page, w.size))
		count = body.Get("count").Int()
		seen += pageItems(body)
		if body.Get("next").Type == gjson.Null {
			if count == 0 && seen == 0 {
				// The walk would add up nothing to nothing.
				Skip(report.SkipUnsupported + "the list is empty on this target: no page to walk")
			}
			gomega.Expect(int64(seen)).To(gomega.Equal(count), "items over all %d pages against count", page)
			return true
		}
	}
	if w.toTheEnd {
		Fail(fmt.Sprintf("no last page after %d pages of %d items (count %d)", w.maxPages, w.size, count))
	}
	// Longer lists are checked as far as the walk went.
	gomega.Expect(int64(seen)).To(gomega.BeNumerically("<=", count))
	return true
}

func atPage(call harness.Call, page, size int) harness.Call {
	q := url.Values{}
	for k, v := range call.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(page))
	q.Set("page_size", strconv.Itoa(size))
	call.Query = q
	return call
}

// pageItems counts the items of a page the way pagination_conformance does.
func pageItems(body gjson.Result) int {
	n := 0
	for _, list := range []string{"users", "clubs", "events", "notifications", "channels"} {
		n += len(body.Get(list).Array())
	}
	return n
}

// requestedPage reads page and page_size from where the call put them.
func requestedPage(ex *harness.Exchange) (page, size int) {
	read := func(name string) int {
		if u, err := url.Parse(ex.Request.URL); err == nil {
			if v, err := strconv.Atoi(u.Query().Get(name)); err == nil {
				return v
			}
		}
		return int(gjson.GetBytes(ex.Request.Body, name).Int())
	}
	return read("page"), read("page_size")
}

// expectPaginated holds a 2xx answer of a paginated operation to the
// pagination rules; the check skips bodies without count.
func expectPaginated(_ context.Context, ex *harness.Exchange) {
	ginkgo.GinkgoHelper()
	if ex.Response == nil || ex.Response.Status/100 != 2 || !gjson.GetBytes(ex.Response.JSONText(), "count").Exists() {
		return // not a page: nothing for the pagination rules to judge
	}
	page, size := requestedPage(ex)
	gomega.Expect(ex).To(harness.BePaginatedConsistently(page, size))
}
