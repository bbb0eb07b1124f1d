/** Where a node's SSH gateway is, as the CLI finds it: the API's host, and `[ssh] listen`'s port (2222 unless told). */
import { Options } from "@effect/cli"
import { Option } from "effect"

export const defaultSshPort = 2222

export const sshGatewayOptions = {
  sshHost: Options.text("ssh-host").pipe(
    Options.withDescription("the SSH gateway's host; default: the host of the node's API URL"),
    Options.optional
  ),
  sshPort: Options.integer("ssh-port").pipe(
    Options.withDescription(`the SSH gateway's port ([ssh] listen on the node); default ${defaultSshPort}`),
    Options.withDefault(defaultSshPort)
  )
}

export interface SshGatewayAddress {
  readonly host: string
  readonly port: number
}

export const sshGatewayOf = (
  server: string,
  flags: { readonly sshHost: Option.Option<string>; readonly sshPort: number }
): SshGatewayAddress => ({
  host: Option.getOrElse(flags.sshHost, () => new URL(server).hostname.replace(/^\[|\]$/g, "")),
  port: flags.sshPort
})

/** The SSH user name of a space, as the gateway reads it: NAME for the caller's own, OWNER.NAME for another's. */
export const sshUserFor = (space: { readonly owner: string; readonly name: string }, caller: string): string =>
  space.owner === caller ? space.name : `${space.owner}.${space.name}`
