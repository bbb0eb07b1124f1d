import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Templates } from "../../../actors/node/templates.ts"
import { KnotApi } from "../api.ts"
import { requireAdmin } from "../auth/access.ts"
import { storeErrors, templateInvalid, templateNotFound, templatesManagedByOrigin } from "../domainErrors.ts"

export const TemplatesHandlers = HttpApiBuilder.group(KnotApi, "templates", (handlers) =>
  Effect.gen(function*() {
    const templates = yield* Templates
    return handlers
      .handle("put", ({ payload }) =>
        Effect.zipRight(requireAdmin, templates.put(payload)).pipe(
          Effect.catchTags({
            TemplateInvalid: templateInvalid,
            TemplatesManagedByOrigin: templatesManagedByOrigin,
            ...storeErrors
          })
        ))
      .handle("list", () => templates.list.pipe(Effect.catchTags(storeErrors)))
      .handle("get", ({ path }) =>
        templates.get(path.name).pipe(Effect.catchTags({ TemplateNotFound: templateNotFound, ...storeErrors })))
      .handle("delete", ({ path }) =>
        Effect.zipRight(requireAdmin, templates.delete(path.name)).pipe(
          Effect.catchTags({
            TemplateNotFound: templateNotFound,
            TemplatesManagedByOrigin: templatesManagedByOrigin,
            ...storeErrors
          })
        ))
  }))
