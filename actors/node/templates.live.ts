/**
 * Templates as replicated `template` records, keyed by name. A leaf mirrors its origin's
 * templates and refuses to edit them (`readOnly`), so that a template has one place of truth.
 */
import { Effect, Either, Layer, Schema } from "effect"
import type { StoredRecord } from "../../storage/record.ts"
import { Template } from "../../storage/kinds/template.ts"
import { readableValueOf, readableValues } from "../../storage/readableRecords.ts"
import { Store } from "../../storage/store.ts"
import { decodeRecordValue, describeParseError } from "../space/recordCodec.ts"
import { TemplateNotFound } from "../space/spaces.errors.ts"
import type { TemplatesShape, TemplateView } from "./templates.ts"
import { TemplateInvalid, Templates, TemplatesManagedByOrigin } from "./templates.ts"

export const templateKind = "template"

export interface TemplatesOptions {
  /** On a leaf: templates come from this origin node and cannot be changed here. */
  readonly readOnly?: { readonly origin: string }
}

const decodeTemplate = Schema.decodeUnknownEither(Template, { errors: "all" })

const toView = (record: StoredRecord) =>
  Either.map(decodeRecordValue(Template, record), (template): TemplateView => ({
    ...template,
    updatedAt: record.version.wall
  }))

const make = (options: TemplatesOptions) =>
  Effect.map(Store, (store): TemplatesShape => {
    const refuseOnLeaf = options.readOnly === undefined
      ? Effect.void
      : Effect.fail(new TemplatesManagedByOrigin({ origin: options.readOnly.origin }))

    const get = (name: string) =>
      Effect.gen(function*() {
        const view = yield* readableValueOf(store, templateKind, name, toView)
        if (view === undefined) return yield* new TemplateNotFound({ template: name })
        return view
      })

    return {
      put: (input) =>
        Effect.gen(function*() {
          yield* refuseOnLeaf
          const template = yield* Either.mapLeft(
            decodeTemplate(input),
            (error) => new TemplateInvalid({ reason: describeParseError(error) })
          )
          const record = yield* store.put(templateKind, template.name, Schema.encodeSync(Template)(template))
          return { ...template, updatedAt: record.version.wall }
        }),
      list: Effect.flatMap(store.list(templateKind), (records) => readableValues(store, records, toView)),
      get,
      delete: (name) =>
        Effect.gen(function*() {
          yield* refuseOnLeaf
          yield* get(name)
          yield* store.delete(templateKind, name)
        })
    }
  })

export const TemplatesLive = {
  make,
  layer: (options: TemplatesOptions = {}): Layer.Layer<Templates, never, Store> =>
    Layer.effect(Templates, make(options))
}
