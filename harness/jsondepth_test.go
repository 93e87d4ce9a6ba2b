package harness

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestCheckJSONDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	cases := []struct {
		name string
		body string
		ok   bool
	}{
		{"empty", "", true},
		{"flat object", `{"a":1,"b":[1,2,3]}`, true},
		{"at the limit", nest(MaxJSONDepth), true},
		{"one past the limit", nest(MaxJSONDepth + 1), false},
		{"objects past the limit", strings.Repeat(`{"a":`, MaxJSONDepth+1), false},
		{"brackets inside strings do not count", `{"a":"` + strings.Repeat("[", 10000) + `"}`, true},
		{"escaped quotes keep the string open", `["\"` + strings.Repeat("{", 10000) + `"]`, true},
		{"escaped backslash closes the string", `["\\"` + strings.Repeat("[", MaxJSONDepth+1), false},
		{"unbalanced closers do not go negative", strings.Repeat("]", 100) + nest(MaxJSONDepth), true},
		{"not JSON", "<html>" + strings.Repeat("[", 10) + "</html>", true},
		{"8 MiB of [", strings.Repeat("[", 8<<20), false},
	}
	for _, c := range cases {
		err := CheckJSONDepth([]byte(c.body), MaxJSONDepth)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && !errors.Is(err, ErrJSONTooDeep) {
			t.Errorf("%s: %v does not wrap ErrJSONTooDeep", c.name, err)
		}
	}
}

// The exchange of a too-deep body fails response_received with a clear
// finding, keeps only a short prefix for the transcript, and no matcher that
// recurses (gjson) can reach the rest.
func TestTooDeepBodyFailsResponseReceivedAndReachesNoMatcher(t *testing.T) {
	deep := []byte(strings.Repeat("[", 8<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(deep)
	}))
	defer srv.Close()
	client, _ := testClient(t, srv.URL, hostileTimeout)
	ex := client.Do(context.Background(), profileCall(t))
	if !errors.Is(ex.Err, ErrJSONTooDeep) || ex.Response == nil || len(ex.Response.Body) > deepBodyKeep || !ex.Response.Truncated {
		t.Fatalf("err %v, response %v", ex.Err, ex.Response != nil)
	}
	r := resultOf(Verify(ex, StandardChecks(false)...), CheckResponseReceived)
	if r.Status != CheckFailed || !strings.Contains(firstFinding(r), "nests JSON too deep") {
		t.Errorf("%+v", r)
	}
	g := NewWithT(t)
	_, err := HaveJSON("a").Match(ex)
	g.Expect(err).To(MatchError(ContainSubstring("too deep")))

	// An exchange that did not come through the client (a capture) is
	// judged the same by Verify, and HaveJSON refuses it without recursing.
	raw := &Exchange{Op: ex.Op, Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: deep}}
	if _, err := HaveJSON("a").Match(&Exchange{Op: ex.Op, Response: &Response{Status: 200, Body: deep}}); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("HaveJSON on a deep body: %v", err)
	}
	r = resultOf(Verify(raw, StandardChecks(false)...), CheckResponseReceived)
	if r.Status != CheckFailed || !strings.Contains(firstFinding(r), "nests JSON too deep") {
		t.Errorf("captured exchange: %+v", r)
	}
}
