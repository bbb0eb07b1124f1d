/**
 * Stream channels on one authenticated Hyperswarm connection: a protomux channel per stream
 * beside the knot/1 link channel, so streams share the link's Noise session and its proof of
 * the cluster key (or the leaf's credential) and need no port of their own.
 *
 * Flow control is by credit: a receiver grants bytes back as its consumer takes them, and a
 * sender never has more than a window in flight. Each side pings twice a second; a channel that
 * hears nothing for a few seconds breaks, because a peer that dies over UDP says nothing, and
 * a client must learn within seconds that the node behind its shell is gone.
 */
import { Effect, Option, Scope, Stream } from "effect"
import type Protomux from "protomux"
import { type AcceptedStream, ChannelBroken, type ChannelMessage, type PeerChannel } from "../streams/peerStreams.ts"
import type { PeerId } from "../transport.ts"

export const STREAM_PROTOCOL = "knot-stream/1"

export interface ChannelTuning {
  /** Bytes a sender may have in flight before the receiver's consumer takes them. */
  readonly window: number
  readonly pingEveryMs: number
  /** A channel that hears nothing for this long breaks. */
  readonly silentLimitMs: number
  /** How long an accepted channel may take to send its header. */
  readonly headerTimeoutMs: number
}

export const defaultChannelTuning: ChannelTuning = {
  window: 256 * 1024,
  pingEveryMs: 500,
  silentLimitMs: 3_000,
  headerTimeoutMs: 10_000
}

/** Larger writes are cut to this, so that credit is granted in steps smaller than the window. */
const MAX_PIECE = 64 * 1024
const ID_BYTES = 16

type Event = ChannelMessage | { readonly _tag: "End" } | { readonly _tag: "Broken"; readonly reason: string }

interface Core {
  readonly channel: PeerChannel
  /** Breaks the channel without the end message: the peer's `received` fails. */
  readonly abort: (reason: string) => void
  readonly onHeader: (listener: (header: string) => void) => void
  readonly sendHeader: (header: string) => void
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

const makeCore = (
  mux: Protomux,
  id: Uint8Array,
  peer: PeerId,
  leaf: string | undefined,
  tuning: ChannelTuning,
  open: { count: number }
): Core | undefined => {
  const inbox: Array<Event> = []
  let wakeReader: (() => void) | undefined
  let credit = tuning.window
  let owed = 0
  let unconsumed = 0
  let finished: string | undefined
  let ended = false
  let headerListener: ((header: string) => void) | undefined
  let lastHeard = Date.now()
  const creditWaiters: Array<() => void> = []

  const push = (event: Event) => {
    inbox.push(event)
    wakeReader?.()
  }
  const finish = (reason: string) => {
    if (finished !== undefined) return
    finished = reason
    open.count--
    clearInterval(pinger)
    for (const waiter of creditWaiters.splice(0)) waiter()
  }
  const breakWith = (reason: string) => {
    if (finished === undefined && !ended) push({ _tag: "Broken", reason })
    finish(reason)
    pchannel?.close()
  }

  const pchannel = mux.createChannel({
    protocol: STREAM_PROTOCOL,
    id,
    onclose: () => {
      if (!ended) push({ _tag: "Broken", reason: `node ${peer} closed the stream` })
      finish(`node ${peer} closed the stream`)
    }
  })
  if (pchannel === null) return undefined
  open.count++
  const heard = () => {
    lastHeard = Date.now()
  }
  const headerMessage = pchannel.addMessage({
    onmessage: (bytes) => {
      heard()
      headerListener?.(fromUtf8.decode(bytes))
      headerListener = undefined
    }
  })
  const dataMessage = pchannel.addMessage({
    onmessage: (bytes) => {
      heard()
      unconsumed += bytes.byteLength
      if (unconsumed > tuning.window + MAX_PIECE) return breakWith(`node ${peer} sent past the credit it was given`)
      push({ _tag: "Data", bytes })
    }
  })
  const creditMessage = pchannel.addMessage({
    onmessage: (bytes) => {
      heard()
      if (bytes.byteLength !== 4) return breakWith(`node ${peer} sent a malformed credit`)
      credit += new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0)
      for (const waiter of creditWaiters.splice(0)) waiter()
    }
  })
  const controlMessage = pchannel.addMessage({
    onmessage: (bytes) => {
      heard()
      push({ _tag: "Control", text: fromUtf8.decode(bytes) })
    }
  })
  const endMessage = pchannel.addMessage({
    onmessage: () => {
      heard()
      ended = true
      push({ _tag: "End" })
    }
  })
  const pingMessage = pchannel.addMessage({ onmessage: heard })
  const pinger = setInterval(() => {
    if (Date.now() - lastHeard > tuning.silentLimitMs) {
      return breakWith(`node ${peer} stopped answering (nothing for ${Math.round(tuning.silentLimitMs / 1000)} s)`)
    }
    pingMessage.send(new Uint8Array(0))
  }, tuning.pingEveryMs)
  pinger.unref()

  const grant = (bytes: number) => {
    unconsumed -= bytes
    owed += bytes
    if (owed < tuning.window / 4 || finished !== undefined) return
    const message = new Uint8Array(4)
    new DataView(message.buffer).setUint32(0, owed)
    owed = 0
    creditMessage.send(message)
  }

