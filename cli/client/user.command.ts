/** `knot user create|list` (admins). */
import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import type { UserView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

const create = Command.make(
  "create",
  {
    ...connectionOptions,
    json: jsonOption,
    role: Options.choice("role", ["user", "admin"]).pipe(
      Options.withDescription("admin: manages users, templates and every space"),
      Options.withDefault("user" as const)
    ),
    name: Args.text({ name: "name" }).pipe(Args.withDescription("the user's name (a-z, 0-9, -)"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const user = yield* session.call(session.client.users.create({ payload: { name: input.name, role: input.role } }))
      yield* printResult(
        input.json,
        user,
        (view) => `user ${view.name} created (${view.role}); give them a token with \`knot token create --user ${view.name}\``
      )
    })
).pipe(Command.withDescription("create a user (admins)"))

const list = Command.make("list", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    const users = yield* session.call(session.client.users.list())
    yield* printResult(input.json, users, (rows) =>
      renderTable(
        [{ header: "NAME", cell: (user: UserView) => user.name }, { header: "ROLE", cell: (user) => user.role }],
        rows
      ))
  })).pipe(Command.withDescription("list the users (admins)"))

export const userCommand = Command.make("user").pipe(
  Command.withDescription("manage users"),
  Command.withSubcommands([create, list])
)
