/**
 * The one block of `~/.ssh/config` that `knot ssh-config` owns, between two marker lines: a
 * run replaces it where it is (or appends it), and leaves every other line as it was.
 */
import type { SshGatewayAddress } from "./sshGatewayAddress.ts"

export const blockStart = "# >>> knot: written by `knot ssh-config`; edits between these lines are replaced >>>"
export const blockEnd = "# <<< knot <<<"

export interface SshConfigHost {
  /** `knot-NAME`. */
  readonly alias: string
  /** The gateway's user name for the space. */
  readonly user: string
}

export const hostAlias = (space: string): string => `knot-${space}`

export const renderBlock = (gateway: SshGatewayAddress, hosts: ReadonlyArray<SshConfigHost>): string =>
  [
    blockStart,
    ...hosts.flatMap((host) => [
      `Host ${host.alias}`,
      `  HostName ${gateway.host}`,
      `  Port ${gateway.port}`,
      `  User ${host.user}`,
      // Every space is one gateway: one known_hosts entry serves them all.
      `  HostKeyAlias knot-gateway-${gateway.host}-${gateway.port}`
    ]),
    blockEnd
  ].join("\n")

/** `config` with its knot block replaced by `block` (or `block` appended); nothing else changes. */
export const withBlock = (config: string, block: string): string => {
  const lines = config.split("\n")
  const start = lines.indexOf(blockStart)
  const end = start === -1 ? -1 : lines.indexOf(blockEnd, start)
  if (start !== -1 && end !== -1) return [...lines.slice(0, start), block, ...lines.slice(end + 1)].join("\n")
  const body = config.replace(/\n*$/, "")
  return body === "" ? `${block}\n` : `${body}\n\n${block}\n`
}
