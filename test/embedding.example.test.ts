import { expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { ActorSystem, ActorSystemLive, type Behaviour, type Reply } from "../actors/index.ts"

type Msg = { readonly _tag: "Tick" } | { readonly _tag: "Count"; readonly reply: Reply<number> }

const ticker: Behaviour<Msg, number> = {
  init: (ctx) =>
    ctx.self.tell({ _tag: "Tick" }).pipe(Effect.delay("1 second"), Effect.forever, Effect.forkIn(ctx.scope), Effect.as(0)),
  receive: (n, msg) => (msg._tag === "Tick" ? Effect.succeed(n + 1) : Effect.as(msg.reply.succeed(n), n))
}

it.scoped("an actor ticks once every virtual second", () =>
  Effect.gen(function* () {
    const system = yield* ActorSystem
    const ref = yield* system.spawn(ticker, { name: "ticker" })
    yield* TestClock.adjust("10 seconds")
    expect(yield* ref.ask<number>((reply) => ({ _tag: "Count", reply }), "1 second")).toBe(10)
  }).pipe(Effect.provide(ActorSystemLive))
)
