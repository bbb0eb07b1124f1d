/**
 * The SpaceActor: one per space this node owns (`node/space:<id>`). It feeds the space's
 * lifecycle (space.machine.ts) with what users want (the space record's `desired`) and with
 * what the engine shows, runs the container step each new state asks for, and writes what it
 * sees to the space's status record, only when that changes (every write replicates). It
 * never writes the space record itself but for its final tombstone (spaceRecord.ts says why).
 *
 * A container step runs in its own fiber and reports back as a message, so a request that
 * arrives meanwhile reaches the lifecycle at once and decides where the step ends (a Stop
 * during a create ends stopped, never started). While a step is in flight nothing else
 * touches the engine for this space.
 */
import { Clock, Duration, Effect, Either, Fiber, Schedule } from "effect"
import type { ContainerDriver } from "../../effects/container/containerDriver.ts"
import type { Space } from "../../storage/kinds/space.ts"
import type { SpaceStatus } from "../../storage/kinds/spaceStatus.ts"
import type { StoredRecord } from "../../storage/record.ts"
import type { BatchOp } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import type { ActorRef, Reply } from "../runtime/actorRef.ts"
import type { ActorContext, Behaviour } from "../runtime/behaviour.ts"
import { Templates } from "../node/templates.ts"
import type { Template } from "../../storage/kinds/template.ts"
import { encodeKeptVolume, volumeKind } from "./keptVolumes.ts"
import type { PersistedSpaceLifecycle, SpaceEvent, SpaceSnapshot } from "./space.machine.ts"
import { initialSpace, persistSpace, restoreSpace, spaceEffectFor, transitionSpace } from "./space.machine.ts"
import { adoptContainers, observeContainer, runSpaceEffect } from "./space.effects.ts"
import type { SpaceIdentity } from "./spaceContainer.ts"
import { keptVolumes, spaceIdentity } from "./spaceContainer.ts"
import { liveRecord } from "./recordCodec.ts"
import type { SpaceLifecycleRecord } from "./spaceRecord.ts"
import {
  decodeSpace,
  decodeSpaceLifecycle,
  decodeSpaceStatus,
  encodeSpaceStatus,
  spaceKind,
  spaceLifecycleKind,
  spaceStatusKind
} from "./spaceRecord.ts"

export interface SpaceActorOptions {
  /**
   * How often the container is checked against the lifecycle; default 5 minutes. The node
   * tells a space at once when the engine reports a change to its container
   * (node/engineEvents.ts): this check is the net under a lost event.
   */
  readonly reconcileEvery?: Duration.DurationInput
  /**
   * The delays between retries of a failed space, and between checks of an engine that does
   * not answer. When it ends the space stays failed until a user starts it again. Default:
   * exponential from 1 second, doubling, capped at 1 minute, jittered, never ending.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, unknown>
  /** Grace period of a container stop before the engine kills it; default 10. */
  readonly stopTimeoutSeconds?: number
  /** Put on every container and volume besides knot's own labels (tests mark theirs). */
  readonly extraLabels?: Readonly<Record<string, string>>
}

export const defaultRetrySchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second", 2).pipe(
  Schedule.modifyDelay((delay) => Duration.min(delay, Duration.minutes(1))),
  Schedule.jittered
)

/** What the actor knows, for tests and `knot space show`. */
export interface SpaceActorStatus {
  readonly lifecycle: PersistedSpaceLifecycle
  /** Whether the containers left by an earlier run have been taken over yet. */
  readonly adopted: boolean
  /** Set while the engine does not answer. */
  readonly engineTrouble: string | undefined
  /** A refused request, or retries given up. */
  readonly notice: string | undefined
  /** Whether a container step is running now. */
  readonly busy: boolean
}

