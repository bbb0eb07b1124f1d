import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Layer, Scope, Stream } from "effect"
import { Templates } from "../../actors/node/templates.ts"
import { makeApiServer, serverUrl } from "../../effects/http/apiServer.ts"
import { bootstrapAdmin } from "../../effects/http/auth/bootstrapAdmin.ts"
import { ChangeFeed, ChangeFeedLive } from "../../effects/http/changeFeed.ts"
import { openFeed } from "../support/feedReader.ts"
import { makeTestApi, nodeServices, TestApi } from "./apiHarness.ts"

const template = (name: string) => ({ name, image: "busybox:latest" })

const isSynced = (message: { readonly event: string }) => message.event === "synced"

layer(makeTestApi, { excludeTestServices: true })("the change feed", (it) => {
  it.scoped("answers an event stream that starts with a reset, the current state and synced", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("feed-start") })
      const feed = yield* openFeed(api.url, api.adminToken)
      expect(feed.status).toBe(200)
      expect(feed.contentType).toMatch(/^text\/event-stream/)
      const first = yield* feed.until(isSynced)
      expect(first[0]!.event).toBe("reset")
      expect(first.some((message) => message.event === "template" && message.value.template.name === "feed-start"))
        .toBe(true)
      expect(first.at(-1)!.id).toMatch(/^[0-9a-f]+:\d+$/)
    }))

  it.scoped("pushes a space created after synced, with its current view", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("web") })
      const token = yield* api.userWithToken("fay")
      const feed = yield* openFeed(api.url, token)
      yield* feed.until(isSynced)
      const created = yield* api.request("POST", "/api/spaces", { token, json: { name: "fay-dev", template: "web" } })
      const [pushed] = yield* feed.until((message) => message.event === "space")
      expect(pushed!.value.space).toMatchObject({ id: created.body.id, name: "fay-dev", owner: "fay", desired: "running" })
      expect(pushed!.id).toMatch(/^[0-9a-f]+:\d+$/)
    }))

  it.scoped("shows a user only their own spaces, and an admin everyone's", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("web") })
      const gus = yield* api.userWithToken("gus")
      const hal = yield* api.userWithToken("hal")
      yield* api.request("POST", "/api/spaces", { token: hal, json: { name: "hal-dev", template: "web" } })
      yield* api.request("POST", "/api/spaces", { token: gus, json: { name: "gus-dev", template: "web" } })
      const spacesIn = (messages: ReadonlyArray<{ readonly event: string; readonly value: any }>) =>
        messages.filter((message) => message.event === "space").map((message) => message.value.space.name as string)
      const seenByGus = spacesIn(yield* (yield* openFeed(api.url, gus)).until(isSynced))
      const seenByAdmin = spacesIn(yield* (yield* openFeed(api.url, api.adminToken)).until(isSynced))
      expect(seenByGus).toContain("gus-dev")
      expect(seenByGus).not.toContain("hal-dev")
      expect(seenByAdmin).toEqual(expect.arrayContaining(["gus-dev", "hal-dev"]))
    }))

  it.scoped("resumed with Last-Event-ID, sends only what changed meanwhile, with no reset", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const first = yield* Effect.scoped(Effect.flatMap(openFeed(api.url, api.adminToken), (feed) => feed.until(isSynced)))
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("while-away") })
      const resumed = yield* openFeed(api.url, api.adminToken, { lastEventId: first.at(-1)!.id! })
      const replay = yield* resumed.until(isSynced)
      expect(replay.map((message) => message.event)).toEqual(["template", "synced"])
      expect(replay[0]!.value.template.name).toBe("while-away")
    }))

  it.scoped("given a cursor of another run, starts over with a reset and the whole state", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const feed = yield* openFeed(api.url, api.adminToken, { since: "0badc0de:3" })
      expect((yield* feed.next()).event).toBe("reset")
    }))

  it.scoped("says template-removed when a template is deleted", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.request("POST", "/api/templates", { token: api.adminToken, json: template("short-lived") })
      const feed = yield* openFeed(api.url, api.adminToken)
      yield* feed.until(isSynced)
      yield* api.request("DELETE", "/api/templates/short-lived", { token: api.adminToken })
      const [removed] = yield* feed.until((message) => message.event === "template-removed")
      expect(removed!.value).toEqual({ _tag: "template-removed", name: "short-lived" })
    }))

  it.scoped("answers 401 without a token", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      expect((yield* openFeed(api.url, undefined)).status).toBe(401)
    }))
})

describe("the change feed's log", () => {
  it.scoped("sends a reader that fell behind what the log keeps the state afresh", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(ChangeFeedLive({ retain: 2 }).pipe(Layer.provideMerge(nodeServices)))
      const feed = Context.get(context, ChangeFeed)
      const templates = Context.get(context, Templates)
      const admin = { id: "admin", name: "admin", role: "admin" as const }
      const opened = yield* Stream.runCollect(feed.open(admin, undefined).pipe(Stream.take(2)))
      const cursor = Chunk.unsafeLast(opened).cursor!
      for (const name of ["t1", "t2", "t3", "t4", "t5", "t6"]) {
        yield* templates.put({ ...template(name), env: {}, volumes: [], zones: [] })
      }
      const resumed = yield* Stream.runCollect(
        feed.open(admin, cursor).pipe(Stream.takeUntil((frame) => frame.event._tag === "synced"))
      )
      const events = [...resumed].map((frame) => frame.event._tag)
      expect(events[0]).toBe("reset")
      expect(events.filter((tag) => tag === "template")).toHaveLength(6)
    }))
})

describe("a server with watchers", () => {
  it.scoped("ends their streams when it shuts down, without waiting for its drain timeout", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        // Longer than the test may run: the close completes only if the watchers' streams end first.
        makeApiServer({ listen: { host: "127.0.0.1", port: 0 }, drainTimeout: "1 hour" }).pipe(
          Layer.provideMerge(nodeServices)
        ),
        serverScope
      )
      const url = yield* Effect.provide(serverUrl, context)
      const outcome = yield* bootstrapAdmin({ adminName: "root" }).pipe(Effect.provide(context), Effect.orDie)
      if (outcome._tag !== "Created") return yield* Effect.dieMessage("a fresh store was not bootstrapped")
      const feed = yield* openFeed(url, outcome.token.secret)
      yield* feed.until(isSynced)
      yield* Scope.close(serverScope, Exit.void)
      expect(yield* feed.ended()).toBe(true)
    }))
})
