/**
 * A banner (SSH_MSG_USERAUTH_BANNER) sent during authentication, once the user name is known.
 * RFC 4252 §5.4 lets a server send one at any point before authentication succeeds; OpenSSH
 * prints it. ssh2 sends only the one fixed banner of its config, before any user name arrives,
 * so this writes the message through the connection's own packet writer (ssh2 1.x internals:
 * `_protocol._packetRW` and `_protocol._cipher`, as its `serviceAccept` does for that banner).
 */
import type { AuthContext } from "ssh2"

const USERAUTH_BANNER = 53

interface PacketWriter {
  readonly allocStart: number
  alloc(size: number): Buffer
  finalize(packet: Buffer): Buffer
}

interface ProtocolInternals {
  readonly _packetRW?: { readonly write?: PacketWriter }
  readonly _cipher?: { encrypt(packet: Buffer): void }
  readonly _kexinit?: unknown
}

/** Sends `line` as a banner; false when this ssh2 does not have the internals it needs (then nothing is sent). */
export const sendAuthBanner = (context: AuthContext, line: string): boolean => {
  const protocol = (context as unknown as { readonly _protocol?: ProtocolInternals })._protocol
  const writer = protocol?._packetRW?.write
  const cipher = protocol?._cipher
  // During a key re-exchange packets must queue; a banner is not worth that.
  if (writer === undefined || cipher === undefined || protocol?._kexinit !== undefined) return false
  const text = Buffer.from(line.endsWith("\r\n") ? line : `${line}\r\n`)
  let at = writer.allocStart
  const packet = writer.alloc(1 + 4 + text.length + 4)
  packet[at] = USERAUTH_BANNER
  packet.writeUInt32BE(text.length, ++at)
  text.copy(packet, (at += 4))
  packet.writeUInt32BE(0, at + text.length)
  cipher.encrypt(writer.finalize(packet))
  return true
}
