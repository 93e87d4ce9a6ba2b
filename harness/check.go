package harness

// Check names, as the reports print them. They follow the names Schemathesis
// users know, so a finding reads the same in either tool.
const (
	CheckResponseReceived     = "response_received"
	CheckNotAServerError      = "not_a_server_error"
	CheckStatusCode           = "status_code_conformance"
	CheckContentType          = "content_type_conformance"
	CheckResponseHeaders      = "response_headers_conformance"
	CheckResponseSchema       = "response_schema_conformance"
	CheckDocumentedErrorCase  = "documented_error_case"
	CheckIgnoredAuth          = "ignored_auth"
	CheckNegativeDataRejected = "negative_data_rejection"
	CheckPagination           = "pagination_conformance"
	CheckMethodEquivalence    = "method_equivalence"
	CheckStatefulConsistency  = "stateful_consistency"
)

// CheckStatus is the verdict of one check on one exchange.
type CheckStatus string

const (
	CheckPassed  CheckStatus = "passed"
	CheckFailed  CheckStatus = "failed"
	CheckSkipped CheckStatus = "skipped" // not applicable to this exchange
)

// Finding is one way an exchange breaks the contract.
type Finding struct {
	Message string `json:"message"`
	// Pointer is the JSON pointer into the response body, when the finding is
	// about one value ("/user_profile/user_id").
	Pointer string `json:"pointer,omitempty"`
}

// CheckResult is the verdict of one check on one exchange.
type CheckResult struct {
	Name     string      `json:"name"`
	Status   CheckStatus `json:"status"`
	Findings []Finding   `json:"findings,omitempty"`
	// Reason says why a check was skipped.
	Reason string `json:"reason,omitempty"`
}

// Check is one named rule applied to an exchange.
type Check struct {
	Name string
	// Run judges the exchange. It returns skip != "" when the rule does not
	// apply (with the reason), otherwise the findings (none: passed).
	Run func(*Exchange) (findings []Finding, skip string)
}
