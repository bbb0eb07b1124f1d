import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApi, TestApi, testNodeId } from "./apiHarness.ts"

it.scoped("cluster status names a node as its record does, beside its id", () =>
  Effect.gen(function*() {
    const api = yield* TestApi
    yield* api.store.put("node", testNodeId, { zone: "eu-west", mode: "standalone", startedAt: 1, name: "build-box" })
    const nodes = yield* api.request("GET", "/api/nodes", { token: api.adminToken })
    expect(nodes.body.members.map((member: { id: string; name?: string }) => [member.id, member.name])).toEqual([
      [testNodeId, "build-box"]
    ])
  }).pipe(Effect.provide(makeTestApi)))
