/**
 * Where this node's SSH gateway listens, once it does: `/health` reports it, and the CLI's
 * `ssh-config` and `space ssh` take the gateway's port from there. Empty while the gateway is
 * off (`[ssh] listen = ""`) or could not take its port.
 */
import { Context, Layer, Ref } from "effect"

export interface SshListenAddress {
  readonly host: string
  readonly port: number
}

export class SshListen extends Context.Tag("knot/SshListen")<SshListen, Ref.Ref<SshListenAddress | undefined>>() {
  static readonly layer = Layer.effect(SshListen, Ref.make<SshListenAddress | undefined>(undefined))
}
