package suite

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
)

// FreshAccount signs up a new account through the phone-number flow with one
// of the target's test numbers, so a spec that changes state never shares an
// account with another spec, whatever order or parallelism they run in. A
// target without the "signup" capability makes the spec unsupported.
func FreshAccount(ctx context.Context) *harness.Account {
	ginkgo.GinkgoHelper()
	RequireCapability("signup")
	// The flow texts a phone: disabled before any request where it is not
	// allowed, rather than half-way through.
	RequireAllowed(Op("start_phone_number_auth"))
	RequireAllowed(Op("complete_phone_number_auth"))
	p := MustLoad().Profile
	if p.Signup != nil && p.Signup.Username != "" {
		RequireAllowed(Op("update_username"))
	}
	if p.Signup == nil || p.Signup.PhonePrefix == "" || p.Signup.Code == "" {
		Fail(fmt.Sprintf("harness error: profile %s declares signup but no signup.phone_prefix and signup.code", p.Name))
	}
	phone := UnusedPhone()

	start := Send(ctx, harness.Call{Op: Op("start_phone_number_auth"), Account: harness.AccountNone,
		Body: map[string]any{"phone_number": phone}})
	gomega.Expect(start).To(harness.HaveJSON("success", gomega.BeTrue()), "signing up a fresh account: start_phone_number_auth")

	done := Send(ctx, harness.Call{Op: Op("complete_phone_number_auth"), Account: harness.AccountNone,
		Body: map[string]any{"phone_number": phone, "verification_code": p.Signup.Code}})
	gomega.Expect(done).To(harness.HaveJSON("is_verified", gomega.BeTrue()), "signing up a fresh account: complete_phone_number_auth")
	// A number someone signed up before gives their account, not a fresh one:
	// two specs would then share state. A new account is still onboarding.
	gomega.Expect(done).To(harness.HaveJSON("is_onboarding", gomega.BeTrue()),
		"signing up a fresh account: %s gave an account that has finished onboarding (a number used before?)", "the test number")
	body := gjson.ParseBytes(done.Response.JSONText())
	a := &harness.Account{
		AuthToken:    body.Get("auth_token").String(),
		AccessToken:  body.Get("access_token").String(),
		RefreshToken: body.Get("refresh_token").String(),
		UserID:       body.Get("user_profile.user_id").String(),
		DeviceID:     randomDeviceID(),
	}
	gomega.Expect(a.AuthToken).NotTo(gomega.BeEmpty(), "signing up a fresh account: no auth_token")

	if p.Signup.Username != "" {
		named := Send(ctx, harness.Call{Op: Op("update_username"), As: a,
			Body: map[string]any{"username": harness.Unique(p.Signup.Username)}})
		gomega.Expect(named).To(harness.HaveJSON("success", gomega.BeTrue()), "signing up a fresh account: update_username")
	}
	return a
}

// UnusedPhone is a test number of the target's signup range that no spec has
// used: with the profile's digits (7 or more) a clash among a run's sign-ups
// is a one-in-a-hundred-thousand event, not a one-in-four one.
func UnusedPhone() string {
	ginkgo.GinkgoHelper()
	p := MustLoad().Profile
	if p.Signup == nil || p.Signup.PhonePrefix == "" {
		Fail(fmt.Sprintf("harness error: profile %s has no signup.phone_prefix", p.Name))
	}
	return p.Signup.PhonePrefix + randomDigits(p.Signup.Digits)
}

func randomDigits(n int) string {
	if n <= 0 {
		n = 7
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// randomDeviceID is an upper-case UUIDv4, the form the app sends.
func randomDeviceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}

// WriterAccount is the account a spec that writes should use: a fresh one
// where the target can make one, else the profile's default account (a
// fixture target, where nothing real changes), which the run must have a
// token for (DefaultAccount). Its specs carry WriterNeedsToken's label.
func WriterAccount(ctx context.Context) *harness.Account {
	ginkgo.GinkgoHelper()
	if MustLoad().Profile.Capability("signup") {
		return FreshAccount(ctx)
	}
	return DefaultAccount()
}

// UserNumber is an account's user id as the contract types it, a JSON
// number, for request bodies and for comparing with answers; an id that is
// not a number fails the spec.
func UserNumber(a *harness.Account) float64 {
	n, err := strconv.ParseFloat(a.UserID, 64)
	gomega.Expect(err).NotTo(gomega.HaveOccurred(), "the account's user id %q is not a number", a.UserID)
	return n
}
