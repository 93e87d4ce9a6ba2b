package channels

import (
	"context"
	"fmt"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/chconform/chconform/harness"
	"github.com/chconform/chconform/harness/report"
	"github.com/chconform/chconform/harness/suite"
)

// Identity isolation in rooms (issue 13): who joins a room is the token's
// account, never the CH-UserID's; a room someone left, or one that ended,
// answers as it does for anyone not in it. Every spec signs up its own
// accounts A and B.
var _ = ginkgo.Describe("channels: identity isolation:", func() {
	op := suite.Op

	ginkgo.It("POST /join_channel with A's token and B's CH-UserID puts A in the room or is refused, and never B",
		suite.LabelsFor(op("join_channel"), op("get_channels")), suite.CoversWith(op("get_channels"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			call := joinCall(a, "")
			call.Header = map[string]string{"CH-UserID": b.UserID}
			joined := suite.Send(ctx, call)
			gomega.Expect(joined).To(suite.ConformToSpec())
			gomega.Expect(joined).To(harness.ActForTheToken("the room join_channel answers lists A, not B named by CH-UserID",
				listsANotB("users.#.user_id", a, b)))
			slug := gjson.GetBytes(joined.Request.Body, "channel").String()
			gomega.Expect(channels(ctx, b)).To(harness.KeepAccountsApart("B, named only by CH-UserID, is not among room "+slug+"'s users",
				harness.LacksJSONValue(roomUsers(slug), suite.UserNumber(b))))
		})

	ginkgo.It("after A joins a room, the room lists A and not B, in the join's answer and in B's GET /get_channels",
		suite.LabelsFor(op("join_channel"), op("get_channels")), suite.CoversWith(op("get_channels"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			a, b := suite.FreshAccount(ctx), suite.FreshAccount(ctx)
			joined, slug := joinedRoom(ctx, a)
			gomega.Expect(joined).To(harness.KeepAccountsApart("the room A joined lists A, not B",
				listsANotB("users.#.user_id", a, b)))
			gomega.Expect(channels(ctx, b)).To(harness.KeepAccountsApart("room "+slug+" lists A, not B, as B sees it",
				listsANotB(roomUsers(slug), a, b)))
		})

	ginkgo.It("POST /join_channel for a room that has ended answers the documented room-gone error to two fresh accounts alike",
		suite.LabelsFor(op("join_channel")), func(ctx ginkgo.SpecContext) {
			call, example := endedRoom()
			for _, who := range []string{"A", "B"} {
				call.As = suite.FreshAccount(ctx)
				ex := suite.Send(ctx, call)
				gomega.Expect(ex).To(harness.BeDocumentedErrorCase(400, example), "joining the room that has ended as %s", who)
			}
		})

	ginkgo.It("POST /join_channel for a room that has ended answers the documented room-gone error to its creator too",
		suite.LabelsFor(op("join_channel")), func(ctx ginkgo.SpecContext) {
			call, example := endedRoom()
			p := suite.MustLoad().Profile
			creator, ok := p.Accounts[endedRoomCreator]
			if !ok || creator.AuthToken == "" {
				suite.Skip(fmt.Sprintf("%sprofile %s names no %s account (the creator of the room in state room-ended)",
					report.SkipUnsupported, p.Name, endedRoomCreator))
			}
			call.Account, call.As = endedRoomCreator, nil
			ex := suite.Send(ctx, call)
			gomega.Expect(ex).To(harness.BeDocumentedErrorCase(400, example))
		})

	// Provisional: the seed documents get_suggested_speakers only for a
	// room being started ({"channel": null}, an empty page), not for a
	// room the asker is not in.
	suite.ProvisionalIt("after POST /leave_channel, POST /get_suggested_speakers of that room answers as for a user not in it, without A",
		suite.LabelsFor(op("join_channel"), op("leave_channel"), op("get_suggested_speakers")), func(ctx ginkgo.SpecContext) {
			a := suite.FreshAccount(ctx)
			_, slug := joinedRoom(ctx, a)
			left := suite.Send(ctx, harness.Call{Op: op("leave_channel"), As: a, Body: map[string]any{"channel": slug}})
			gomega.Expect(left).To(harness.HaveJSON("success", gomega.BeTrue()))
			ex := suite.Send(ctx, harness.Call{Op: op("get_suggested_speakers"), As: a, Body: map[string]any{"channel": slug}})
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.KeepAccountsApart("A, who left room "+slug+", is not suggested as its speaker",
				harness.LacksJSONValue("users.#.user_id", suite.UserNumber(a))))
		})
})

// endedRoomCreator is the profile account that created the room of state
// room-ended (the emulator's profile names it).
const endedRoomCreator = "ended-room-creator"

// endedRoom is join_channel's request for the room that has ended, and the
// documented room-gone answer; a target that cannot reach the state makes
// the spec unsupported.
func endedRoom() (harness.Call, harness.Example) {
	ginkgo.GinkgoHelper()
	o := suite.Op("join_channel")
	call, err := o.DocumentedCall(suite.MustLoad().Profile, "room-ended")
	if err != nil {
		suite.Skip(report.SkipUnsupported + err.Error())
	}
	for _, r := range o.Responses() {
		for _, ex := range r.Examples {
			if r.Status == 400 && ex.State == "room-ended" {
				return call, ex
			}
		}
	}
	ginkgo.Fail(report.HarnessErrorPrefix + " the contract documents no room-ended answer of join_channel")
	return call, harness.Example{}
}

// joinCall is the documented join_channel request as account, for the room
// slug when one is given.
func joinCall(account *harness.Account, slug string) harness.Call {
	ginkgo.GinkgoHelper()
	call, err := suite.Op("join_channel").DocumentedCall(suite.MustLoad().Profile, "")
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	call.As = account
	if slug != "" {
		call.Body.(map[string]any)["channel"] = slug
	}
	return call
}

// roomUsers is the gjson path of a room's user ids in get_channels.
func roomUsers(slug string) string {
	return fmt.Sprintf(`channels.#(channel==%q).users.#.user_id`, slug)
}

// joinedRoom is account's join of a room, which must answer 200, and the
// slug of the room it joined.
func joinedRoom(ctx context.Context, account *harness.Account) (*harness.Exchange, string) {
	ginkgo.GinkgoHelper()
	joined := join(ctx, account, "")
	gomega.Expect(joined).To(harness.HaveStatus(200))
	return joined, gjson.GetBytes(joined.Response.JSONText(), "channel").String()
}

// listsANotB holds when the user ids at path include A's and not B's.
func listsANotB(path string, a, b *harness.Account) func(*harness.Exchange) []harness.Finding {
	return bothHold(harness.ContainsJSONValue(path, suite.UserNumber(a)), harness.LacksJSONValue(path, suite.UserNumber(b)))
}

// bothHold is two expectations on one answer, every finding of both.
func bothHold(first, second func(*harness.Exchange) []harness.Finding) func(*harness.Exchange) []harness.Finding {
	return func(ex *harness.Exchange) []harness.Finding { return append(first(ex), second(ex)...) }
}
