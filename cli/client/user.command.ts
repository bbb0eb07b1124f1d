/** `knot user create|list` (admins). */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import type { UserView } from "../../effects/http/api.schemas.ts"
import type { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"
import { sshKeyCommand } from "./sshKey.command.ts"
import { readPasswords } from "./passwordInput.ts"

const create = Command.make(
  "create",
  {
    ...connectionOptions,
    json: jsonOption,
    role: Options.choice("role", ["user", "admin"]).pipe(
      Options.withDescription("admin: manages users, templates and every space"),
      Options.withDefault("user" as const)
    ),
    password: Options.boolean("password").pipe(
      Options.withDescription("ask for a password to sign in to the web UI with (or read it from stdin)")
    ),
    name: Args.text({ name: "name" }).pipe(Args.withDescription("the user's name (a-z, 0-9, -)"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const [password] = input.password ? yield* readPasswords(["Password: "]) : []
      const user = yield* session.call(session.client.users.create({ payload: { name: input.name, role: input.role } }))
      if (password !== undefined) {
        yield* session.call(session.client.sessions.setPassword({ path: { name: user.name }, payload: { password } }))
      }
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
        [
          { header: "NAME", cell: (user: UserView) => user.name },
          { header: "ROLE", cell: (user) => user.role },
          { header: "STATE", cell: (user) => (user.disabled === true ? "disabled" : "enabled") }
        ],
        rows
      ))
  })).pipe(Command.withDescription("list the users (admins)"))

const nameArg = Args.text({ name: "name" }).pipe(Args.withDescription("the user's name, from `knot user list`"))

/** One admin action on one user, printing one line of what it did. */
const accountCommand = (
  name: string,
  description: string,
  call: (session: Effect.Effect.Success<ReturnType<typeof openSession>>, user: string) => Effect.Effect<UserView, CliFailure>,
  done: (user: UserView) => string
) =>
  Command.make(name, { ...connectionOptions, json: jsonOption, name: nameArg }, (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      yield* printResult(input.json, yield* call(session, input.name), done)
    })).pipe(Command.withDescription(description))

const disable = accountCommand(
  "disable",
  "disable a user (admins): their tokens fail on every node at once and their running spaces stop",
  (session, name) => session.call(session.client.users.disable({ path: { name } })),
  (user) => `user ${user.name} disabled; their tokens no longer work and their running spaces stop`
)

const enable = accountCommand(
  "enable",
  "enable a disabled user again (admins); their spaces stay stopped until they start them",
  (session, name) => session.call(session.client.users.enable({ path: { name } })),
  (user) => `user ${user.name} enabled`
)

const remove = accountCommand(
  "delete",
  "delete a user (admins): their tokens fail at once; their spaces stop and are kept for an admin to remove",
  (session, name) => session.call(session.client.users.delete({ path: { name } })),
  (user) => `user ${user.name} deleted; their spaces are stopped and kept (\`knot space list\` shows them)`
)

const setRole = Command.make(
  "set-role",
  {
    ...connectionOptions,
    json: jsonOption,
    name: nameArg,
    role: Args.choice([["user", "user" as const], ["admin", "admin" as const]], { name: "role" }).pipe(
      Args.withDescription("user or admin")
    )
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const user = yield* session.call(session.client.users.setRole({ path: { name: input.name }, payload: { role: input.role } }))
      yield* printResult(input.json, user, (view) => `user ${view.name} is now ${view.role === "admin" ? "an admin" : "a user"}`)
    })
).pipe(Command.withDescription("make a user an admin, or an admin a user (admins)"))

const passwd = Command.make(
  "passwd",
  {
    ...connectionOptions,
    name: Args.text({ name: "name" }).pipe(
      Args.withDescription("whose password (admins: anyone's); absent: your own"),
      Args.optional
    )
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const me = yield* session.call(session.client.users.me())
      const name = input.name._tag === "Some" ? input.name.value : me.name
      const own = name === me.name
      const [password = "", repeated = "", current = ""] = yield* readPasswords(
        own ? ["New password: ", "Again: ", "Current password (empty if you have none): "] : ["New password: ", "Again: "]
      )
      if (password !== repeated) return yield* Effect.fail(new Error("the two passwords differ; nothing changed"))
      yield* session.call(session.client.sessions.setPassword({
        path: { name },
        payload: { password, ...(current === "" ? {} : { currentPassword: current }) }
      }))
      yield* Console.log(`password of ${name} set; their other browser sessions are signed out`)
    })
).pipe(Command.withDescription("set a password for the web UI (yours, with the current one; admins: anyone's)"))

export const userCommand = Command.make("user").pipe(
  Command.withDescription("manage users"),
  Command.withSubcommands([create, list, disable, enable, remove, setRole, passwd, sshKeyCommand])
)
