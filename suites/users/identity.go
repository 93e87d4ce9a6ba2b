package users

import (
	"context"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
)

// Identity isolation (issue 13): Clubhouse sends identity twice, the token
// and the CH-UserID header, and only the token may decide. Every spec signs
// up its own accounts A and B (and X, someone to follow), so the specs run
// in any order and in parallel; a target that cannot sign up accounts makes
// them unsupported.
var _ = ginkgo.Describe("users: identity isolation:", func() {
	op := suite.Op

	ginkgo.It("POST /me with A's token and B's CH-UserID answers for A, never for B",
		suite.LabelsFor(op("me")), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			ex := suite.Send(ctx, harness.Call{Op: op("me"), As: a, Body: map[string]any{}, Header: claimingToBe(b)})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.ActForTheToken("me answers with A's profile, not B's named by CH-UserID",
				harness.ContainsJSONValue("user_profile.user_id", suite.UserNumber(a))))
		})

	// A's and B's views of one profile must differ first, or an answer for
	// the wrong account reads the same as one for the right one: A follows
	// B, so A sees B with notification_type 2 (the contract: 2 when the
	// signed-in user follows this user), while B sees itself with null.
	ginkgo.It("POST /get_profile of B, whom A follows, with A's token and B's CH-UserID answers as A sees B, not as B sees itself",
		suite.LabelsFor(op("get_profile"), op("follow")), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			followed := suite.Send(ctx, harness.Call{Op: op("follow"), As: a, Body: map[string]any{"user_id": suite.UserNumber(b)}})
			gomega.Expect(followed).To(harness.HaveJSON("success", gomega.BeTrue()))
			profileOfB := harness.Call{Op: op("get_profile"), As: b, Body: map[string]any{"user_id": suite.UserNumber(b)}}
			own := suite.Send(ctx, profileOfB)
			gomega.Expect(own).To(suite.ConformToSpec())
			if gjson.GetBytes(own.Response.JSONText(), "user_profile.notification_type").Type != gjson.Null {
				suite.Skip(report.SkipUnsupported + "B's own view of B carries a notification_type: A's and B's views of B do not differ, so acting for the wrong account would not show")
			}
			profileOfB.As, profileOfB.Header = a, claimingToBe(b)
			ex := suite.Send(ctx, profileOfB)
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.ActForTheToken("get_profile of B answers as A, who follows B, sees B",
				func(ex *harness.Exchange) []harness.Finding {
					return append(harness.ContainsJSONValue("user_profile.user_id", suite.UserNumber(b))(ex),
						harness.ContainsJSONValue("user_profile.notification_type", 2)(ex)...)
				}))
		})

	ginkgo.It("POST /update_username with A's token and B's CH-UserID renames A or is refused, and never renames B",
		suite.LabelsFor(op("update_username"), op("me")), suite.CoversWith(op("me"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			name := harness.Unique("ident_{unique}")
			ex := suite.Send(ctx, harness.Call{Op: op("update_username"), As: a, Body: map[string]any{"username": name}, Header: claimingToBe(b)})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.ActForTheToken("update_username answers for A", harness.ContainsJSONValue("success", true)))
			gomega.Expect(me(ctx, b)).To(harness.KeepAccountsApart("B, named only by CH-UserID, keeps its username",
				harness.LacksJSONValue("user_profile.username", name)))
			if ex.Response.Status/100 == 2 {
				gomega.Expect(me(ctx, a)).To(harness.KeepAccountsApart("A, whose token it was, has the new username",
					harness.ContainsJSONValue("user_profile.username", name)))
			}
		})

	ginkgo.It("POST /follow with A's token and B's CH-UserID makes A follow X or is refused, and never B",
		suite.LabelsFor(op("follow"), op("get_following")), suite.CoversWith(op("get_following"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			a, b, x := suite.FreshAccount(ctx), suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			ex := suite.Send(ctx, harness.Call{Op: op("follow"), As: a, Body: map[string]any{"user_id": suite.UserNumber(x)}, Header: claimingToBe(b)})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.ActForTheToken("follow answers for A", harness.ContainsJSONValue("success", true)))
			gomega.Expect(following(ctx, b)).To(harness.KeepAccountsApart("B, named only by CH-UserID, does not follow X",
				harness.LacksJSONValue("users.#.user_id", suite.UserNumber(x))))
			if ex.Response.Status/100 == 2 {
				gomega.Expect(following(ctx, a)).To(harness.KeepAccountsApart("A, whose token it was, follows X",
					harness.ContainsJSONValue("users.#.user_id", suite.UserNumber(x))))
			}
		})

	ginkgo.It("after A follows X, POST /get_following of B does not list X",
		suite.LabelsFor(op("follow"), op("get_following")), suite.CoversWith(op("get_following"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			// B signs up last, just before A's follow: a write that lands
			// on the account that asked before it lands on B.
			x, a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			ex := suite.Send(ctx, harness.Call{Op: op("follow"), As: a, Body: map[string]any{"user_id": suite.UserNumber(x)}})
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
			gomega.Expect(following(ctx, b)).To(harness.KeepAccountsApart("A's follow of X is not B's",
				harness.LacksJSONValue("users.#.user_id", suite.UserNumber(x))))
			gomega.Expect(following(ctx, a)).To(harness.KeepAccountsApart("A's follow of X is A's",
				harness.ContainsJSONValue("users.#.user_id", suite.UserNumber(x))))
		})

	ginkgo.It("after A renames itself, POST /me of B does not show A's new username",
		suite.LabelsFor(op("update_username"), op("me")), suite.CoversWith(op("me"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			name := harness.Unique("ident_{unique}")
			ex := suite.Send(ctx, harness.Call{Op: op("update_username"), As: a, Body: map[string]any{"username": name}})
			gomega.Expect(ex).To(harness.HaveJSON("success", gomega.BeTrue()))
			gomega.Expect(me(ctx, b)).To(harness.KeepAccountsApart("A's new username is not B's",
				harness.LacksJSONValue("user_profile.username", name)))
			gomega.Expect(me(ctx, a)).To(harness.KeepAccountsApart("A's new username is A's",
				harness.ContainsJSONValue("user_profile.username", name)))
		})
})

// claimingToBe is the CH-UserID of another account, sent beside a token
// that is not its own.
func claimingToBe(other *harness.Account) map[string]string {
	return map[string]string{"CH-UserID": other.UserID}
}

// me is POST /me as account, with its own CH-UserID.
func me(ctx context.Context, account *harness.Account) *harness.Exchange {
	ginkgo.GinkgoHelper()
	ex := suite.Send(ctx, harness.Call{Op: suite.Op("me"), As: account, Body: map[string]any{}})
	gomega.Expect(ex).To(suite.ConformToSpec())
	return ex
}

// following is the account's own get_following.
func following(ctx context.Context, account *harness.Account) *harness.Exchange {
	ginkgo.GinkgoHelper()
	ex := suite.Send(ctx, harness.Call{Op: suite.Op("get_following"), As: account, Body: map[string]any{"user_id": suite.UserNumber(account)}})
	gomega.Expect(ex).To(suite.ConformToSpec())
	return ex
}
