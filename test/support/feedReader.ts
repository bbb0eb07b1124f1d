/**
 * A client of the change feed (`GET /api/events`) on the raw wire, as any SSE client reads
 * it: `fetch` with a streamed body, parsed by the same framing the server writes.
 */
import { Duration, Effect, Queue } from "effect"
import type { SseMessage } from "../../effects/http/serverSentEvents.ts"
import { makeSseParser } from "../../effects/http/serverSentEvents.ts"

export interface FeedMessage extends SseMessage {
  readonly value: any
}

export interface FeedReader {
  readonly status: number
  readonly contentType: string | null
  /** The next message; fails the test when none comes within `within` (default 5 s). */
  readonly next: (within?: Duration.DurationInput) => Effect.Effect<FeedMessage>
  /** Messages up to and including the first that `until` accepts. */
  readonly until: (until: (message: FeedMessage) => boolean, within?: Duration.DurationInput) => Effect.Effect<Array<FeedMessage>>
  /**
   * Whether the stream has ended, waiting up to `within` (default 5 s) for it: the client reads
   * the end of a body a moment after the server sends it, later still on a busy machine.
   */
  readonly ended: (within?: Duration.DurationInput) => Effect.Effect<boolean>
}

export const openFeed = (
  url: string,
  token: string | undefined,
  options: {
    readonly since?: string
    readonly lastEventId?: string
    /** A browser's `knot_session=...` cookie, sent instead of a token. */
    readonly cookie?: string
    /** Another feed of the same framing; default the change feed. */
    readonly path?: string
  } = {}
) =>
  Effect.gen(function*() {
    const abort = new AbortController()
    yield* Effect.addFinalizer(() => Effect.sync(() => abort.abort()))
    const headers: Record<string, string> = { accept: "text/event-stream" }
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    if (options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId
    if (options.cookie !== undefined) headers.cookie = options.cookie
    const query = options.since === undefined ? "" : `?since=${encodeURIComponent(options.since)}`
    const response = yield* Effect.promise(() => fetch(`${url}${options.path ?? "/api/events"}${query}`, { headers, signal: abort.signal }))
    const messages = yield* Queue.unbounded<FeedMessage>()
    const parser = makeSseParser()
    const pump = async () => {
      const decoder = new TextDecoder()
      try {
        for await (const chunk of response.body!) {
          for (const message of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
            Queue.unsafeOffer(messages, { ...message, value: JSON.parse(message.data) })
          }
        }
      } catch {
        // Aborted by the finalizer, or cut by the server: either way the stream has ended.
      }
    }
    const pumped = pump()
    const next = (within: Duration.DurationInput = "5 seconds") =>
      Queue.take(messages).pipe(
        Effect.timeoutFail({ duration: within, onTimeout: () => new Error(`no feed message within ${Duration.format(within)}`) }),
        Effect.orDie
      )
    const until = (accept: (message: FeedMessage) => boolean, within?: Duration.DurationInput) =>
      Effect.gen(function*() {
        const seen: Array<FeedMessage> = []
        for (;;) {
          const message = yield* next(within)
          seen.push(message)
          if (accept(message)) return seen
        }
      })
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      next,
      until,
      ended: (within: Duration.DurationInput = "5 seconds") =>
        Effect.promise(() => pumped).pipe(
          Effect.as(true),
          Effect.timeoutTo({ duration: within, onSuccess: (done) => done, onTimeout: () => false })
        )
    } satisfies FeedReader
  })
