package suite

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/chconform/chconform/harness"
)

func TestByMethodMovesTheInputWhereClientsPutIt(t *testing.T) {
	toGet := byMethod(harness.Call{Method: "", Body: map[string]any{"user_id": 1234.0, "club_id": nil}}, "GET")
	if toGet.Method != "GET" || toGet.Body != nil || toGet.Query.Get("user_id") != "1234" || toGet.Query.Has("club_id") {
		t.Errorf("POST body to GET query: %+v", toGet)
	}
	toPost := byMethod(harness.Call{Query: url.Values{"is_testflight": {"1"}, "in_onboarding": {"true"}, "q": {"x"}}}, "POST")
	want := map[string]any{"is_testflight": 1.0, "in_onboarding": true, "q": "x"}
	if toPost.Method != "POST" || toPost.Query != nil || !reflect.DeepEqual(toPost.Body, want) {
		t.Errorf("GET query to POST body: %+v", toPost)
	}
}

func TestRequestedPageReadsQueryOrBody(t *testing.T) {
	cases := []struct {
		ex         harness.Exchange
		page, size int
	}{
		{harness.Exchange{Request: harness.Request{URL: "http://x/api/get_events?page=2&page_size=25"}}, 2, 25},
		{harness.Exchange{Request: harness.Request{URL: "http://x/api/get_following", Body: []byte(`{"page":3,"page_size":50}`)}}, 3, 50},
		{harness.Exchange{Request: harness.Request{URL: "http://x/api/get_channels"}}, 0, 0},
	}
	for _, c := range cases {
		ex := c.ex
		if page, size := requestedPage(&ex); page != c.page || size != c.size {
			t.Errorf("%s %s: got page %d size %d, want %d %d", ex.Request.URL, ex.Request.Body, page, size, c.page, c.size)
		}
	}
}

func TestAtPageKeepsTheOtherParameters(t *testing.T) {
	call := harness.Call{Query: url.Values{"topic_id": {"140"}, "page": {"1"}}}
	got := atPage(call, 3, 1)
	if got.Query.Get("topic_id") != "140" || got.Query.Get("page") != "3" || got.Query.Get("page_size") != "1" || call.Query.Get("page") != "1" {
		t.Errorf("atPage: %v (original now %v)", got.Query, call.Query)
	}
}
