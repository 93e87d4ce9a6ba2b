// Package auth holds the conformance specs of the phone-number sign-in flow,
// the JWT refresh and the waitlist check. Importing it registers the specs;
// auth_test.go runs them under `go test`, and any other Ginkgo suite can run
// them by importing this package.
package auth

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
)

var _ = ginkgo.Describe("auth:", func() {
	suite.ContractSpecs("auth")

	start := func() *harness.Operation { return suite.Op("start_phone_number_auth") }
	complete := func() *harness.Operation { return suite.Op("complete_phone_number_auth") }

	ginkgo.It("POST /start_phone_number_auth without the CH-* app headers answers 200 with is_blocked: true",
		suite.LabelsFor(start()), suite.Covers(start(), 200), func(ctx ginkgo.SpecContext) {
			call, err := start().DocumentedCall(suite.MustLoad().Profile, "")
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			// The seed: a sign-in without CH-Locale, CH-AppVersion and
			// CH-AppBuild is treated as a banned phone.
			call.Header = map[string]string{"CH-Locale": "", "CH-AppVersion": "", "CH-AppBuild": ""}
			ex := suite.Send(ctx, call)
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("is_blocked", gomega.BeTrue()))
		})

	ginkgo.It("POST /complete_phone_number_auth with the right code returns a 40-hex auth token and SimpleJWT access and refresh tokens",
		suite.LabelsFor(complete()), suite.NeedsToken(complete()),
		suite.Covers(complete(), 200), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, complete(), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("is_verified", gomega.BeTrue()))
			gomega.Expect(ex).To(harness.HaveJSON("auth_token", gomega.MatchRegexp(`^[0-9a-f]{40}$`)))
			gomega.Expect(ex).To(harness.HaveJSON("access_token", gomega.MatchRegexp(jwtPattern)))
			gomega.Expect(ex).To(harness.HaveJSON("refresh_token", gomega.MatchRegexp(jwtPattern)))
		})

	ginkgo.It("POST /complete_phone_number_auth with a wrong code answers 200 with is_verified false and the attempts left",
		suite.LabelsFor(start(), complete()), suite.CoversWith(complete(), 200, "signup"), func(ctx ginkgo.SpecContext) {
			suite.RequireCapability("signup")
			suite.RequireAllowed(start())
			suite.RequireAllowed(complete())
			p := suite.MustLoad().Profile
			phone := suite.UnusedPhone()
			started := suite.Send(ctx, harness.Call{Op: start(), Account: harness.AccountNone, Body: map[string]any{"phone_number": phone}})
			gomega.Expect(started).To(harness.HaveJSON("success", gomega.BeTrue()))
			wrong := "0000"
			if p.Signup != nil && p.Signup.Code == wrong {
				wrong = "1111"
			}
			ex := suite.Send(ctx, harness.Call{Op: complete(), Account: harness.AccountNone,
				Body: map[string]any{"phone_number": phone, "verification_code": wrong}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("is_verified", gomega.BeFalse()))
			gomega.Expect(ex).To(harness.HaveJSON("number_of_attempts_remaining", gomega.BeNumerically(">=", 0)))
			gomega.Expect(ex).NotTo(harness.HaveJSON("auth_token", gomega.Not(gomega.BeNil())), "a wrong code must not sign in")
		})

	ginkgo.It("POST /complete_phone_number_auth for a throttled number answers 200 with success false and an error message",
		suite.LabelsFor(complete()), func(ctx ginkgo.SpecContext) {
			suite.RequireAllowed(complete())
			call, err := complete().DocumentedCall(suite.MustLoad().Profile, "phone-throttled")
			if err != nil {
				suite.Skip(report.SkipUnsupported + "the profile names no throttled phone number (state phone-throttled): " + err.Error())
			}
			ex := suite.Send(ctx, call)
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeFalse()))
			gomega.Expect(ex).To(harness.HaveJSON("error_message", gomega.Not(gomega.BeEmpty())))
		})
})

// jwtPattern is the compact JWS form SimpleJWT issues: three base64url parts.
const jwtPattern = `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`
