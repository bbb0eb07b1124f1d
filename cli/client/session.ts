/** A command's connection to a node: the resolved server and token, and a client to call it with. */
import type { FileSystem } from "@effect/platform"
import { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import type { CliFailure } from "./cliFailure.ts"
import type { Connection, ConnectionFlags } from "./connection.ts"
import { resolveConnection } from "./connection.ts"
import type { ClientError, KnotClient } from "./knotClient.ts"
import { makeKnotClient, request } from "./knotClient.ts"

export interface Session {
  readonly connection: Connection
  readonly client: KnotClient
  /** One request, bounded in time, its failure as one line. */
  readonly call: <A, Err extends ClientError, R>(effect: Effect.Effect<A, Err, R>) => Effect.Effect<A, CliFailure, R>
}

export const sessionFor = (connection: Connection): Effect.Effect<Session, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const client = yield* makeKnotClient(connection)
    return { connection, client, call: (effect) => request(connection, effect, http) }
  })

export const openSession = (
  flags: ConnectionFlags
): Effect.Effect<Session, CliFailure, FileSystem.FileSystem | HttpClient.HttpClient> =>
  Effect.flatMap(resolveConnection(flags), sessionFor)
