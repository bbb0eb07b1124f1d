/**
 * Time and heap to spawn 100 000 space actors under one node actor, each with its own
 * mailbox and state and its init run, until the last one answers an ask. An idle actor holds
 * no fiber (one starts when a message arrives), so the heap is what 100 000 idle actors keep.
 * Run by `npm run bench` in a process of its own (with --expose-gc), since a test runner's
 * worker would time out its own RPC meanwhile.
 */
import { Effect } from "effect"
import { type Behaviour, makeActorSystem, type Reply } from "../../actors/runtime/index.ts"
import { scaled } from "./benchScale.ts"

const N = scaled(100_000, 1_000)
type Msg = { readonly _tag: "Ping"; readonly reply: Reply<number> }
const space: Behaviour<Msg, number> = {
  init: () => Effect.succeed(0),
  receive: (n, msg) => Effect.as(msg.reply.succeed(n), n)
}
const collect = () => (globalThis as { gc?: () => void }).gc?.()

const program = Effect.gen(function* () {
  const system = yield* makeActorSystem
  const node = yield* system.spawn(space, { name: "node" })
  collect()
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  for (let i = 0; i < N; i++) yield* system.spawn(space, { name: `space:${i}`, parent: node })
  const last = yield* system.lookup<Msg>(`node/space:${N - 1}`).pipe(Effect.flatten)
  yield* last.ask<number>((reply) => ({ _tag: "Ping", reply }), "1 minute")
  const elapsed = performance.now() - started
  collect()
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
  const stopping = performance.now()
  yield* system.shutdown
  const stopped = performance.now() - stopping
  console.log(
    `[runtime] spawn 100k actors:    ${elapsed.toFixed(0)} ms, heap +${heapMb.toFixed(0)} MB ` +
      `(${((heapMb * 1024 * 1024) / N / 1024).toFixed(1)} KiB an actor); stopping them all: ${stopped.toFixed(0)} ms`
  )
})

Effect.runPromise(program)
