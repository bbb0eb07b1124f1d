import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { listQuotas, writeQuota } from "../../../actors/space/quotas.ts"
import { defaultQuotaId } from "../../../storage/kinds/quota.ts"
import { Store } from "../../../storage/store.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { Users } from "../auth/users.ts"
import { storeErrors, userNotFound } from "../domainErrors.ts"

export const QuotasHandlers = HttpApiBuilder.group(KnotApi, "quotas", (handlers) =>
  Effect.gen(function*() {
    const store = yield* Store
    const users = yield* Users
    return handlers
      .handle("list", () => Effect.zipRight(requireAdmin, listQuotas(store)).pipe(Effect.catchTags(storeErrors)))
      .handle("setDefault", ({ payload }) =>
        Effect.zipRight(requireAdmin, writeQuota(store, defaultQuotaId, payload)).pipe(Effect.catchTags(storeErrors)))
      .handle("set", ({ path, payload }) =>
        Effect.zipRight(requireAdmin, Effect.zipRight(users.get(path.name), writeQuota(store, path.name, payload))).pipe(
          Effect.catchTags({ UserNotFound: userNotFound, ...storeErrors })
        ))
  }))
