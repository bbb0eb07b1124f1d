/** `knot space ssh NAME [-- CMD]`: the system's ssh into a space, through the SSH gateway of the node the CLI talks to. */
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { openSession } from "./session.ts"
import { resolveSpaceAddress, spaceArg } from "./spaceAddress.ts"
import { sshGatewayOf, sshGatewayOptions, sshUserFor } from "./sshGatewayAddress.ts"

/** Runs ssh with the terminal handed over, and exits as it does. */
const runSsh = (args: ReadonlyArray<string>) =>
  Effect.async<never, CliFailure>((resume) => {
    const child = spawn("ssh", args, { stdio: "inherit" })
    child.once("error", (error: NodeJS.ErrnoException) =>
      resume(Effect.fail(new CliFailure({
        message: error.code === "ENOENT" ? "no ssh command here; install OpenSSH's client (Debian: openssh-client)" : `ssh: ${error.message}`
      }))))
    child.once("exit", (code, signal) => process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal])))
  })

export const spaceSshCommand = Command.make(
  "ssh",
  {
    ...connectionOptions,
    ...sshGatewayOptions,
    space: spaceArg,
    command: Args.text({ name: "command" }).pipe(Args.repeated, Args.withDescription("a command to run instead of a shell, after --"))
  },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const space = yield* resolveSpaceAddress(session, input.space)
      const me = yield* session.call(session.client.users.me())
      const gateway = yield* sshGatewayOf(session, input)
      return yield* runSsh(["-p", String(gateway.port), `${sshUserFor(space, me.id)}@${gateway.host}`, ...input.command])
    })
).pipe(Command.withDescription("ssh into a space with the system's ssh (your keys from `knot user ssh-key add`); -- CMD runs a command"))