export type SpaceMessage =
  /** The space record changed: a request, made on this node or merged from another. */
  | { readonly _tag: "RecordChanged"; readonly record: StoredRecord }
  /** Check the container now: sent once at start, then by the periodic timer. */
  | { readonly _tag: "Reconcile" }
  | { readonly _tag: "Status"; readonly reply: Reply<SpaceActorStatus> }
  /** The retry timer fired, or (`exhausted`) the retry schedule ended. */
  | { readonly _tag: "Retry"; readonly exhausted: boolean }
  /**
   * A container step finished. `step` names the step it reports on: the mailbox outlives a
   * restart, so a report from a step of the crashed incarnation must not pass for a new one's.
   */
  | { readonly _tag: "StepDone"; readonly step: symbol; readonly event: SpaceEvent }

interface SpaceActorState {
  readonly identity: SpaceIdentity
  /** The space record as last seen; `undefined` when there is none (nothing is done then). */
  readonly space: Space | undefined
  readonly snapshot: SpaceSnapshot
  /** Whether this incarnation moved the lifecycle into its state (false: restored as it was). */
  readonly entered: boolean
  /** The highest request generation of the record fed to the lifecycle. */
  readonly handled: number
  readonly adopted: boolean
  /** The container step in flight. */
  readonly step: symbol | undefined
  /** `handled` when that step began: a request newer than this came while it ran. */
  readonly stepBegunAt: number
  readonly engineTrouble: string | undefined
  readonly notice: string | undefined
  readonly retry: Fiber.RuntimeFiber<void> | undefined
  readonly exhausted: boolean
  readonly retryDriver: Schedule.ScheduleDriver<unknown, unknown>
  /** The status record as last written or read, as JSON. */
  readonly shown: string | undefined
  /** The lifecycle record as last written or read, as JSON. */
  readonly persisted: string | undefined
  /** The space is deleted and its records tombstoned: the actor only waits to be stopped. */
  readonly done: boolean
}

export type SpaceActorRequirements = Store | ContainerDriver | Templates

export const spaceActorName = (space: string) => `space:${space}`

const desiredEvent = (desired: Space["desired"]): SpaceEvent =>
  desired === "running" ? { type: "Start" } : desired === "stopped" ? { type: "Stop" } : { type: "Delete" }

const isSettled = (snapshot: SpaceSnapshot) =>
  snapshot.value === "running" || snapshot.value === "stopped" || snapshot.value === "pending"

const joinReasons = (...reasons: ReadonlyArray<string | null | undefined>) => {
  const present = reasons.filter((reason) => reason !== null && reason !== undefined)
  return present.length === 0 ? undefined : present.join("; ")
}

const statusOf = (state: SpaceActorState): SpaceStatus => {
  const reason = joinReasons(state.snapshot.context.reason ?? state.engineTrouble, state.notice)
  const containerId = state.snapshot.context.containerId
  return {
    observed: state.snapshot.value,
    ...(reason === undefined ? {} : { reason }),
    ...(containerId === null ? {} : { containerId }),
    ...(state.handled === 0 ? {} : { handled: state.handled })
  }
}

const lifecycleOf = (state: SpaceActorState): SpaceLifecycleRecord => ({
  lifecycle: persistSpace(state.snapshot),
  handled: state.handled
})

