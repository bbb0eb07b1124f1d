/**
 * Docker multiplexes an exec's or a container's stdout and stderr on one connection when
 * there is no TTY: each frame is an 8-byte header (stream type, three zero bytes, big-endian
 * length) and the payload. Chunks from the socket split frames anywhere, so the reader keeps
 * what it has of an unfinished frame between chunks.
 */
import type { StreamChunk } from "../streams/spaceStreams.ts"

const HEADER_BYTES = 8

export interface FrameReader {
  /** The whole frames (or whole parts of frames) this chunk completes, in order. */
  readonly push: (chunk: Uint8Array) => ReadonlyArray<StreamChunk>
}

export const makeFrameReader = (): FrameReader => {
  let header: Uint8Array = new Uint8Array(0)
  let fd: 1 | 2 = 1
  let remaining = 0
  return {
    push: (chunk) => {
      const out: Array<StreamChunk> = []
      let at = 0
      while (at < chunk.byteLength) {
        if (remaining === 0) {
          const need = HEADER_BYTES - header.byteLength
          const take = chunk.subarray(at, at + need)
          header = concat(header, take)
          at += take.byteLength
          if (header.byteLength < HEADER_BYTES) break
          fd = header[0] === 2 ? 2 : 1
          remaining = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(4)
          header = new Uint8Array(0)
          continue
        }
        const piece = chunk.subarray(at, at + remaining)
        at += piece.byteLength
        remaining -= piece.byteLength
        // A copy: the socket may reuse its buffer, and the piece travels on to other nodes.
        out.push({ fd, bytes: Uint8Array.from(piece) })
      }
      return out
    }
  }
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.byteLength === 0) return b
  const joined = new Uint8Array(a.byteLength + b.byteLength)
  joined.set(a)
  joined.set(b, a.byteLength)
  return joined
}
