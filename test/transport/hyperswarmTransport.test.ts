import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Layer, Schedule } from "effect"
import { encodeFrame } from "../../transport/codec/frame.ts"
import { encodeHello } from "../../transport/hyperswarm/hello.ts"
import { HyperswarmTransport, loadOrCreateKeyPair, nodeIdOfKey } from "../../transport/hyperswarm/index.ts"
import {
  makeDataDir,
  newClusterKey,
  signedHello,
  startNode,
  startRawPeer,
  type TestNode,
  Testnet,
  upPeers,
  waitFor,
  waitForFrame,
  waitForPeerDown,
  waitForPeers,
  waitForRejection
} from "./hyperswarmHarness.ts"

const bytes = (...values: ReadonlyArray<number>) => new Uint8Array(values)

const id = (node: TestNode) => node.transport.self

layer(Testnet.layer, { excludeTestServices: true })("HyperswarmTransport on a loopback DHT", (it) => {
  describe("a cluster of three", () => {
    it.scoped("meshes: every node sees the other two come up", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const nodes = yield* Effect.all([1, 2, 3].map(() => startNode({ clusterKey })))
        const ids = nodes.map((node) => node.transport.self).sort()
        yield* Effect.all(
          nodes.map((node) => waitForPeers(node, ids.filter((id) => id !== node.transport.self))),
          { concurrency: "unbounded" }
        )
        for (const node of nodes) {
          expect([...(yield* node.transport.connected)].sort()).toEqual(ids.filter((id) => id !== node.transport.self))
        }
      })
    )

    it.scoped("delivers a frame sent by one node to each addressee with the sender's id", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const [n1, n2, n3] = yield* Effect.all([1, 2, 3].map(() => startNode({ clusterKey })))
        if (n1 === undefined || n2 === undefined || n3 === undefined) return yield* Effect.die("three nodes expected")
        yield* waitForPeers(n1, [id(n2), id(n3)])
        yield* waitForPeers(n2, [id(n1)])
        yield* waitForPeers(n3, [id(n1)])
        yield* n1.transport.send(id(n2), bytes(1, 2, 3))
        yield* n1.transport.send(id(n3), bytes(4, 5))
        const at2 = yield* waitForFrame(n2, id(n1))
        const at3 = yield* waitForFrame(n3, id(n1))
        expect([...at2.bytes]).toEqual([1, 2, 3])
        expect([...at3.bytes]).toEqual([4, 5])
      })
    )

    it.scoped("lists each link with the peer's public key for cluster status", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey })
        const b = yield* startNode({ clusterKey })
        yield* waitForPeers(a, [id(b)])
        yield* waitForPeers(b, [id(a)])
        yield* b.transport.send(id(a), bytes(9))
        yield* waitForFrame(a, id(b))
        const links = yield* a.info.links
        expect(links.map((link) => [link.peer, link.publicKey])).toEqual([[id(b), b.info.publicKey]])
        expect(links[0]?.lastFrameAt).toBeGreaterThanOrEqual(links[0]?.connectedSince ?? Infinity)
      })
    )
  })

  describe("authentication", () => {
    it.scoped("never links a node holding another cluster key, in either direction", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey() })
        const intruder = yield* startNode({
          clusterKey: newClusterKey(),
          peers: [Buffer.from(a.info.publicKey, "hex")]
        })
        const atA = yield* waitForRejection(a.info, intruder.info.publicKey, "a to reject the intruder")
        const atIntruder = yield* waitForRejection(intruder.info, a.info.publicKey, "the intruder to reject a")
        expect(atA.reason).toMatch(/cluster's key/)
        expect(atIntruder.reason).toMatch(/cluster's key/)
        yield* intruder.transport.send(id(a), bytes(1))
        yield* a.transport.send(id(intruder), bytes(2))
        expect(yield* a.transport.connected).toEqual([])
        expect(yield* intruder.transport.connected).toEqual([])
        expect(upPeers(yield* a.events.get).size).toBe(0)
        expect(upPeers(yield* intruder.events.get).size).toBe(0)
        expect(yield* a.received.get).toEqual([])
        expect(yield* intruder.received.get).toEqual([])
      })
    )

    it.scoped("drops a peer that sends data before its hello, without delivering the data", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey })
        const raw = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), (session) => {
          session.sendData(Either.getOrThrow(encodeFrame(bytes(7), "raw")))
          session.sendHello(signedHello(clusterKey, session))
        })
        const rejection = yield* waitForRejection(a.info, raw.publicKey, "a to reject the raw peer")
        expect(rejection.reason).toBe("sent data before authenticating")
        expect(yield* a.received.get).toEqual([])
        expect(upPeers(yield* a.events.get).size).toBe(0)
        expect(raw.state.dataReceived).toBe(0)
      })
    )

    it.scoped("drops a peer whose hello carries a wrong MAC, without delivering what follows", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey() })
        const raw = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), (session) => {
          session.sendHello(
            encodeHello({
              v: 1,
              nodeId: nodeIdOfKey(session.publicKey),
              publicKey: session.publicKey.toString("hex"),
              session: "00".repeat(16),
              mac: "ab".repeat(32)
            })
          )
          session.sendData(Either.getOrThrow(encodeFrame(bytes(7), "raw")))
        })
        const rejection = yield* waitForRejection(a.info, raw.publicKey, "a to reject the raw peer")
        expect(rejection.reason).toMatch(/cluster's key/)
        expect(yield* a.received.get).toEqual([])
        expect(upPeers(yield* a.events.get).size).toBe(0)
      })
    )

    it.scoped("refuses a hello that claims another node's id with another key, and leaves that node's link up", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey })
        const b = yield* startNode({ clusterKey })
        yield* waitForPeers(a, [id(b)])
        const seen = (yield* a.events.get).length
        const impostor = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), (session) => {
          session.sendHello(signedHello(clusterKey, session, id(b)))
        })
        const rejection = yield* waitForRejection(a.info, impostor.publicKey, "a to refuse the impostor")
        expect(rejection.reason).toBe(`hello claims node id ${id(b)}, but its key is node ${impostor.nodeId}'s`)
        yield* b.transport.send(id(a), bytes(5))
        yield* waitForFrame(a, id(b))
        expect((yield* a.events.get).slice(seen)).toEqual([])
        expect((yield* a.info.links).map((link) => [link.peer, link.publicKey])).toEqual([[id(b), b.info.publicKey]])
      })
    )

    it.scoped("takes a node's id from its key, the same across restarts", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey() })
        expect(id(a)).toBe(nodeIdOfKey(Buffer.from(a.info.publicKey, "hex")))
        yield* a.stop
        const again = yield* startNode({ clusterKey: newClusterKey(), dataDir: a.dataDir })
        expect(id(again)).toBe(id(a))
      })
    )

    it.scoped("refuses a peer that failed to authenticate for a while, then lets it try again", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey(), banFor: "400 millis" })
        const raw = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), (session) => {
          session.sendHello(signedHello(newClusterKey(), session))
        })
        yield* waitForRejection(a.info, raw.publicKey, "a to reject the raw peer")
        const [ban] = yield* a.info.banned
        expect(ban?.publicKey).toBe(raw.publicKey)
        yield* Effect.sleep("500 millis")
        expect(yield* a.info.banned).toEqual([])
      })
    )

    it.scoped("refuses strangers past the cap on unauthenticated connections, and still links to its own peers", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        // b's key is known before it starts, so that a dials it (its own dial) once it is up.
        const bDataDir = yield* makeDataDir
        const bKey = (yield* loadOrCreateKeyPair(bDataDir).pipe(Effect.provide(NodeContext.layer))).publicKey
        const a = yield* startNode({ clusterKey, maxUnauthenticated: 1, authTimeout: "8 seconds", peers: [bKey] })
        const target = Buffer.from(a.info.publicKey, "hex")
        const silent = yield* startRawPeer(target, () => undefined)
        yield* a.info.awaitingHello.pipe(
          Effect.repeat({ until: (waiting) => waiting === 1 || silent.state.closed, schedule: Schedule.spaced("20 millis") }),
          Effect.timeout("8 seconds")
        )
        const second = yield* startRawPeer(target, () => undefined)
        const refused = yield* waitForRejection(a.info, second.publicKey, "a to refuse the second stranger")
        expect(refused.reason).toBe("1 connections are already waiting to authenticate")
        const b = yield* startNode({ clusterKey, dataDir: bDataDir })
        yield* waitForPeers(a, [id(b)])
      })
    )

    it.scoped("drops a peer that stays silent past the authentication timeout", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey(), authTimeout: "300 millis" })
        const raw = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), () => undefined)
        const rejection = yield* waitForRejection(a.info, raw.publicKey, "a to time the raw peer out")
        expect(rejection.reason).toMatch(/no hello within/)
      })
    )
  })

  describe("link lifecycle", () => {
    it.scoped("reports PeerDown when a peer stops and PeerUp when it returns with the same key pair", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey })
        const b = yield* startNode({ clusterKey })
        yield* waitForPeers(a, [id(b)])
        const seen = (yield* a.events.get).length
        yield* b.stop
        yield* waitForPeerDown(a, id(b), seen)
        const again = yield* startNode({ clusterKey, dataDir: b.dataDir })
        expect(again.info.publicKey).toBe(b.info.publicKey)
        yield* waitFor(a.events, (log) => log.slice(seen).find((event) => event._tag === "PeerUp" && event.peer === id(b)), "b up again")
        yield* waitForPeers(again, [id(a)])
      })
    )

    it.scoped("closes a link that hears nothing, not even keepalives, past the link timeout", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey, linkTimeout: "500 millis" })
        const frozen = yield* startRawPeer(Buffer.from(a.info.publicKey, "hex"), (session) => {
          session.stopKeepAlive()
          session.sendHello(signedHello(clusterKey, session))
        })
        yield* waitForPeers(a, [frozen.nodeId])
        const down = yield* waitForPeerDown(a, frozen.nodeId)
        expect(down.reason).toBe("Stream timed out")
      })
    )

    it.scoped("drops a peer on request, and both ends see the link go down", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const a = yield* startNode({ clusterKey })
        const b = yield* startNode({ clusterKey })
        yield* waitForPeers(a, [id(b)])
        yield* waitForPeers(b, [id(a)])
        yield* a.transport.drop(id(b), "misbehaved in a test")
        const down = yield* waitForPeerDown(a, id(b))
        expect(down.reason).toBe("misbehaved in a test")
        yield* waitForPeerDown(b, id(a))
      })
    )
  })

  describe("frame size", () => {
    it.scoped("refuses to send a frame over the limit with FrameTooLarge", () =>
      Effect.gen(function* () {
        const a = yield* startNode({ clusterKey: newClusterKey(), maxFrameBytes: 1024 })
        const error = yield* a.transport.send("n-000000000000", new Uint8Array(2000)).pipe(Effect.flip)
        expect(error._tag).toBe("FrameTooLarge")
        expect(error.message).toBe(`frame of 2001 bytes from ${id(a)} exceeds the 1024-byte limit`)
      })
    )

    it.scoped("drops a peer that sends a frame over this node's limit, without delivering it", () =>
      Effect.gen(function* () {
        const clusterKey = newClusterKey()
        const small = yield* startNode({ clusterKey, maxFrameBytes: 1024 })
        const big = yield* startNode({ clusterKey, maxFrameBytes: 64 * 1024 })
        yield* waitForPeers(small, [id(big)])
        yield* waitForPeers(big, [id(small)])
        yield* big.transport.send(id(small), new Uint8Array(2000))
        const down = yield* waitForPeerDown(small, id(big))
        expect(down.reason).toBe(`frame of 2001 bytes from ${id(big)} exceeds the 1024-byte limit`)
        yield* waitForPeerDown(big, id(small))
        expect(yield* small.received.get).toEqual([])
      })
    )
  })

  describe("start-up", () => {
    it.scoped("refuses a cluster key that is not 32 bytes", () =>
      Effect.gen(function* () {
        const { bootstrap } = yield* Testnet
        const error = yield* Layer.build(
          HyperswarmTransport.layer({ clusterKey: new Uint8Array(16), dataDir: "/nonexistent", bootstrap }).pipe(
            Layer.provide(NodeContext.layer)
          )
        ).pipe(Effect.flip)
        expect(error.message).toBe("cannot start the cluster transport: the cluster key must be 32 bytes (got 16)")
      })
    )

    it.scoped("refuses an empty bootstrap list", () =>
      Effect.gen(function* () {
        const error = yield* Layer.build(
          HyperswarmTransport.layer({ clusterKey: newClusterKey(), dataDir: "/nonexistent", bootstrap: [] }).pipe(
            Layer.provide(NodeContext.layer)
          )
        ).pipe(Effect.flip)
        expect(error.message).toMatch(/no DHT bootstrap node/)
      })
    )
  })
})
