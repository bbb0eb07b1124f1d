/** `knot space create|list|get|start|stop|delete`. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type { SpaceView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { spaceStreamCommands } from "./spaceStreams.command.ts"
import { spaceSshCommand } from "./spaceSsh.command.ts"
import { portLines } from "./spacePorts.ts"
import { resolveSpaceAddress, spaceArg } from "./spaceAddress.ts"
import { jsonOption, printJson, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import type { Session } from "./session.ts"
import { watchSpaces } from "./spaceWatch.ts"
import { spaceStatus, spacesTable } from "./spacesTable.ts"
import { renderFields } from "./table.ts"
import type { WaitTarget } from "./waitForSpace.ts"
import { waitForSpace } from "./waitForSpace.ts"


const noWait = Options.boolean("no-wait").pipe(
  Options.withDescription("return once the request is recorded, without waiting for the space")
)

const describeSpace = (space: SpaceView, ports: ReadonlyArray<string> = []) =>
  renderFields([
    ["name", space.name],
    ...(space.notice === undefined ? [] : [["notice", space.notice] as const]),
    ["id", space.id],
    ...(space.creation === undefined ? [] : [["creation", space.creation] as const]),
    ["status", spaceStatus(space)],
    ...(space.reason === undefined ? [] : [["reason", space.reason] as const]),
    ["template", space.template],
    ["owner", space.owner],
    ["node", space.node],
    ["zone", space.zone],
    ...(space.containerId === undefined ? [] : [["container", space.containerId] as const]),
    ...ports.map((line, i) => [i === 0 ? "ports" : "", line] as const)
  ])

/** Prints where a request left the space, after waiting for it unless told not to. */
const settle = (
  session: Session,
  space: SpaceView,
  options: { readonly json: boolean; readonly noWait: boolean },
  target: WaitTarget
) =>
  Effect.gen(function*() {
    if (options.noWait) {
      return yield* printResult(
        options.json,
        space,
        (view) => `space ${view.name}: ${target === "running" ? "start" : "stop"} requested (now ${view.observed}); follow it with \`knot space get ${view.owner}/${view.name}\``
      )
    }
    const final = yield* waitForSpace(session, space, target)
    yield* printResult(options.json, final, (view) => `space ${view.name} is ${view.observed} on ${view.node} (${view.zone})`)
  })

const create = Command.make(
  "create",
  {
    ...connectionOptions,
    json: jsonOption,
    noWait,
    template: Options.text("template").pipe(Options.withAlias("t"), Options.withDescription("the template to start it from")),
    reuse: Options.keyValueMap("reuse-volume").pipe(
      Options.withDescription("VOLUME=KEPT: mount one of your kept volumes (`knot volume list`) as the template's VOLUME"),
      Options.optional
    ),
    name: Args.text({ name: "name" }).pipe(Args.withDescription("a name for the space (a-z, 0-9, -), unique among yours"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const reuseVolumes = Option.match(input.reuse, {
        onNone: () => ({}),
        onSome: (pairs) => ({ reuseVolumes: Object.fromEntries(pairs) })
      })
      const space = yield* session.call(
        session.client.spaces.create({ payload: { name: input.name, template: input.template, ...reuseVolumes } })
      )
      yield* settle(session, space, input, "running")
    })
).pipe(Command.withDescription("create a space from a template and wait until it runs"))

const watch = Options.boolean("watch").pipe(
  Options.withAlias("w"),
  Options.withDescription("after the list, print each change as it happens, until interrupted (Ctrl-C)")
)

const list = Command.make("list", { ...connectionOptions, json: jsonOption, watch }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    if (input.watch) return yield* watchSpaces(session, { json: input.json, table: spacesTable, status: spaceStatus })
    const spaces = yield* session.call(session.client.spaces.list())
    yield* printResult(input.json, spaces, spacesTable)
  })).pipe(Command.withDescription("list your spaces (an admin's: every space); --watch follows their changes"))

const get = Command.make("get", { ...connectionOptions, json: jsonOption, space: spaceArg }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    const path = yield* resolveSpaceAddress(session, input.space)
    const space = yield* session.call(session.client.spaces.get({ path }))
    if (input.json) return yield* printJson(space)
    const template = yield* Effect.option(session.call(session.client.templates.get({ path: { name: space.template } })))
    const ports = portLines(session.connection.server, path, Option.getOrUndefined(template))
    yield* Console.log(describeSpace(space, ports))
  })).pipe(Command.withDescription("show a space, with where to reach its ports"))

const request = (name: "start" | "stop", target: WaitTarget, description: string) =>
  Command.make(name, { ...connectionOptions, json: jsonOption, noWait, space: spaceArg }, (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const path = yield* resolveSpaceAddress(session, input.space)
      const space = yield* session.call(session.client.spaces[name]({ path }))
      yield* settle(session, space, input, target)
    })).pipe(Command.withDescription(description))

const remove = Command.make("delete", { ...connectionOptions, json: jsonOption, space: spaceArg }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    const path = yield* resolveSpaceAddress(session, input.space)
    const space = yield* session.call(session.client.spaces.delete({ path }))
    if (input.json) return yield* printJson(space)
    yield* Console.log(`space ${space.name}: deletion requested; its node removes the container`)
  })).pipe(Command.withDescription("delete a space (its container, and the volumes its template does not keep)"))

export const spaceCommand = Command.make("space").pipe(
  Command.withDescription("create and drive spaces"),
  Command.withSubcommands([
    create,
    list,
    get,
    request("start", "running", "start a stopped space and wait until it runs"),
    request("stop", "stopped", "stop a space and wait until it has stopped"),
    remove,
    ...spaceStreamCommands,
    spaceSshCommand
  ])
)