export const spaceActor = (
  id: string,
  options: SpaceActorOptions = {}
): Behaviour<SpaceMessage, SpaceActorState, SpaceActorRequirements> => {
  const every = Duration.decode(options.reconcileEvery ?? "5 minutes")
  const stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10
  const extraLabels = options.extraLabels ?? {}

  /** Feeds one event; a refused desired-state event is shown to users, any other is a no-op. */
  const feed = (state: SpaceActorState, event: SpaceEvent): Effect.Effect<SpaceActorState> => {
    const next = transitionSpace(state.snapshot, event)
    if (Either.isRight(next)) {
      const wish = event.type === "Start" || event.type === "Stop" || event.type === "Delete"
      return Effect.succeed({
        ...state,
        snapshot: next.right,
        entered: state.entered || next.right.value !== state.snapshot.value,
        ...(wish ? { notice: undefined, exhausted: false } : {})
      })
    }
    if (event.type === "Start" || event.type === "Stop" || event.type === "Delete") {
      return Effect.succeed({ ...state, notice: `request refused: ${next.left.message}` })
    }
    // A late report (its step was overtaken) or a check that raced a step: nothing to apply.
    return Effect.as(Effect.logDebug(`space ${id}: ${next.left.message}`), state)
  }

  /** Gives the lifecycle the record's request when it is new or differs from what it wants. */
  const feedDesired = (state: SpaceActorState): Effect.Effect<SpaceActorState> => {
    const space = state.space
    if (space === undefined || state.done) return Effect.succeed(state)
    if (space.generation <= state.handled && space.desired === state.snapshot.context.desired) {
      return Effect.succeed(state)
    }
    return Effect.map(feed(state, desiredEvent(space.desired)), (fed) => ({
      ...fed,
      handled: Math.max(fed.handled, space.generation)
    }))
  }

  /** Writes the status and the lifecycle, in one batch and only what changed. */
  const publish = (state: SpaceActorState) =>
    Effect.gen(function*() {
      const status = statusOf(state)
      const shown = JSON.stringify(status)
      const lifecycle = lifecycleOf(state)
      const persisted = JSON.stringify(lifecycle)
      const ops: Array<BatchOp> = []
      if (shown !== state.shown) ops.push({ _tag: "Put", kind: spaceStatusKind, id, value: encodeSpaceStatus(status) })
      if (persisted !== state.persisted) ops.push({ _tag: "Put", kind: spaceLifecycleKind, id, value: lifecycle })
      if (ops.length > 0) yield* (yield* Store).batch(ops)
      return { ...state, shown, persisted }
    })

  /** The records of what the delete left on the engine, for their owner to reuse or remove. */
  const keptVolumeRecords = (state: SpaceActorState) =>
    Effect.gen(function*() {
      const space = state.space
      if (space === undefined) return []
      const template = yield* (yield* Templates).get(space.template).pipe(
        Effect.map((found): Template | undefined => found),
        Effect.catchTag("TemplateNotFound", () => Effect.succeed(undefined))
      )
      if (template === undefined) return []
      const keptAt = yield* Clock.currentTimeMillis
      return keptVolumes(state.identity, template).map(({ id: volumeId, volume }): BatchOp => ({
        _tag: "Put",
        kind: volumeKind,
        id: volumeId,
        value: encodeKeptVolume({
          owner: space.owner,
          node: space.node,
          zone: space.zone,
          volume,
          space: space.name,
          spaceId: id,
          ...(space.creation === undefined ? {} : { creation: space.creation }),
          keptAt,
          desired: "kept"
        })
      }))
    })

  const finish = (state: SpaceActorState) =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.batch([
        { _tag: "Delete", kind: spaceKind, id },
        { _tag: "Delete", kind: spaceStatusKind, id },
        { _tag: "Delete", kind: spaceLifecycleKind, id },
        ...(yield* keptVolumeRecords(state))
      ])
      if (state.retry !== undefined) yield* Fiber.interrupt(state.retry)
      return { ...state, done: true, retry: undefined }
    })

  const startStep = (state: SpaceActorState, ctx: ActorContext<SpaceMessage>) =>
    Effect.gen(function*() {
      const effect = spaceEffectFor(state.snapshot)
      if (!state.adopted || state.step !== undefined || state.space === undefined || effect === "none") return state
      const step = Symbol(effect)
      const settings = {
        identity: state.identity,
        template: state.space.template,
        extraLabels,
        stopTimeoutSeconds,
        resumed: !state.entered
      }
      yield* runSpaceEffect(effect, state.snapshot, settings).pipe(
        Effect.flatMap((event) => ctx.self.tell({ _tag: "StepDone", step, event })),
        Effect.forkIn(ctx.scope)
      )
      return { ...state, step, stepBegunAt: state.handled }
    })

  /**
   * A step that fails after a newer request arrived never tried what that request asks (a
   * start made after the image was loaded, while a create begun without it was on its way
   * back): the request gets an attempt of its own at once, so that the earlier try's failure
   * is never reported as its answer.
   */
  const answerLaterRequest = (state: SpaceActorState, stepBegunAt: number) =>
    state.snapshot.value === "failed" && stepBegunAt < state.handled && state.space !== undefined
      ? feed(state, desiredEvent(state.space.desired))
      : Effect.succeed(state)

  /** Healthy again: the next trouble backs off from the start of the schedule. */
  const calm = (state: SpaceActorState) =>
    Effect.gen(function*() {
      if (!(isSettled(state.snapshot) && state.adopted && state.engineTrouble === undefined)) return state
      if (state.retry !== undefined) yield* Fiber.interrupt(state.retry)
      yield* state.retryDriver.reset
      return { ...state, retry: undefined, exhausted: false }
    })

  const scheduleRetry = (state: SpaceActorState, ctx: ActorContext<SpaceMessage>) =>
    Effect.gen(function*() {
      const troubled = state.snapshot.value === "failed" || state.engineTrouble !== undefined || !state.adopted
      if (!troubled || state.retry !== undefined || state.exhausted || state.space === undefined) return state
      const retry = yield* state.retryDriver.next(undefined).pipe(
        Effect.matchEffect({
          onFailure: () => ctx.self.tell({ _tag: "Retry", exhausted: true }),
          onSuccess: () => ctx.self.tell({ _tag: "Retry", exhausted: false })
        }),
        Effect.forkIn(ctx.scope)
      )
      return { ...state, retry }
    })

  /** After every message: show what changed, then start what the new state asks for. */
  const drive = (state: SpaceActorState, ctx: ActorContext<SpaceMessage>) =>
    Effect.gen(function*() {
      if (state.done || state.space === undefined) return state
      if (state.snapshot.value === "deleted") return yield* finish(state)
      const calmed = yield* calm(state)
      const published = yield* publish(calmed)
      const stepping = yield* startStep(published, ctx)
      return yield* scheduleRetry(stepping, ctx)
    })

  /** Takes over earlier containers if not done yet, then compares the container with the lifecycle. */
  const check = (state: SpaceActorState) =>
    Effect.gen(function*() {
      if (state.done || state.space === undefined) return state
      let current = state
      if (!current.adopted) {
        const adopted = yield* Effect.either(adoptContainers(current.snapshot, current.identity))
        if (Either.isLeft(adopted)) return { ...current, engineTrouble: adopted.left.message }
        current = { ...current, snapshot: adopted.right, adopted: true, engineTrouble: undefined }
      }
      if (current.step !== undefined) return current
      const seen = yield* Effect.either(observeContainer(current.snapshot))
      if (Either.isLeft(seen)) return { ...current, engineTrouble: seen.left.message }
      current = { ...current, engineTrouble: undefined }
      return seen.right === undefined ? current : yield* feed(current, seen.right)
    })

  const onRecord = (state: SpaceActorState, record: StoredRecord) =>
    Effect.gen(function*() {
      if (record.deleted) return state
      const space = decodeSpace(record)
      if (Either.isLeft(space)) {
        yield* Effect.logWarning(`space ${id}: ${space.left.message}`)
        return state
      }
      if (space.right.node !== state.identity.node) return state
      const identity = spaceIdentity(id, state.identity.node, space.right)
      return yield* feedDesired({ ...state, identity, space: space.right })
    })

  const onRetry = (state: SpaceActorState, exhausted: boolean) =>
    Effect.gen(function*() {
      const cleared = { ...state, retry: undefined }
      if (exhausted) {
        const attempts = state.snapshot.context.attempts
        return {
          ...cleared,
          exhausted: true,
          notice: `stopped retrying after ${attempts} failed attempts; start the space again to retry`
        }
      }
      const retried = state.snapshot.value === "failed" && state.adopted
        ? yield* feed(cleared, { type: "Retry" })
        : cleared
      return yield* check(retried)
    })

  const status = (state: SpaceActorState): SpaceActorStatus => ({
    lifecycle: persistSpace(state.snapshot),
    adopted: state.adopted,
    engineTrouble: state.engineTrouble,
    notice: state.notice,
    busy: state.step !== undefined
  })

  return {
    init: (ctx) =>
      Effect.gen(function*() {
        const store = yield* Store
        const record = liveRecord(yield* store.get(spaceKind, id))
        const decoded = record === undefined ? undefined : decodeSpace(record)
        if (decoded !== undefined && Either.isLeft(decoded)) yield* Effect.logWarning(`space ${id}: ${decoded.left.message}`)
        const space = decoded === undefined ? undefined : Either.getOrUndefined(decoded)
        const stored = liveRecord(yield* store.get(spaceLifecycleKind, id))
        const lifecycle = stored === undefined ? undefined : Either.getOrUndefined(decodeSpaceLifecycle(stored))
        // A status another node wrote is not shown as this space's (spaceRecord.ts): write ours.
        const reported = liveRecord(yield* store.get(spaceStatusKind, id))
        const status = reported === undefined || reported.version.node !== store.nodeId
          ? undefined
          : Either.getOrUndefined(decodeSpaceStatus(reported))
        const state: SpaceActorState = {
          identity: spaceIdentity(id, store.nodeId, space),
          space,
          entered: false,
          snapshot: lifecycle === undefined ? initialSpace() : restoreSpace(lifecycle.lifecycle),
          handled: lifecycle?.handled ?? 0,
          // The lifecycle is written before any step starts (drive), so a space with none has
          // never had a container made on this node: there is nothing to take over.
          adopted: stored === undefined,
          step: undefined,
          stepBegunAt: 0,
          engineTrouble: undefined,
          notice: undefined,
          retry: undefined,
          exhausted: false,
          retryDriver: yield* Schedule.driver(options.retrySchedule ?? defaultRetrySchedule),
          shown: status === undefined ? undefined : JSON.stringify(status),
          persisted: lifecycle === undefined ? undefined : JSON.stringify(lifecycle),
          done: false
        }
        yield* ctx.self.tell({ _tag: "Reconcile" }).pipe(Effect.delay(every), Effect.forever, Effect.forkIn(ctx.scope))
        // The first check runs as a message, so that a slow engine does not hold up the spawn.
        yield* ctx.self.tell({ _tag: "Reconcile" })
        return state
      }),
    receive: (state, msg, ctx) => {
      switch (msg._tag) {
        case "RecordChanged":
          return Effect.flatMap(onRecord(state, msg.record), (next) => drive(next, ctx))
        case "Reconcile":
          return Effect.flatMap(check(state), feedDesired).pipe(Effect.flatMap((next) => drive(next, ctx)))
        case "Retry":
          return Effect.flatMap(onRetry(state, msg.exhausted), (next) => drive(next, ctx))
        case "StepDone":
          if (msg.step !== state.step) return Effect.succeed(state)
          return feed({ ...state, step: undefined }, msg.event).pipe(
            Effect.flatMap((next) => answerLaterRequest(next, state.stepBegunAt)),
            Effect.flatMap((next) => drive(next, ctx))
          )
        case "Status":
          return Effect.as(msg.reply.succeed(status(state)), state)
      }
    }
  }
}

/** Asks a space actor what it knows. */
export const spaceStatus = (ref: ActorRef<SpaceMessage>, timeout: Duration.DurationInput = "5 seconds") =>
  ref.ask<SpaceActorStatus>((reply) => ({ _tag: "Status", reply }), timeout)
