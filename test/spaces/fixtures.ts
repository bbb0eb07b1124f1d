/** Shared by the space and node actor tests: a template, waiting for the record, reading the engine. */
import { Effect, Option } from "effect"
import { ActorSystem } from "../../actors/runtime/actorSystem.ts"
import type { SpaceActorStatus, SpaceMessage } from "../../actors/space/space.actor.ts"
import { spaceActorName, spaceStatus } from "../../actors/space/space.actor.ts"
import { listSpaceViews } from "../../actors/space/spaceRecord.ts"
import type { SpaceView } from "../../actors/space/spaces.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { Store } from "../../storage/store.ts"

export const devTemplate = {
  name: "dev",
  image: "knot-busybox:latest",
  command: ["sleep", "3600"],
  env: { EDITOR: "vi" },
  volumes: [
    { name: "home", mountPath: "/home/dev", keep: true },
    { name: "cache", mountPath: "/cache", keep: false }
  ],
  zones: [],
  memoryMb: 64,
  cpus: 0.5
}

/**
 * The space whose id or shown name is `key`, as its records show it now (request and owner's
 * status): `undefined` when missing or tombstoned. Tests give their spaces distinct names.
 */
export const readSpace = (key: string) =>
  Effect.orDie(Effect.flatMap(Store, (store) =>
    Effect.map(listSpaceViews(store), (views) => views.find((view) => view.id === key || view.name === key))))

/** The id of the live space `key` names; `key` itself once there is none (a deleted space's actor). */
export const idOf = (key: string) => Effect.map(readSpace(key), (view) => view?.id ?? key)

/**
 * Lets the actors run until `probe` gives a value. Virtual time does not move: only fibers
 * that are ready run, so a probe that needs a timer fails here instead of passing late.
 */
export const eventually = <A, E, R>(probe: Effect.Effect<A | undefined, E, R>, what: string) =>
  Effect.gen(function*() {
    for (let round = 0; round < 5_000; round++) {
      const value = yield* probe
      if (value !== undefined) return value
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`still waiting for ${what}`)
  })

export const spaceWhere = (id: string, what: string, predicate: (space: SpaceView) => boolean) =>
  eventually(
    Effect.map(readSpace(id), (space) => (space !== undefined && predicate(space) ? space : undefined)),
    `space ${id} ${what}`
  )

export const spaceObserved = (id: string, observed: SpaceView["observed"]) =>
  spaceWhere(id, `observed ${observed}`, (space) => space.observed === observed)

export const spaceGone = (id: string) =>
  eventually(Effect.map(readSpace(id), (space) => (space === undefined ? true : undefined)), `space ${id} deleted`)

/** Every container on the engine (through the driver, with no label filter). */
export const allContainers = Effect.flatMap(ContainerDriver, (driver) => driver.listByLabels({}))

export const spaceActorRef = (key: string) =>
  Effect.flatMap(idOf(key), (id) =>
    Effect.flatMap(ActorSystem, (system) => system.lookup<SpaceMessage>(`node/${spaceActorName(id)}`)))

export const statusOf = (id: string): Effect.Effect<SpaceActorStatus, unknown, ActorSystem | Store> =>
  Effect.flatMap(spaceActorRef(id), (ref) =>
    Option.isNone(ref) ? Effect.dieMessage(`no actor for space ${id}`) : spaceStatus(ref.value))

/** Waits until the space's actor runs and its status satisfies `predicate`. */
export const statusWhere = (id: string, what: string, predicate: (status: SpaceActorStatus) => boolean) =>
  eventually(
    Effect.flatMap(spaceActorRef(id), (ref) =>
      Option.isNone(ref)
        ? Effect.succeed(undefined)
        : Effect.map(spaceStatus(ref.value), (status) => (predicate(status) ? status : undefined))),
    `the actor of space ${id} ${what}`
  )
