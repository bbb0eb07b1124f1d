// Hyperswarm, HyperDHT and Protomux ship no typings: these cover only the parts knot uses,
// checked against hyperswarm 4.17, hyperdht 6.34 and protomux 3.12.

declare module "hyperdht" {
  import type { EventEmitter } from "node:events"

  namespace HyperDHT {
    interface KeyPair {
      readonly publicKey: Buffer
      readonly secretKey: Buffer
    }
    interface Node {
      readonly host: string
      readonly port: number
    }
    interface Options {
      /** Without it HyperDHT dials the public bootstrap nodes. */
      readonly bootstrap: ReadonlyArray<string | Node>
      readonly host?: string
      readonly port?: number
      readonly ephemeral?: boolean
      readonly firewalled?: boolean
    }
  }

  class HyperDHT extends EventEmitter {
    constructor(options: HyperDHT.Options)
    static keyPair(seed?: Uint8Array): HyperDHT.KeyPair
    /** A bootstrap node: advertises `host:port`, binds what `options.host` says. */
    static bootstrapper(port: number, host: string, options?: { readonly host?: string }): HyperDHT
    /** Binds the UDP sockets; rejects when the host cannot be bound. */
    bind(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { readonly host: string; readonly port: number }
    /** The UDX instance under this node's sockets and streams (trafficMetrics.ts says what its counts cover). */
    readonly udx: { readonly bytesTransmitted: number; readonly bytesReceived: number }
    destroy(options?: { readonly force?: boolean }): Promise<void>
  }

  export = HyperDHT
}

declare module "hyperdht/testnet" {
  import type HyperDHT from "hyperdht"

  namespace createTestnet {
    interface Testnet {
      readonly nodes: ReadonlyArray<HyperDHT>
      readonly bootstrap: ReadonlyArray<HyperDHT.Node>
      destroy(): Promise<void>
    }
  }

  function createTestnet(size: number, options?: { readonly host?: string; readonly port?: number }): Promise<createTestnet.Testnet>

  export = createTestnet
}

declare module "hyperswarm" {
  import type { EventEmitter } from "node:events"
  import type HyperDHT from "hyperdht"

  namespace Hyperswarm {
    /** A `@hyperswarm/secret-stream` NoiseSecretStream: an encrypted, message-framed duplex. */
    interface Connection extends EventEmitter {
      readonly publicKey: Buffer
      readonly remotePublicKey: Buffer
      /** Set once the Noise handshake completes; identical on both ends of one connection. */
      readonly handshakeHash: Buffer | null
      readonly isInitiator: boolean
      readonly destroyed: boolean
      /** Resolves `false` if the stream closes before its handshake completes. */
      readonly opened: Promise<boolean>
      destroy(error?: Error): void
      /** Closes after the queued writes are flushed. */
      end(): void
      /** Destroys the stream when nothing (not even a keepalive) arrives for `ms`; 0 disables. */
      setTimeout(ms: number): void
      /** Sends an empty message after `ms` without writes; 0 disables. */
      setKeepAlive(ms: number): void
    }
    interface PeerInfo {
      readonly publicKey: Buffer
      /** Banning stops reconnection attempts (and, after a refusal, Hyperswarm bans on its own). */
      ban(banned: boolean): void
    }
    interface Discovery {
      flushed(): Promise<boolean>
      refresh(options?: { readonly client?: boolean; readonly server?: boolean }): Promise<boolean>
      destroy(): Promise<void>
    }
    interface Options {
      readonly keyPair: HyperDHT.KeyPair
      readonly dht: HyperDHT
      /**
       * Called before each connection's handshake, with the peer's handshake payload (null for
       * this swarm's own dials); true refuses it, and Hyperswarm then bans the peer until unbanned.
       */
      readonly firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean
    }
  }

  class Hyperswarm extends EventEmitter {
    constructor(options: Hyperswarm.Options)
    readonly keyPair: HyperDHT.KeyPair
    readonly dht: HyperDHT
    readonly connections: ReadonlySet<Hyperswarm.Connection>
    /** Every peer the swarm knows, by public key (hex). */
    readonly peers: ReadonlyMap<string, Hyperswarm.PeerInfo>
    join(topic: Uint8Array, options?: { readonly server?: boolean; readonly client?: boolean }): Hyperswarm.Discovery
    joinPeer(publicKey: Uint8Array): void
    /** Stops dialing a peer joined with joinPeer; a connection it has stays open. */
    leavePeer(publicKey: Uint8Array): void
    flush(): Promise<boolean>
    destroy(options?: { readonly force?: boolean }): Promise<void>
    on(event: "connection", listener: (connection: Hyperswarm.Connection, info: Hyperswarm.PeerInfo) => void): this
  }

  export = Hyperswarm
}

declare module "protomux" {
  import type { Duplex } from "node:stream"

  namespace Protomux {
    interface Message {
      /** Returns false when the stream asks the writer to wait for drain. */
      send(data: Uint8Array): boolean
    }
    interface MessageOptions {
      /** Without an encoding the message carries raw bytes. */
      readonly onmessage: (data: Uint8Array) => void
    }
    interface ChannelOptions {
      readonly protocol: string
      readonly id?: Uint8Array
      readonly onopen?: () => void
      readonly onclose?: () => void
    }
    interface Channel {
      readonly opened: boolean
      readonly closed: boolean
      addMessage(options: MessageOptions): Message
      open(): void
      close(): void
    }
  }

  class Protomux {
    constructor(stream: Duplex | import("node:events").EventEmitter)
    static from(stream: Duplex | import("node:events").EventEmitter): Protomux
    /** `notify(id)` runs when the peer opens a channel of `protocol` that no local channel pairs; it may create one. */
    pair(options: { readonly protocol: string; readonly id?: Uint8Array | null }, notify: (id: Uint8Array) => void | Promise<void>): void
    /** Null when a channel with the same protocol and id is already open on this stream. */
    createChannel(options: Protomux.ChannelOptions): Protomux.Channel | null
  }

  export = Protomux
}
