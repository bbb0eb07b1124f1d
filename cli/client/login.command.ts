/** `knot login`: checks a server and token, then saves them in the CLI config file. */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Redacted } from "effect"
import { writeCliSettings } from "./cliConfigFile.ts"
import { connectionOptions, resolveServer } from "./connection.ts"
import { sessionFor } from "./session.ts"

export const loginCommand = Command.make(
  "login",
  {
    server: connectionOptions.server,
    token: Options.redacted("token").pipe(Options.withDescription("the API token to use from now on"))
  },
  (input) =>
    Effect.gen(function*() {
      const server = yield* resolveServer(input.server)
      const session = yield* sessionFor({ server, token: input.token })
      const me = yield* session.call(session.client.users.me())
      const path = yield* writeCliSettings({ server, token: Redacted.value(input.token) })
      yield* Console.log(`logged in to ${server} as ${me.name} (${me.role}); saved in ${path}`)
    })
).pipe(Command.withDescription("check a server and token, and save them for the next commands"))
