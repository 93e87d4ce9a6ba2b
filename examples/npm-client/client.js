#!/usr/bin/env node
// A real Clubhouse client that nobody in this project wrote (the published
// npm package clubhouse-client, pinned in package-lock.json) signs in with
// the emulator's test phone flow and reads, against CH_BASE_URL (the
// emulator, or chconform proxy in front of it). scripts/npm-client.sh runs it.
//
//   CH_BASE_URL=http://127.0.0.1:PORT/api node client.js
//
// Prints one line per call and a summary; exits 1 on the first error (an
// HTTP error, a body the client cannot use, or success: false), 2 on bad
// usage. Nothing secret is printed: the client's own request log (which
// holds the phone number and the code) is turned off, and tokens are never
// echoed.
'use strict'

const { ClubhouseClient } = require('clubhouse-client')

// The emulator signs up any +1555000 and 4 digits with the fixed code 1234
// (emulator/ops_auth.go, profiles/emulator.yaml "signup"); a number already
// signed up signs in again, so re-running against one emulator is fine.
const phone = process.env.CH_PHONE || '+15550004242'
const code = process.env.CH_CODE || '1234'
const base = process.env.CH_BASE_URL

// show is an answer as printed on an error: its first 300 characters, with
// the tokens and phone numbers an answer carries masked (CI keeps the logs).
function show(body) {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body)
    } catch (_) {
      return body.slice(0, 300).replace(/[0-9a-f]{32,}|eyJ[\w.-]+/g, '<masked>')
    }
  }
  const secret = /token|phone|code/i
  return JSON.stringify(body, (k, v) => (secret.test(k) && typeof v === 'string' ? '<masked>' : v)).slice(0, 300)
}

function fail(what, err) {
  let detail = err && err.message ? err.message : String(err)
  // got's HTTPError carries the answer: its status and body say what broke.
  if (err && err.response) {
    detail += ` (status ${err.response.statusCode}, body ${show(err.response.body)})`
  }
  console.error(`npm-client: ${what}: ${detail}`)
  process.exit(1)
}

function need(what, cond, body) {
  if (!cond) fail(what, `unexpected answer ${show(body)}`)
}

async function step(name, fn, check) {
  let body
  try {
    body = await fn()
  } catch (err) {
    fail(name, err)
  }
  need(name, body && typeof body === 'object', body)
  if (body.success === false) fail(name, `success: false (${body.error_message || 'no message'})`)
  const note = check(body)
  console.log(`ok ${name}${note ? ': ' + note : ''}`)
  return body
}

async function main() {
  if (!base || !/^https?:\/\//.test(base)) {
    console.error('npm-client: set CH_BASE_URL to the API base, e.g. http://127.0.0.1:8080/api')
    process.exit(2)
  }
  // apiBaseUrl is the client's own option for another host; no throttle
  // (the default waits 3.5 s between calls, for the live service's rate
  // limit) and no request log (it prints request bodies, the code included).
  const ch = new ClubhouseClient({ apiBaseUrl: base.replace(/\/+$/, ''), throttle: false, log: false })

  await step('start_phone_number_auth', () => ch.startPhoneNumberAuth(phone), (b) => {
    need('start_phone_number_auth', b.is_blocked === false, b)
  })
  const auth = await step('complete_phone_number_auth', () => ch.completePhoneNumberAuth(phone, code), (b) => {
    need('complete_phone_number_auth', b.is_verified === true && typeof b.auth_token === 'string', b)
    return `user ${b.user_profile.user_id}`
  })
  need('signed in', ch.isAuthenticated, {})
  const me = auth.user_profile.user_id

  await step('me', () => ch.getMe(), (b) => {
    need('me', b.user_profile && b.user_profile.user_id === me && Array.isArray(b.following_ids), b)
    return `${b.following_ids.length} following, ${b.num_invites} invites`
  })
  await step('get_profile (self)', () => ch.getProfile(me), (b) => {
    need('get_profile', b.user_profile && b.user_profile.user_id === me, b)
    return `@${b.user_profile.username === null ? '(no username yet)' : b.user_profile.username}`
  })
  // A seeded member with followers, clubs and topics: a fuller profile.
  const other = await step('get_profile (1234)', () => ch.getProfile(1234), (b) => {
    need('get_profile', b.user_profile && b.user_profile.user_id === 1234, b)
    return `@${b.user_profile.username}, ${b.user_profile.num_followers} followers, ${(b.user_profile.clubs || []).length} clubs`
  })
  const topics = await step('get_all_topics', () => ch.getAllTopics(), (b) => {
    need('get_all_topics', Array.isArray(b.topics) && b.topics.length > 0, b)
    return `${b.topics.length} topic groups`
  })
  const topicId = topics.topics[0].topics && topics.topics[0].topics.length > 0 ? topics.topics[0].topics[0].id : topics.topics[0].id
  await step('get_topic', () => ch.getTopic(topicId), (b) => {
    need('get_topic', b.topic && b.topic.id === topicId, b)
    return b.topic.title
  })
  await step('get_clubs_for_topic', () => ch.getClubsForTopic(topicId), (b) => {
    need('get_clubs_for_topic', Array.isArray(b.clubs), b)
    return `${b.clubs.length} clubs`
  })
  const clubs = other.user_profile.clubs || []
  if (clubs.length > 0) {
    await step('get_club', () => ch.getClub(clubs[0].club_id), (b) => {
      need('get_club', b.club && b.club.club_id === clubs[0].club_id, b)
      return b.club.name
    })
  }
  await step('search_users', () => ch.searchUsers('a'), (b) => {
    need('search_users', Array.isArray(b.users), b)
    return `${b.users.length} users`
  })
  await step('search_clubs', () => ch.searchClubs('a'), (b) => {
    need('search_clubs', Array.isArray(b.clubs), b)
    return `${b.clubs.length} clubs`
  })
  // The client's own habits: methods the contract lists as alternates
  // (x-alternate-methods: POST get_channels, GET get_following and
  // check_waitlist_status), and one it does not describe at all (POST
  // get_users_for_topic, which a proxy lists as outside the contract).
  await step('get_channels (POST)', () => ch.getChannels(), (b) => {
    need('get_channels', Array.isArray(b.channels), b)
    return `${b.channels.length} rooms`
  })
  await step('get_following (GET)', () => ch.getFollowing(1234), (b) => {
    need('get_following', Array.isArray(b.users), b)
    return `${b.users.length} users`
  })
  await step('check_waitlist_status (GET)', () => ch.checkWaitlistStatus(), (b) => {
    need('check_waitlist_status', b.is_waitlisted === false, b)
  })
  await step('get_users_for_topic (POST)', () => ch.getUsersForTopic(topicId), (b) => {
    need('get_users_for_topic', Array.isArray(b.users), b)
    return `${b.users.length} users`
  })
  console.log(`npm-client: signed in and read through ${base} with clubhouse-client`)
}

main().catch((err) => fail('unexpected', err))
