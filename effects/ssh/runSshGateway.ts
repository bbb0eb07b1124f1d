/** The node's SSH gateway as `knot server` runs it: its host key from the data directory (or the cluster key), then the server. */
import { Console, Effect, Ref } from "effect"
import { loadOrCreateHostKey } from "./hostKey.ts"
import { serveSshGateway } from "./sshGateway.ts"
import { SshListen } from "./sshListen.ts"

export interface RunSshGatewayOptions {
  /** `host:port` as `[ssh] listen` checked it. */
  readonly listen: string
  readonly dataDir: string
  /** A cluster node's: every node holding it presents the same host key. */
  readonly clusterKey: string | undefined
}

const hostAndPort = (listen: string) => {
  const colon = listen.lastIndexOf(":")
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(listen.slice(colon + 1)) }
}

export const runSshGateway = (options: RunSshGatewayOptions) =>
  Effect.gen(function*() {
    const hostKey = yield* loadOrCreateHostKey(options.dataDir, options.clusterKey)
    const listen = hostAndPort(options.listen)
    // The API is the node's first face: a taken SSH port (a second node on one machine) costs only SSH.
    const gateway = yield* serveSshGateway({ listen, hostKey }).pipe(
      Effect.catchTag("SshListenFailed", (error) => Effect.as(Console.error(`${error.message}; the node runs without it`), undefined))
    )
    if (gateway === undefined) return
    yield* Ref.set(yield* SshListen, { host: listen.host, port: gateway.port })
    const made = hostKey.origin === "cluster key" ? "the cluster's, derived from its key" : hostKey.origin === "new" ? "new" : "this node's"
    yield* Console.log(
      `ssh gateway on ${listen.host}:${gateway.port}, host key ${hostKey.fingerprint} (ed25519, ${made}); ` +
        `connect with ssh -p ${gateway.port} SPACE@${listen.host}`
    )
  })
