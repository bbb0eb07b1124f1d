/** `knot audit` (admins): the writes made through the API, on any node. */
import { Command, Options } from "@effect/cli"
import { Clock, Duration, Effect, Option } from "effect"
import type { AuditEntryView } from "../../effects/http/api.schemas.ts"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

export const auditCommand = Command.make(
  "audit",
  {
    ...connectionOptions,
    json: jsonOption,
    since: Options.text("since").pipe(
      Options.withDescription("only entries this recent: a duration such as 1 hour or 30 minutes"),
      Options.optional
    ),
    user: Options.text("user").pipe(Options.withDescription("only this user's writes"), Options.optional)
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const now = yield* Clock.currentTimeMillis
      const since = Option.flatMap(input.since, (text) => Duration.decodeUnknown(text))
      if (Option.isSome(input.since) && Option.isNone(since)) {
        return yield* Effect.fail(new CliFailure({ message: `--since ${input.since.value} is not a duration; try --since "1 hour"` }))
      }
      const urlParams = {
        ...Option.match(since, { onNone: () => ({}), onSome: (duration) => ({ since: now - Duration.toMillis(duration) }) }),
        ...Option.match(input.user, { onNone: () => ({}), onSome: (user) => ({ user }) })
      }
      const entries = yield* session.call(session.client.audit.list({ urlParams }))
      yield* printResult(input.json, entries, (rows) =>
        renderTable(
          [
            { header: "TIME", cell: (entry: AuditEntryView) => new Date(entry.at).toISOString() },
            { header: "USER", cell: (entry) => entry.user ?? "-" },
            { header: "REQUEST", cell: (entry) => `${entry.method} ${entry.path}` },
            { header: "STATUS", cell: (entry) => String(entry.status) },
            { header: "FROM", cell: (entry) => entry.address },
            { header: "NODE", cell: (entry) => entry.node }
          ],
          rows
        ))
    })
).pipe(Command.withDescription("show the writes made through the API on every node: who, what, when, from where (admins)"))
