/** `knot token create|list|revoke`. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import type { TokenView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printJson, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

const tokensTable = (tokens: ReadonlyArray<TokenView>) =>
  renderTable(
    [
      { header: "ID", cell: (token: TokenView) => token.id },
      { header: "NAME", cell: (token) => token.name ?? "-" },
      { header: "USER", cell: (token) => token.user },
      { header: "CREATED", cell: (token) => new Date(token.createdAt).toISOString() }
    ],
    tokens
  )

const create = Command.make(
  "create",
  {
    ...connectionOptions,
    json: jsonOption,
    user: Options.text("user").pipe(
      Options.withDescription("the user it acts as (admins only); default: you"),
      Options.optional
    ),
    name: Options.text("name").pipe(Options.withDescription("a label, such as laptop or ci"), Options.optional)
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const issued = yield* session.call(session.client.tokens.create({
        payload: {
          ...Option.match(input.user, { onNone: () => ({}), onSome: (user) => ({ user }) }),
          ...Option.match(input.name, { onNone: () => ({}), onSome: (name) => ({ name }) })
        }
      }))
      if (input.json) return yield* printJson(issued)
      // The secret alone on stdout, so that `TOKEN=$(knot token create)` works; the note on stderr.
      yield* Console.error(`token ${issued.id} for ${issued.user}; store it now, it is not shown again:`)
      yield* Console.log(issued.secret)
    })
).pipe(Command.withDescription("create an API token and print its secret, once"))

const list = Command.make(
  "list",
  {
    ...connectionOptions,
    json: jsonOption,
    all: Options.boolean("all").pipe(Options.withDescription("every user's tokens (admins)"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const urlParams = input.all ? { all: "true" as const } : {}
      yield* printResult(input.json, yield* session.call(session.client.tokens.list({ urlParams })), tokensTable)
    })
).pipe(Command.withDescription("list your tokens, or with --all everyone's (never their secrets)"))

const revoke = Command.make(
  "revoke",
  { ...connectionOptions, id: Args.text({ name: "id" }).pipe(Args.withDescription("the token's id, from `knot token list`")) },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      yield* session.call(session.client.tokens.revoke({ path: { id: input.id } }))
      yield* Console.log(`token ${input.id} revoked`)
    })
).pipe(Command.withDescription("revoke a token, yours or (admins) anyone's: it stops working at once"))

export const tokenCommand = Command.make("token").pipe(
  Command.withDescription("manage API tokens"),
  Command.withSubcommands([create, list, revoke])
)
