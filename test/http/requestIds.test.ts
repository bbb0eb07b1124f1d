/**
 * Every answer names its request, and a failure of the node's own (500) is in its log under
 * the same id: what a person reads in the CLI's error finds the node's log line.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { refusalOf } from "../../cli/client/knotClient.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import { Store } from "../../storage/store.ts"
import { makeTestApi, makeTestApiOf, testNodeId, TestApi } from "./apiHarness.ts"

/** The node's log lines, with their annotations, as the test's own logger receives them. */
const capturedLogs = () => {
  const lines: Array<{ readonly message: string; readonly request: unknown }> = []
  const logger = Logger.make(({ annotations, message }) => {
    lines.push({ message: String(Array.isArray(message) ? message.join(" ") : message), request: annotations.pipe((map) => Object.fromEntries(map)).request })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("request ids", () => {
  it.live("every answer names its request in x-request-id, another one each time", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const ids = yield* Effect.promise(async () => {
        const first = await fetch(`${api.url}/health`)
        const second = await fetch(`${api.url}/api/nothing-here`)
        return [first.headers.get("x-request-id"), second.headers.get("x-request-id"), second.status]
      })
      expect(ids[0]).toMatch(/^[0-9a-f]{16}$/)
      expect(ids[1]).toMatch(/^[0-9a-f]{16}$/)
      expect(ids[0]).not.toBe(ids[1])
      expect(ids[2]).toBe(404)
    }).pipe(Effect.provide(makeTestApi)))

  it.live("a 500 carries its request id, the node's log has the failure under it, and the CLI prints it", () => {
    const logs = capturedLogs()
    let crash: Effect.Effect<void> = Effect.void
    const store = Layer.scoped(
      Store,
      Effect.map(MemoryStore.make({ nodeId: NodeId.make(testNodeId), maxDriftMs: 60_000 }), (handle) => {
        crash = handle.crash
        return handle.store
      })
    )
    return Effect.gen(function*() {
      const api = yield* TestApi
      // The store fails every call from now on, as a disk that has gone away would.
      yield* crash
      const answer = yield* Effect.promise(async () => {
        const response = await fetch(`${api.url}/api/templates`, { headers: { authorization: `Bearer ${api.adminToken}` } })
        return { status: response.status, id: response.headers.get("x-request-id") ?? "", body: await response.text() }
      })
      expect(answer.status).toBeGreaterThanOrEqual(500)
      expect(answer.id).toMatch(/^[0-9a-f]{16}$/)
      expect(logs.lines.some((line) => line.request === answer.id && line.message.includes(`answered ${answer.status}`))).toBe(true)
      expect(refusalOf(api.url, answer.status, answer.body, answer.id).message).toMatch(new RegExp(`; request id ${answer.id}$`))
    }).pipe(Effect.provide(makeTestApiOf({ store })), Effect.provide(logs.layer))
  })
})
