import type { Effect } from "effect"
import { Context, Data } from "effect"
import type { Template } from "../../storage/kinds/template.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import type { TemplateNotFound } from "../space/spaces.errors.ts"

/** A leaf caches templates from its origin; they are edited there. */
export class TemplatesManagedByOrigin extends Data.TaggedError("TemplatesManagedByOrigin")<{
  readonly origin: string
}> {
  override get message() {
    return `templates are managed on the cluster; edit them on the origin node ${this.origin}`
  }
}

export class TemplateInvalid extends Data.TaggedError("TemplateInvalid")<{ readonly reason: string }> {
  override get message() {
    return `invalid template: ${this.reason}`
  }
}

export interface TemplateView extends Template {
  readonly updatedAt: number
}

export interface TemplatesShape {
  /** Creates or replaces the template named in it (validated with its Schema). */
  readonly put: (
    template: unknown
  ) => Effect.Effect<TemplateView, TemplateInvalid | TemplatesManagedByOrigin | StoreError>
  readonly list: Effect.Effect<ReadonlyArray<TemplateView>, StoreError>
  readonly get: (name: string) => Effect.Effect<TemplateView, TemplateNotFound | StoreError>
  readonly delete: (name: string) => Effect.Effect<void, TemplateNotFound | TemplatesManagedByOrigin | StoreError>
}

export class Templates extends Context.Tag("knot/Templates")<Templates, TemplatesShape>() {}
