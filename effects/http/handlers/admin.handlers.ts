import { HttpApiBuilder } from "@effect/platform"
import { Clock, Effect, Option } from "effect"
import { encodeBackup } from "../../../storage/backupFile.ts"
import { Store } from "../../../storage/store.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { storeErrors } from "../domainErrors.ts"
import { NodeKeyPairSource } from "../nodeKeyPairSource.ts"

export const AdminHandlers = HttpApiBuilder.group(KnotApi, "admin", (handlers) =>
  Effect.gen(function*() {
    const store = yield* Store
    const keys = yield* Effect.serviceOption(NodeKeyPairSource)
    return handlers.handle("backup", () =>
      Effect.gen(function*() {
        yield* requireAdmin
        const keyPair = Option.isSome(keys) ? yield* keys.value.read : undefined
        const entries = yield* store.snapshot
        return encodeBackup(
          {
            format: "knot-backup",
            version: 1,
            node: store.nodeId,
            createdAt: yield* Clock.currentTimeMillis,
            ...(keyPair === undefined ? {} : { keyPair })
          },
          entries
        )
      }).pipe(Effect.catchTags(storeErrors)))
  }))
