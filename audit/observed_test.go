package audit

import (
	"fmt"
	"testing"

	"github.com/tidwall/gjson"
)

// Bodies with fresh keys every time (ids as keys) grow a shape to its bound
// and no further, and the types of the fields it knows still merge.
func TestAShapeStaysBounded(t *testing.T) {
	var s shape
	for i := range 5000 {
		s.add(gjson.Parse(fmt.Sprintf(`{"known":%d,"byid":{"%d":{"a":1,"b":[1]},"%d":null}}`, i, i, -i)))
	}
	s.add(gjson.Parse(`{"known":"text"}`))
	if s.nodes > maxShapeNodes {
		t.Fatalf("%d shape nodes, bound %d", s.nodes, maxShapeNodes)
	}
	if known := s.props["known"]; known == nil || known.types != tInteger|tString {
		t.Fatalf("the known field's types were not merged: %+v", known)
	}
	if s.present["known"] != 5001 || s.objects != 5001 {
		t.Fatalf("known present in %d of %d objects", s.present["known"], s.objects)
	}
}
