/**
 * The change feed behind `GET /api/events`: what a caller may see (their spaces, or all for
 * an admin; every template) as it changes, so that clients wait and watch without polling.
 *
 * It is level-triggered: each event carries the thing's current view, not a diff, so a client
 * that missed some events is whole again once it has the latest of each. The node keeps the
 * last `retain` events in a log numbered from 1; an event's cursor is `EPOCH:SEQ`, the epoch
 * naming this run of the node. A client that comes back with a cursor this log still holds
 * gets what it missed; any other (another node's, an earlier run's, one the log has dropped)
 * gets `reset` and the whole state again. Versions in the store cannot serve as the cursor:
 * records of many origins arrive in no order of their versions.
 *
 * A slow reader holds nothing: each reader keeps only its position in the shared log, and one
 * that falls behind the log's start is sent the state afresh.
 */
import { randomBytes } from "node:crypto"
import { Chunk, Context, Deferred, Effect, Exit, FiberId, Layer, Option, Queue, Stream } from "effect"
import { Templates } from "../../actors/node/templates.ts"
import { listSpaceViews, spaceKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { templateKind } from "../../actors/node/templates.live.ts"
import { Store } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import { mayActFor } from "./auth/access.ts"
import type { AuthenticatedUser } from "./auth/currentUser.ts"
import type { FeedEvent } from "./feedEvent.ts"

export interface FeedFrame {
  /** Where a client resumes after this frame; only frames that end a consistent state carry one. */
  readonly cursor?: string
  readonly event: FeedEvent
}

export interface ChangeFeedShape {
  /**
   * The viewer's events after `cursor`: those missed when the log still holds them, else a
   * `reset` and the whole state; then `synced`, then every change as it is applied. Ends when
   * the feed closes.
   */
  readonly open: (viewer: AuthenticatedUser, cursor: string | undefined) => Stream.Stream<FeedFrame>
  /** Ends every open stream (a server shutting down does not wait for watchers). */
  readonly close: Effect.Effect<void>
}

export class ChangeFeed extends Context.Tag("knot/http/ChangeFeed")<ChangeFeed, ChangeFeedShape>() {}

export interface ChangeFeedOptions {
  /** Events the log keeps for clients that come back; default 10 000. */
  readonly retain?: number
}

type Family = "spaces" | "templates"

const familyOf = (kind: string): Family | undefined =>
  kind === spaceKind || kind === spaceStatusKind ? "spaces" : kind === templateKind ? "templates" : undefined

/** A thing as last sent: its event, that event's JSON (to see whether it changed) and whose it is. */
interface Shown {
  readonly event: FeedEvent
  readonly json: string
  readonly owner: string | undefined
}

interface Entry {
  readonly seq: number
  readonly event: FeedEvent
  /** Whose space it is; undefined for what everyone sees. */
  readonly owner: string | undefined
}

const visibleTo = (viewer: AuthenticatedUser) => (entry: { readonly owner: string | undefined }) =>
  entry.owner === undefined || mayActFor(viewer, entry.owner)

const make = (options: ChangeFeedOptions) =>
  Effect.gen(function*() {
    const store = yield* Store
    const templates = yield* Templates
    const retain = options.retain ?? 10_000
    const epoch = randomBytes(6).toString("hex")
    const cursorOf = (seq: number) => `${epoch}:${seq}`
    const closed = yield* Deferred.make<void>()

    let seq = 0
    let log: Array<Entry> = []
    const shown = new Map<string, Shown>()
    const dirty = new Set<Family>(["spaces", "templates"])
    let watchers = 0
    let wake = Deferred.unsafeMake<void>(FiberId.none)
    const lock = yield* Effect.makeSemaphore(1)

    /** The first seq the log holds (seq + 1 when it holds none). */
    const firstHeld = () => log[0]?.seq ?? seq + 1

    const record = (event: FeedEvent, owner: string | undefined) => {
      seq += 1
      log.push({ seq, event, owner })
      // Trimmed in bulk, so that appending stays O(1) amortized.
      if (log.length > retain * 2) log = log.slice(log.length - retain)
    }

    /** Sends what differs between what was shown of a family and what is now. */
    const apply = (family: Family, now: ReadonlyMap<string, Omit<Shown, "json">>) => {
      const before = seq
      for (const [key, thing] of now) {
        const json = JSON.stringify(thing.event)
        if (shown.get(key)?.json === json) continue
        shown.set(key, { ...thing, json })
        record(thing.event, thing.owner)
      }
      for (const [key, was] of shown) {
        if (!key.startsWith(`${family}/`) || now.has(key)) continue
        shown.delete(key)
        const event: FeedEvent = was.event._tag === "space"
          ? { _tag: "space-removed", id: was.event.space.id, owner: was.event.space.owner, name: was.event.space.name }
          : { _tag: "template-removed", name: was.event._tag === "template" ? was.event.template.name : key }
        record(event, was.owner)
      }
      if (seq !== before) {
        Deferred.unsafeDone(wake, Exit.void)
        wake = Deferred.unsafeMake<void>(FiberId.none)
      }
    }

    const current = (family: Family): Effect.Effect<ReadonlyMap<string, Omit<Shown, "json">>, StoreError> =>
      family === "spaces"
        ? Effect.map(listSpaceViews(store), (views) =>
          new Map(views.map((space) => [
            `spaces/${space.id}`,
            { event: { _tag: "space", space } as FeedEvent, owner: space.owner }
          ])))
        : Effect.map(templates.list, (list) =>
          new Map(list.map((template) => [
            `templates/${template.name}`,
            { event: { _tag: "template", template } as FeedEvent, owner: undefined }
          ])))

    /** Brings what was shown up to the store, for the families changed since. */
    const refresh = lock.withPermits(1)(Effect.forEach([...dirty], (family) => {
      dirty.delete(family)
      return current(family).pipe(
        Effect.map((now) => apply(family, now)),
        Effect.catchAll((error) =>
          Effect.zipRight(
            Effect.sync(() => dirty.add(family)),
            Effect.logWarning(`change feed: could not read ${family} (${error.message}); trying again at the next change`)
          ))
      )
    }, { discard: true }))

    const changes = yield* store.subscribe
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      for (const change of yield* Queue.takeBetween(changes, 1, 10_000)) {
        const family = familyOf(change.record.kind)
        if (family !== undefined) dirty.add(family)
      }
      // Nobody is watching: the next reader's refresh catches up, so no write pays for it now.
      if (watchers > 0 && dirty.size > 0) yield* refresh
    })))

    const snapshot = (viewer: AuthenticatedUser): Array<FeedFrame> => [
      { event: { _tag: "reset" } },
      ...[...shown.values()].filter(visibleTo(viewer)).map((thing) => ({ event: thing.event })),
      { cursor: cursorOf(seq), event: { _tag: "synced" } }
    ]

    /** Whether the log holds every event after `at`. */
    const holds = (at: number) => at >= firstHeld() - 1 && at <= seq

    /** Frames after `at`: the log's when it still holds them, else the state afresh. */
    const framesAfter = (viewer: AuthenticatedUser, at: number): Array<FeedFrame> => {
      if (!holds(at)) return snapshot(viewer)
      return log.slice(at - firstHeld() + 1).filter(visibleTo(viewer)).map((entry) => ({
        cursor: cursorOf(entry.seq),
        event: entry.event
      }))
    }

    const resumeAt = (cursor: string | undefined): number => {
      const match = cursor === undefined ? null : /^([0-9a-f]+):(\d+)$/.exec(cursor)
      return match !== null && match[1] === epoch ? Number(match[2]) : -1
    }

    const open = (viewer: AuthenticatedUser, cursor: string | undefined): Stream.Stream<FeedFrame> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        yield* Effect.acquireRelease(Effect.sync(() => watchers++), () => Effect.sync(() => watchers--))
        yield* refresh
        const at = resumeAt(cursor)
        const first = !holds(at)
          ? snapshot(viewer)
          : [...framesAfter(viewer, at), { cursor: cursorOf(seq), event: { _tag: "synced" } } as FeedFrame]
        const live = Stream.paginateChunkEffect(seq, (from) =>
          Effect.gen(function*() {
            if (seq === from) yield* Deferred.await(wake)
            return [Chunk.unsafeFromArray(framesAfter(viewer, from)), Option.some(seq)] as const
          }))
        return Stream.concat(Stream.fromIterable(first), live).pipe(Stream.interruptWhen(Deferred.await(closed)))
      }))

    return ChangeFeed.of({ open, close: Deferred.succeed(closed, undefined).pipe(Effect.asVoid) })
  })

export const ChangeFeedLive = (options: ChangeFeedOptions = {}): Layer.Layer<ChangeFeed, never, Store | Templates> =>
  Layer.scoped(ChangeFeed, make(options))
