import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option, Ref } from "effect"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { Store } from "../../../storage/store.ts"
import { readRefusedRecords } from "../../../transport/gossip/gossipMetrics.ts"
import { readTraffic } from "../../../transport/hyperswarm/trafficMetrics.ts"
import { KnotApi } from "../api.ts"
import type { Health } from "../api.schemas.ts"
import { EngineHealth } from "../engineHealth.ts"
import { SshListen } from "../../ssh/sshListen.ts"

export const HealthHandlers = HttpApiBuilder.group(KnotApi, "health", (handlers) =>
  Effect.gen(function*() {
    const cluster = yield* ClusterView
    const engine = yield* Effect.serviceOption(EngineHealth)
    const store = yield* Store
    const sshListen = yield* Effect.serviceOption(SshListen)
    return handlers.handle("health", () =>
      Effect.gen(function*() {
        const self = yield* cluster.self
        const ssh = Option.isSome(sshListen) ? yield* Ref.get(sshListen.value) : undefined
        const base = {
          node: self.id,
          mode: self.mode,
          zone: self.zone,
          quarantined: yield* store.quarantined,
          refused: yield* readRefusedRecords(self.id),
          ...(self.mode === "standalone" ? {} : { traffic: yield* readTraffic(self.id) }),
          ...(ssh === undefined ? {} : { ssh })
        }
        if (Option.isNone(engine)) return { status: "ok", ...base } satisfies Health
        const status = yield* engine.value.check
        return { status: status.status === "up" ? "ok" : "degraded", ...base, engine: status } satisfies Health
      }))
  }))
