/** `knot quota set|list` (admins): how much of the cluster each user may use. */
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import type { QuotaView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

const bound = <A>(name: string, description: string, option: (name: string) => Options.Options<A>) =>
  option(name).pipe(Options.withDescription(description), Options.optional)

const describeQuota = (quota: QuotaView) => {
  const parts = [
    quota.maxSpaces === undefined ? undefined : `${quota.maxSpaces} spaces`,
    quota.maxRunning === undefined ? undefined : `${quota.maxRunning} running`,
    quota.maxMemoryMb === undefined ? undefined : `≤ ${quota.maxMemoryMb} MB a space`,
    quota.maxCpus === undefined ? undefined : `≤ ${quota.maxCpus} CPUs a space`,
    quota.defaultMemoryMb === undefined ? undefined : `${quota.defaultMemoryMb} MB by default`,
    quota.defaultCpus === undefined ? undefined : `${quota.defaultCpus} CPUs by default`
  ].filter((part) => part !== undefined)
  return parts.length === 0 ? "no bounds" : parts.join(", ")
}

const set = Command.make(
  "set",
  {
    ...connectionOptions,
    json: jsonOption,
    user: Args.text({ name: "user" }).pipe(
      Args.withDescription("a user's name, or `default`: the cluster's default for what a user's own quota leaves out")
    ),
    maxSpaces: bound("max-spaces", "how many spaces the user may have", Options.integer),
    maxRunning: bound("max-running", "how many of them may run at once", Options.integer),
    maxMemoryMb: bound("max-memory-mb", "the most memory a template may give one space", Options.integer),
    maxCpus: bound("max-cpus", "the most CPUs a template may give one space", Options.float),
    memoryMb: bound("memory-mb", "the memory a space gets when its template sets none", Options.integer),
    cpus: bound("cpus", "the CPUs a space gets when its template sets none", Options.float)
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const field = <K extends string>(key: K, value: Option.Option<number>) =>
        Option.match(value, { onNone: () => ({}), onSome: (n) => ({ [key]: n }) as Record<K, number> })
      const payload = {
        ...field("maxSpaces", input.maxSpaces),
        ...field("maxRunning", input.maxRunning),
        ...field("maxMemoryMb", input.maxMemoryMb),
        ...field("maxCpus", input.maxCpus),
        ...field("defaultMemoryMb", input.memoryMb),
        ...field("defaultCpus", input.cpus)
      }
      const quota = yield* session.call(
        input.user === "default"
          ? session.client.quotas.setDefault({ payload })
          : session.client.quotas.set({ path: { name: input.user }, payload })
      )
      yield* printResult(input.json, quota, (view) =>
        `${view.user === "*" ? "the cluster's default quota" : `${view.user}'s quota`}: ${describeQuota(view)}`)
    })
).pipe(Command.withDescription("set a user's quota, or the cluster's default (admins); what you leave out has no bound"))

const list = Command.make("list", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    yield* printResult(input.json, yield* session.call(session.client.quotas.list()), (rows) =>
      renderTable(
        [
          { header: "USER", cell: (quota: QuotaView) => (quota.user === "*" ? "(default)" : quota.user) },
          { header: "QUOTA", cell: describeQuota }
        ],
        rows
      ))
  })).pipe(Command.withDescription("list the quotas set (admins)"))

export const quotaCommand = Command.make("quota").pipe(
  Command.withDescription("limit how many spaces, running spaces, CPUs and memory users may have"),
  Command.withSubcommands([set, list])
)
