/**
 * Where a node's SSH gateway is, as the CLI finds it: the API's host, and the port the node's
 * `/health` says its gateway listens on (`[ssh] listen`), unless the flags say otherwise.
 */
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { CliFailure } from "./cliFailure.ts"
import type { Session } from "./session.ts"

export const sshGatewayOptions = {
  sshHost: Options.text("ssh-host").pipe(
    Options.withDescription("the SSH gateway's host; default: the host of the node's API URL"),
    Options.optional
  ),
  sshPort: Options.integer("ssh-port").pipe(
    Options.withDescription("the SSH gateway's port; default: the one the node says it listens on ([ssh] listen)"),
    Options.optional
  )
}

export interface SshGatewayAddress {
  readonly host: string
  readonly port: number
}

export const sshGatewayOf = (
  session: Session,
  flags: { readonly sshHost: Option.Option<string>; readonly sshPort: Option.Option<number> }
): Effect.Effect<SshGatewayAddress, CliFailure> =>
  Effect.gen(function*() {
    const host = Option.getOrElse(flags.sshHost, () => new URL(session.connection.server).hostname.replace(/^\[|\]$/g, ""))
    if (Option.isSome(flags.sshPort)) return { host, port: flags.sshPort.value }
    const health = yield* session.call(session.client.health.health())
    if (health.ssh === undefined) {
      return yield* new CliFailure({
        message: `the node at ${session.connection.server} runs no SSH gateway ([ssh] listen is "" or its port was taken); ` +
          "give --ssh-port if one listens elsewhere"
      })
    }
    return { host, port: health.ssh.port }
  })

/** The SSH user name of a space, as the gateway reads it: NAME for the caller's own, OWNER.NAME for another's. */
export const sshUserFor = (space: { readonly owner: string; readonly name: string }, caller: string): string =>
  space.owner === caller ? space.name : `${space.owner}.${space.name}`
