/** `knot template create|list|get|delete`. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import type { TemplateView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printJson, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderFields, renderTable } from "./table.ts"
import { readTemplateFile } from "./templateFile.ts"

const nameArg = Args.text({ name: "name" }).pipe(Args.withDescription("the template's name"))

const anyZone = (zones: ReadonlyArray<string>) => (zones.length === 0 ? "any" : zones.join(","))

const templatesTable = (templates: ReadonlyArray<TemplateView>) =>
  templates.length === 0
    ? "no templates; create one with `knot template create --file TEMPLATE.toml`"
    : renderTable(
      [
        { header: "NAME", cell: (template: TemplateView) => template.name },
        { header: "IMAGE", cell: (template) => template.image },
        { header: "ZONES", cell: (template) => anyZone(template.zones) },
        { header: "VOLUMES", cell: (template) => template.volumes.map((volume) => volume.mountPath).join(",") || "-" }
      ],
      templates
    )

const describeTemplate = (template: TemplateView) =>
  renderFields([
    ["name", template.name],
    ["image", template.image],
    ...(template.command === undefined ? [] : [["command", template.command.join(" ")] as const]),
    ["zones", anyZone(template.zones)],
    ...Object.entries(template.env).map(([key, value]) => [`env ${key}`, value] as const),
    ...template.volumes.map((volume) =>
      [`volume ${volume.name}`, `${volume.mountPath}${volume.keep ? " (kept when the space is deleted)" : ""}`] as const
    ),
    ...(template.memoryMb === undefined ? [] : [["memory", `${template.memoryMb} MB`] as const]),
    ...(template.cpus === undefined ? [] : [["cpus", String(template.cpus)] as const])
  ])

const create = Command.make(
  "create",
  {
    ...connectionOptions,
    json: jsonOption,
    file: Options.file("file").pipe(
      Options.withAlias("f"),
      Options.withDescription(
        "the template, in TOML (.toml) or JSON: name, image, and optionally command, env, volumes [{name, mountPath, keep}], zones, memoryMb, cpus"
      )
    )
  },
  (input) =>
    Effect.gen(function*() {
      const template = yield* readTemplateFile(input.file)
      const session = yield* openSession(input)
      const saved = yield* session.call(session.client.templates.put({ payload: template }))
      yield* printResult(input.json, saved, (view) => `template ${view.name} saved (${view.image})`)
    })
).pipe(Command.withDescription("create a template from a file, or replace the one of the same name (admins)"))

const list = Command.make("list", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    yield* printResult(input.json, yield* session.call(session.client.templates.list()), templatesTable)
  })).pipe(Command.withDescription("list the templates"))

const get = Command.make("get", { ...connectionOptions, json: jsonOption, name: nameArg }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    const template = yield* session.call(session.client.templates.get({ path: { name: input.name } }))
    yield* printResult(input.json, template, describeTemplate)
  })).pipe(Command.withDescription("show a template"))

const remove = Command.make("delete", { ...connectionOptions, json: jsonOption, name: nameArg }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    yield* session.call(session.client.templates.delete({ path: { name: input.name } }))
    if (input.json) return yield* printJson({ deleted: input.name })
    yield* Console.log(`template ${input.name} deleted`)
  })).pipe(Command.withDescription("delete a template (admins); its spaces keep running"))

export const templateCommand = Command.make("template").pipe(
  Command.withDescription("manage the templates spaces start from"),
  Command.withSubcommands([create, list, get, remove])
)
