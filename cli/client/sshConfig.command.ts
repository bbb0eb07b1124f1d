/** `knot ssh-config`: a `Host knot-NAME` in ~/.ssh/config for each of your spaces, so `ssh knot-dev` (and VS Code's Remote-SSH) find them. */
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { CliFailure } from "./cliFailure.ts"
import { connectionOptions } from "./connection.ts"
import { openSession } from "./session.ts"
import { hostAlias, renderBlock, withBlock } from "./sshConfigBlock.ts"
import { sshGatewayOf, sshGatewayOptions, sshUserFor } from "./sshGatewayAddress.ts"

export const sshConfigCommand = Command.make(
  "ssh-config",
  {
    ...connectionOptions,
    ...sshGatewayOptions,
    file: Options.file("file").pipe(Options.withDescription("the SSH config to write; default: ~/.ssh/config"), Options.optional)
  },
  (input) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const session = yield* openSession(input)
      const me = yield* session.call(session.client.users.me())
      const spaces = (yield* session.call(session.client.spaces.list())).filter((space) => space.owner === me.id)
      const gateway = yield* sshGatewayOf(session, input)
      const block = renderBlock(gateway, spaces.map((space) => ({ alias: hostAlias(space.name), user: sshUserFor(space, me.id) })))
      const path = Option.getOrElse(input.file, () => join(homedir(), ".ssh", "config"))
      const failed = (error: { readonly message: string }) => new CliFailure({ message: `cannot write ${path}: ${error.message}` })
      yield* fs.makeDirectory(dirname(path), { recursive: true, mode: 0o700 }).pipe(Effect.mapError(failed))
      const current = (yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))
        ? yield* fs.readFileString(path).pipe(Effect.mapError(failed))
        : ""
      yield* fs.writeFileString(path, withBlock(current, block), { mode: 0o600 }).pipe(Effect.mapError(failed))
      yield* Console.log(
        spaces.length === 0
          ? `${path}: no spaces yet; run this again after \`knot space create\``
          : `${path}: ${spaces.map((space) => hostAlias(space.name)).join(", ")} (ssh ${hostAlias(spaces[0]!.name)})`
      )
    })
).pipe(Command.withDescription("write a Host knot-NAME for each of your spaces into ~/.ssh/config (one marked block, replaced on each run)"))