  const take = Effect.async<ChannelMessage, Option.Option<ChannelBroken>>((resume) => {
    const deliver = () => {
      const next = inbox.shift()
      if (next === undefined) return false
      wakeReader = undefined
      switch (next._tag) {
        case "End":
          resume(Effect.fail(Option.none()))
          break
        case "Broken":
          resume(Effect.fail(Option.some(new ChannelBroken({ reason: next.reason }))))
          break
        case "Data":
          grant(next.bytes.byteLength)
          resume(Effect.succeed(next))
          break
        case "Control":
          resume(Effect.succeed(next))
      }
      return true
    }
    if (!deliver()) wakeReader = () => void deliver()
    return Effect.sync(() => {
      wakeReader = undefined
    })
  })

  const broken = () => new ChannelBroken({ reason: finished ?? "the stream is closed" })
  const awaitCredit = Effect.async<void, ChannelBroken>((resume) => {
    const check = () => {
      if (finished !== undefined) return resume(Effect.fail(broken()))
      if (credit > 0) return resume(Effect.void)
      creditWaiters.push(check)
    }
    check()
  })
  const sendPiece = (piece: Uint8Array) =>
    Effect.zipRight(
      awaitCredit,
      Effect.suspend(() => {
        if (finished !== undefined) return Effect.fail(broken())
        credit -= piece.byteLength
        dataMessage.send(piece)
        return Effect.void
      })
    )

  const channel: PeerChannel = {
    peer,
    leaf,
    received: Stream.repeatEffectOption(take),
    next: Effect.catchAll(take, (error) => (Option.isSome(error) ? Effect.fail(error.value) : Effect.succeed(undefined))),
    sendData: (bytes) =>
      Effect.forEach(
        Array.from({ length: Math.ceil(bytes.byteLength / MAX_PIECE) }, (_, i) =>
          bytes.subarray(i * MAX_PIECE, (i + 1) * MAX_PIECE)),
        sendPiece,
        { discard: true }
      ),
    sendControl: (text) =>
      Effect.suspend(() => {
        if (finished !== undefined) return Effect.fail(broken())
        controlMessage.send(utf8.encode(text))
        return Effect.void
      }),
    close: Effect.sync(() => {
      if (finished !== undefined) return
      endMessage.send(new Uint8Array(0))
      finish("the stream is closed")
      pchannel.close()
    })
  }
  pchannel.open()
  return {
    channel,
    abort: (reason) => {
      if (finished !== undefined) return
      finish(reason)
      pchannel.close()
    },
    onHeader: (listener) => {
      headerListener = listener
    },
    sendHeader: (header) => void headerMessage.send(utf8.encode(header))
  }
}

export interface StreamChannels {
  /** Opens a channel to the peer of this connection, closed (broken, if unfinished) with the scope. */
  readonly open: (header: string) => Effect.Effect<PeerChannel, ChannelBroken, Scope.Scope>
  /** Channels open now, either way: a connection carrying one is in use. */
  readonly active: () => number
}

/** Who is at the other end of an authenticated link. */
export interface StreamPeer {
  readonly peer: PeerId
  readonly leaf: string | undefined
}

/** A connection's stream channels, and how it learns who is at the other end. */
export interface ConnectionStreams {
  readonly channels: StreamChannels
  /** The connection is (or, undefined, will never be) admitted as this peer's link. */
  readonly admit: (peer: StreamPeer | undefined) => void
}

/**
 * Sets a connection up for streams from its start. A channel the peer opens waits (protomux
 * holds what it sends) until the connection is admitted as the peer's link, and is refused if
 * it never is: the peer may open one as soon as its own end admitted the link, before this end
 * has, as it does over a connection dialed for that very stream. `open` is for admitted links.
 */
export const makeStreamChannels = (
  mux: Protomux,
  onAccepted: (accepted: AcceptedStream) => void,
  tuning: ChannelTuning = defaultChannelTuning
): ConnectionStreams => {
  const open = { count: 0 }
  let linked: StreamPeer | undefined
  let settle: (peer: StreamPeer | undefined) => void = () => undefined
  const admitted = new Promise<StreamPeer | undefined>((resolve) => {
    settle = resolve
  })
  mux.pair({ protocol: STREAM_PROTOCOL }, async (id: Uint8Array) => {
    const link = await admitted
    if (link === undefined) return
    const core = makeCore(mux, id, link.peer, link.leaf, tuning, open)
    if (core === undefined) return
    const timeout = setTimeout(() => core.abort("no header"), tuning.headerTimeoutMs)
    timeout.unref()
    core.onHeader((header) => {
      clearTimeout(timeout)
      const scope = Effect.runSync(Scope.make())
      Effect.runSync(Scope.addFinalizer(scope, Effect.sync(() => core.abort("the stream was abandoned"))))
      onAccepted({ header, channel: core.channel, scope })
    })
  })
  const channels: StreamChannels = {
    open: (header) =>
      Effect.acquireRelease(
        Effect.suspend(() => {
          const link = linked
          const core = link === undefined
            ? undefined
            : makeCore(mux, crypto.getRandomValues(new Uint8Array(ID_BYTES)), link.peer, link.leaf, tuning, open)
          if (core === undefined || link === undefined) {
            return Effect.fail(new ChannelBroken({ reason: `no stream channel to node ${link?.peer ?? "not yet linked"}` }))
          }
          core.sendHeader(header)
          return Effect.succeed(core)
        }),
        (core) => Effect.sync(() => core.abort("the stream was abandoned"))
      ).pipe(Effect.map((core) => core.channel)),
    active: () => open.count
  }
  return {
    channels,
    admit: (peer) => {
      // Set here rather than when the promise settles: a stream may be opened on the link the
      // moment it is admitted.
      linked ??= peer
      settle(peer)
    }
  }
}
