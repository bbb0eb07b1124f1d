import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Store } from "../../../storage/store.ts"
import { KnotApi } from "../api.ts"
import { readAudit } from "../audit/auditLog.ts"
import { requireAdmin } from "../auth/access.ts"
import { storeErrors } from "../domainErrors.ts"

export const AuditHandlers = HttpApiBuilder.group(KnotApi, "audit", (handlers) =>
  Effect.map(Store, (store) =>
    handlers.handle("list", ({ urlParams }) =>
      Effect.zipRight(
        requireAdmin,
        readAudit(store, {
          ...(urlParams.since === undefined ? {} : { since: urlParams.since }),
          ...(urlParams.user === undefined ? {} : { user: urlParams.user })
        })
      ).pipe(Effect.catchTags(storeErrors)))))
