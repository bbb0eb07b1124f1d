import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Queue, Schedule, Stream } from "effect"
import type { LeafGate } from "../../transport/hyperswarm/leafGate.ts"
import { leafVerifier } from "../../transport/leaf/leafCredential.ts"
import { newClusterKey, startNode, Testnet, waitForPeerDown, waitForPeers, waitForRejection } from "./hyperswarmHarness.ts"

const secret = "ab".repeat(32)
const verifier = Buffer.from(leafVerifier(secret), "hex")

/** A gate that knows one leaf, `laptop`, and revokes it when told to. */
const gateFor = Effect.gen(function* () {
  const revocations = yield* Queue.unbounded<string>()
  const admitted: Array<string> = []
  const gate: LeafGate = {
    admission: (name, node) =>
      Effect.succeed(
        name === "laptop"
          ? Either.right({ verifier, admitted: Effect.sync(() => void admitted.push(node)) })
          : Either.left(`no leaf named ${name} was added on the cluster`)
      ),
    revoked: Stream.fromQueue(revocations)
  }
  return { gate, admitted, revoke: (name: string) => Queue.offer(revocations, name) }
})

/** A leaf of `origin` proving `name` with `key`; what it was told when refused is collected. */
const startLeaf = (origin: string, name: string, key: Uint8Array) =>
  Effect.gen(function* () {
    const refusals: Array<string> = []
    const node = yield* startNode({
      leaf: { name, verifier: key },
      peers: [Buffer.from(origin, "hex")],
      discover: false,
      onRefused: (_, reason) => Effect.sync(() => void refusals.push(reason))
    })
    return { node, refusals }
  })

/** Waits until the leaf has been told `reason`, failing after 5 s instead of hanging. */
const heard = (refusals: ReadonlyArray<string>, reason: string) =>
  Effect.suspend(() => (refusals.includes(reason) ? Effect.void : Effect.fail(new Error(`the leaf was not told: ${reason}`)))).pipe(
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeout(Duration.seconds(5))
  )

layer(Testnet.layer, { excludeTestServices: true })("a leaf's own credential", (it) => {
  it.scoped("links a leaf to its origin without the cluster key, and the origin knows it as that leaf", () =>
    Effect.gen(function* () {
      const { admitted, gate } = yield* gateFor
      const origin = yield* startNode({ clusterKey: newClusterKey(), leafGate: gate })
      const { node: leaf } = yield* startLeaf(origin.info.publicKey, "laptop", verifier)
      yield* waitForPeers(origin, [leaf.transport.self])
      yield* waitForPeers(leaf, [origin.transport.self])
      expect((yield* origin.info.links).map((link) => [link.peer, link.leaf])).toEqual([[leaf.transport.self, "laptop"]])
      expect(admitted).toContain(leaf.transport.self)
    }))

  it.scoped("refuses a leaf whose credential is wrong, and the leaf hears why", () =>
    Effect.gen(function* () {
      const { gate } = yield* gateFor
      const origin = yield* startNode({ clusterKey: newClusterKey(), leafGate: gate })
      const { node: leaf, refusals } = yield* startLeaf(origin.info.publicKey, "laptop", Buffer.alloc(32, 7))
      const rejection = yield* waitForRejection(origin.info, leaf.info.publicKey, "the origin to refuse the leaf")
      expect(rejection.reason).toBe("hello is not signed with leaf laptop's credential")
      yield* heard(refusals, "hello is not signed with leaf laptop's credential")
      expect(yield* origin.transport.connected).toEqual([])
    }))

  it.scoped("refuses a leaf name the cluster does not know", () =>
    Effect.gen(function* () {
      const { gate } = yield* gateFor
      const origin = yield* startNode({ clusterKey: newClusterKey(), leafGate: gate })
      const { node: leaf } = yield* startLeaf(origin.info.publicKey, "desktop", verifier)
      const rejection = yield* waitForRejection(origin.info, leaf.info.publicKey, "the origin to refuse the leaf")
      expect(rejection.reason).toBe("no leaf named desktop was added on the cluster")
    }))

  it.scoped("a node that takes no leaves refuses every leaf", () =>
    Effect.gen(function* () {
      const origin = yield* startNode({ clusterKey: newClusterKey() })
      const { node: leaf } = yield* startLeaf(origin.info.publicKey, "laptop", verifier)
      const rejection = yield* waitForRejection(origin.info, leaf.info.publicKey, "the origin to refuse the leaf")
      expect(rejection.reason).toBe("this node takes no leaves")
    }))

  it.scoped("closes a revoked leaf's link within 5 s, and the leaf hears that it was revoked", () =>
    Effect.gen(function* () {
      const { gate, revoke } = yield* gateFor
      const origin = yield* startNode({ clusterKey: newClusterKey(), leafGate: gate })
      const { node: leaf, refusals } = yield* startLeaf(origin.info.publicKey, "laptop", verifier)
      yield* waitForPeers(origin, [leaf.transport.self])
      yield* revoke("laptop")
      const down = yield* waitForPeerDown(leaf, origin.transport.self).pipe(
        Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error("the link outlived 5 s") })
      )
      expect(down.reason).toBe("the peer closed the link: leaf laptop's credential was revoked")
      yield* heard(refusals, "leaf laptop's credential was revoked")
    }))
})
