/**
 * A node's API (standalone unless told otherwise) on an ephemeral port of 127.0.0.1 over a
 * MemoryStore, with its admin bootstrapped (no space actors run: a space stays as its requests
 * leave it); plus a raw `fetch` helper, so that tests see the wire exactly as any client does
 * (statuses, headers, bodies).
 */
import { Context, Effect, Layer, Ref, Stream } from "effect"
import { StandaloneClusterView } from "../../actors/node/clusterView.standalone.ts"
import { TemplatesLive } from "../../actors/node/templates.live.ts"
import { SpacesLive } from "../../actors/space/spaces.live.ts"
import { makeApiServer, serverUrl } from "../../effects/http/apiServer.ts"
import { bootstrapAdmin } from "../../effects/http/auth/bootstrapAdmin.ts"
import { SecureRandom } from "../../effects/http/auth/secureRandom.ts"
import { defaultSignInPolicy, type SignInPolicy } from "../../effects/http/auth/signInLimiter.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import type { NodeMode } from "../../storage/kinds/node.ts"
import { NodeId } from "../../storage/record.ts"
import type { StoreShape } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { OriginLink, type OriginLinkShape } from "../../actors/node/originLink.ts"
import { ContainerStreams } from "../../effects/container/containerStreams.ts"
import { engineLessStreams } from "../support/engineLessStreams.ts"
import { SshListen, type SshListenAddress } from "../../effects/ssh/sshListen.ts"

export interface WireResponse {
  readonly status: number
  readonly contentType: string | null
  /** Parsed JSON, or the text when the body is not JSON. */
  readonly body: any
}

export interface RequestOptions {
  readonly token?: string
  /** Serialized as JSON. */
  readonly json?: unknown
  /** Sent as it is, with a JSON content type. */
  readonly raw?: string
}

export interface TestApiShape {
  readonly url: string
  readonly store: StoreShape
  /** The bootstrap admin's token. */
  readonly adminToken: string
  readonly request: (method: string, path: string, options?: RequestOptions) => Effect.Effect<WireResponse>
  /** A new user (via the API, as admin) and a token for them. */
  readonly userWithToken: (name: string, role?: "admin" | "user") => Effect.Effect<string>
}

export class TestApi extends Context.Tag("test/TestApi")<TestApi, TestApiShape>() {}

export const fetchJson = (url: string, method: string, options: RequestOptions = {}): Effect.Effect<WireResponse> =>
  Effect.promise(async () => {
    const headers: Record<string, string> = {}
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json))
    if (body !== undefined) headers["content-type"] = "application/json"
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === "" ? undefined : JSON.parse(text)
    } catch {
      // Not JSON: the test sees the text.
    }
    return { status: response.status, contentType: response.headers.get("content-type"), body: parsed }
  })

export const testNodeId = "node-a"
export const testZone = "eu-west"

export interface TestNodeOptions {
  /**
   * What the node's ClusterView says it is; default "standalone". Another mode changes only
   * that answer (it still sees itself alone): enough for the API's checks of the node's mode.
   */
  readonly mode?: NodeMode
  /**
   * How failed sign-ins are slowed. By default none is: most tests send wrong tokens to route
   * after route from one address on purpose; signInLimits.test.ts runs the node's own policy.
   */
  readonly signIn?: SignInPolicy
  /** The engine side of space streams; by default none opens. */
  readonly containerStreams?: Layer.Layer<ContainerStreams>
  /** A leaf's link to its origin: the node then answers as a leaf does where the API asks. */
  readonly originLink?: OriginLinkShape
  /** The node's store; by default a fresh MemoryStore. */
  readonly store?: Layer.Layer<Store, StoreError>
  /** Where the node's SSH gateway says it listens; by default it runs none. */
  readonly sshListen?: SshListenAddress
}

const unlimitedSignIn: SignInPolicy = { ...defaultSignInPolicy, freeFailures: Number.MAX_SAFE_INTEGER }

/** An engine side whose streams never end by themselves: whatever ends one is the node. */
export const endlessContainerStreams = Layer.succeed(ContainerStreams, {
  open: () =>
    Effect.succeed({
      output: Stream.never,
      exit: Effect.succeed(undefined),
      write: () => Effect.void,
      endInput: Effect.void,
      resize: () => Effect.void
    })
})

/** A node's services over a fresh MemoryStore, without its space actors. */
export const nodeServicesOf = (options: TestNodeOptions = {}) =>
  engineLessStreams(testNodeId, options.containerStreams).pipe(
    Layer.provideMerge(
      options.originLink === undefined ? Layer.empty : Layer.succeed(OriginLink, options.originLink)
    ),
    Layer.provideMerge(
      options.sshListen === undefined ? Layer.empty : Layer.effect(SshListen, Ref.make<SshListenAddress | undefined>(options.sshListen))
    ),
    Layer.provideMerge(SpacesLive),
    Layer.provideMerge(TemplatesLive.layer()),
    Layer.provideMerge(StandaloneClusterView.layer({ zone: testZone, ...options })),
    Layer.provideMerge(options.store ?? MemoryStore.layer({ nodeId: NodeId.make(testNodeId), maxDriftMs: 60_000 })),
    Layer.provideMerge(SecureRandom.live)
  )

/** A standalone node's services. */
export const nodeServices = nodeServicesOf()

export const makeTestApiOf = (options: TestNodeOptions = {}) =>
  Layer.scoped(
    TestApi,
    Effect.gen(function*() {
      const context = yield* Layer.build(
        makeApiServer({ listen: { host: "127.0.0.1", port: 0 }, signIn: options.signIn ?? unlimitedSignIn }).pipe(
          Layer.provideMerge(nodeServicesOf(options))
        )
      )
      const url = yield* Effect.provide(serverUrl, context)
      const store = Context.get(context, Store)
      const outcome = yield* bootstrapAdmin({ adminName: "root" }).pipe(Effect.provide(context), Effect.orDie)
      if (outcome._tag !== "Created") return yield* Effect.dieMessage("a fresh store was not bootstrapped")
      const adminToken = outcome.token.secret
      const request = (method: string, path: string, options?: RequestOptions) =>
        fetchJson(`${url}${path}`, method, options)
      const userWithToken = (name: string, role: "admin" | "user" = "user") =>
        Effect.gen(function*() {
          yield* request("POST", "/api/users", { token: adminToken, json: { name, role } })
          const issued = yield* request("POST", "/api/tokens", { token: adminToken, json: { user: name } })
          return issued.body.secret as string
        })
      return { url, store, adminToken, request, userWithToken }
    })
  )

/** A standalone node's API. */
export const makeTestApi = makeTestApiOf()
