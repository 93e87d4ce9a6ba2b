package harness

import (
	"slices"
	"strings"
	"testing"
)

// Only a body response_schema_conformance passed counts for response
// coverage: one that broke the schema, or one no check validated, shows
// nothing, whatever it holds.
func TestCoverageLogCountsOnlyValidatedBodies(t *testing.T) {
	spec := loadCheckSpec(t)
	var log CoverageLog

	unchecked := okProfile(spec, validProfile)
	if got := log.Observe(unchecked); got != nil {
		t.Errorf("a body no check validated showed %v", got)
	}

	broken := okProfile(spec, strings.Replace(validProfile, `"user_id":4`, `"user_id":"4"`, 1))
	Verify(broken, StandardChecks(false)...)
	if got := log.Observe(broken); got != nil {
		t.Errorf("a body that broke the schema showed %v", got)
	}

	ok := okProfile(spec, validProfile)
	Verify(ok, StandardChecks(false)...)
	got := log.Observe(ok)
	for _, want := range []string{"(body)", "/user_profile/bio:null", "/user_profile/invited_by_user_profile:null"} {
		if !slices.Contains(got, want) {
			t.Errorf("the validated body shows %s: got %v", want, got)
		}
	}
	if slices.Contains(got, "/user_profile/bio:value") {
		t.Errorf("a bio seen only null is not observed as a value: %v", got)
	}
	if again := log.Observe(ok); len(again) != 0 {
		t.Errorf("the log reports a location once: %v", again)
	}

	withBio := okProfile(spec, strings.Replace(validProfile, `"bio":null`, `"bio":"hi"`, 1))
	Verify(withBio, StandardChecks(false)...)
	if got := log.Observe(withBio); !slices.Contains(got, "/user_profile/bio:value") {
		t.Errorf("a bio with a value adds :value: got %v", got)
	}
}

// Response coverage reads the body as the schema check validated it (the
// one reading): a member that a later one of the same name overrides was
// never validated, so its value shows nothing.
func TestCoverageLogReadsTheValidatedReading(t *testing.T) {
	spec := loadCheckSpec(t)
	var log CoverageLog
	dup := okProfile(spec, strings.Replace(validProfile, `"bio":null`, `"bio":"hi","bio":null`, 1))
	Verify(dup, StandardChecks(false)...)
	got := log.Observe(dup)
	if !slices.Contains(got, "/user_profile/bio:null") {
		t.Fatalf("the validated (last) bio, null, is not observed: %v", got)
	}
	if slices.Contains(got, "/user_profile/bio:value") {
		t.Errorf("the overridden bio, never validated, is observed as a value: %v", got)
	}
}
