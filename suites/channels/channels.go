// Package channels holds the conformance specs of rooms: the hallway list,
// joining and leaving, creating a room, suggested speakers, the welcome room.
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

var _ = ginkgo.Describe("channels:", func() {
	suite.ContractSpecs("channels")

	op := suite.Op

	ginkgo.It("GET /get_channels gives every room the URL https://www.joinclubhouse.com/room/<channel>",
		suite.LabelsFor(op("get_channels")), suite.NeedsToken(op("get_channels")), func(ctx ginkgo.SpecContext) {
			ex := suite.SendDocumented(ctx, op("get_channels"), "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			rooms := gjson.GetBytes(ex.Response.JSONText(), "channels").Array()
			if len(rooms) == 0 {
				// A hallway with no room holds no URL: the rule held over nothing.
				suite.Skip(report.SkipUnsupported + "the target's hallway lists no room: no room URL to judge")
			}
			for _, room := range rooms {
				gomega.Expect(room.Get("url").String()).To(gomega.Equal("https://www.joinclubhouse.com/room/"+room.Get("channel").String()),
					"the url of room %s", room.Get("channel").String())
			}
		})

	ginkgo.It("POST /join_channel returns the room that was asked for, with the joining user among its users",
		suite.LabelsFor(op("join_channel")), suite.WriterNeedsToken(op("join_channel")),
		suite.Covers(op("join_channel"), 200), func(ctx ginkgo.SpecContext) {
			account := suite.WriterAccount(ctx)
			ex := join(ctx, account, "")
			gomega.Expect(ex).To(suite.ConformToSpec())
			gomega.Expect(ex).To(harness.HaveStatus(200))
			gomega.Expect(ex).To(harness.HaveJSON("channel", gomega.Equal(gjson.GetBytes(ex.Request.Body, "channel").String())))
			gomega.Expect(ex).To(harness.HaveJSON("users.#.user_id", gomega.ContainElement(suite.UserNumber(account))))
		})

	ginkgo.It("POST /create_channel for an account that is not waitlisted returns 200 with a room that another account can join",
		suite.LabelsFor(op("create_channel"), op("join_channel")), suite.WriterNeedsToken(op("create_channel"), op("join_channel")),
		suite.Covers(op("create_channel"), 200), suite.Covers(op("join_channel"), 200), func(ctx ginkgo.SpecContext) {
			creator := suite.WriterAccount(ctx)
			call, err := op("create_channel").DocumentedCall(suite.MustLoad().Profile, "")
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			call.As = creator
			created := suite.Send(ctx, call)
			gomega.Expect(created).To(suite.ConformToSpec())
			gomega.Expect(created).To(harness.HaveStatus(200))
			gomega.Expect(created).To(harness.HaveJSON("users.#.user_id", gomega.ContainElement(suite.UserNumber(creator))))
			slug := gjson.GetBytes(created.Response.JSONText(), "channel").String()

			guest := suite.WriterAccount(ctx)
			joined := join(ctx, guest, slug)
			gomega.Expect(joined).To(suite.ConformToSpec())
			gomega.Expect(joined).To(harness.HaveStatus(200))
			gomega.Expect(joined).To(harness.HaveJSON("channel", gomega.Equal(slug)))
		})

	ginkgo.It("after POST /join_channel the user is among the room's users in GET /get_channels, and after POST /leave_channel no longer",
		suite.LabelsFor(op("join_channel"), op("get_channels"), op("leave_channel")),
		suite.CoversWith(op("get_channels"), 200, "signup"), suite.CoversWith(op("leave_channel"), 200, "signup"), func(ctx ginkgo.SpecContext) {
			account := suite.FreshAccount(ctx)
			joined := join(ctx, account, "")
			gomega.Expect(joined).To(harness.HaveStatus(200))
			slug := gjson.GetBytes(joined.Response.JSONText(), "channel").String()
			inRoom := harness.ContainsJSONValue(fmt.Sprintf(`channels.#(channel==%q).users.#.user_id`, slug), suite.UserNumber(account))
			gomega.Expect(channels(ctx, account)).To(harness.ShowTheWrite("the joined user is among room "+slug+"'s users", inRoom))

			left := suite.Send(ctx, harness.Call{Op: op("leave_channel"), As: account, Body: map[string]any{"channel": slug}})
			gomega.Expect(left).To(suite.ConformToSpec())
			gomega.Expect(left).To(harness.HaveJSON("success", gomega.BeTrue()))
			gomega.Expect(channels(ctx, account)).To(harness.ShowTheWrite("the user who left is no longer among room "+slug+"'s users",
				func(ex *harness.Exchange) []harness.Finding {
					if len(inRoom(ex)) == 0 {
						return []harness.Finding{{Message: "still listed after leave_channel answered success"}}
					}
					return nil
				}))
		})

	ginkgo.It("POST /join_channel of a welcome room answers with the new user the room welcomes, as GET /get_channels lists it",
		suite.LabelsFor(op("get_channels"), op("join_channel")), suite.WriterNeedsToken(op("get_channels"), op("join_channel")), func(ctx ginkgo.SpecContext) {
			account := suite.WriterAccount(ctx)
			hallway := channels(ctx, account)
			var slug string
			var welcomed gjson.Result
			for _, room := range gjson.GetBytes(hallway.Response.JSONText(), "channels").Array() {
				if w := room.Get("welcome_for_user_profile"); w.IsObject() {
					slug, welcomed = room.Get("channel").String(), w
					break
				}
			}
			if slug == "" {
				suite.Skip(report.SkipUnsupported + "the target's hallway has no welcome room (no room with welcome_for_user_profile)")
			}
			joined := join(ctx, account, slug)
			gomega.Expect(joined).To(suite.ConformToSpec())
			gomega.Expect(joined).To(harness.HaveStatus(200))
			gomega.Expect(joined).To(harness.ShowTheWrite("the welcome room welcomes the user get_channels named",
				harness.ContainsJSONValue("welcome_for_user_profile.user_id", welcomed.Get("user_id").Value())))
		})

	ginkgo.It("POST /create_channel in one of the account's clubs (get_create_channel_targets) returns the room with that club",
		suite.LabelsFor(op("get_create_channel_targets"), op("create_channel")), suite.NeedsToken(op("get_create_channel_targets"), op("create_channel")), func(ctx ginkgo.SpecContext) {
			// Only a member can open a room in a club: the profile's default
			// account, whose clubs get_create_channel_targets names.
			p := suite.MustLoad().Profile
			account := suite.DefaultAccount()
			targets := suite.Send(ctx, harness.Call{Op: op("get_create_channel_targets"), As: account})
			gomega.Expect(targets).To(suite.ConformToSpec())
			clubID := gjson.GetBytes(targets.Response.JSONText(), "clubs.0.club_id")
			if !clubID.Exists() {
				suite.Skip(report.SkipUnsupported + "the default account belongs to no club (get_create_channel_targets lists none)")
			}
			call, err := op("create_channel").DocumentedCall(p, "")
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			call.As = account
			call.Body = map[string]any{"is_social_mode": false, "is_private": true, "user_ids": []any{}, "club_id": clubID.Value(),
				"event_id": nil, "topic": nil}
			created := suite.Send(ctx, call)
			gomega.Expect(created).To(suite.ConformToSpec())
			gomega.Expect(created).To(harness.HaveStatus(200))
			gomega.Expect(created).To(harness.HaveJSON("club.club_id", gomega.BeNumerically("==", clubID.Float())))
			gomega.Expect(created).To(harness.HaveJSON("club_id", gomega.BeNumerically("==", clubID.Float())))
			gomega.Expect(created).To(harness.HaveJSON("is_club_member", gomega.BeTrue()))
			if slug := gjson.GetBytes(created.Response.JSONText(), "channel").String(); slug != "" {
				suite.Send(ctx, harness.Call{Op: op("leave_channel"), As: account, Body: map[string]any{"channel": slug}})
			}
		})
})

// join sends the documented join_channel request as account, for the room
// slug when one is given.
func join(ctx context.Context, account *harness.Account, slug string) *harness.Exchange {
	ginkgo.GinkgoHelper()
	return suite.Send(ctx, joinCall(account, slug))
}

// channels is get_channels as account sees it.
func channels(ctx context.Context, account *harness.Account) *harness.Exchange {
	ginkgo.GinkgoHelper()
	ex := suite.Send(ctx, harness.Call{Op: suite.Op("get_channels"), As: account})
	gomega.Expect(ex).To(suite.ConformToSpec())
	return ex
}
