/**
 * The container work a space's lifecycle asks for, through ContainerDriver only. Each step
 * is safe to run twice for one generation (a restarted actor resumes the step it was in),
 * and reports its outcome as the machine event that follows from it.
 */
import { Effect } from "effect"
import type { ContainerInfo } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import type { ContainerError } from "../../effects/container/containerDriver.errors.ts"
import type { Template } from "../../storage/kinds/template.ts"
import { Templates } from "../node/templates.ts"
import type { SpaceEffect, SpaceEvent, SpaceSnapshot } from "./space.machine.ts"
import { restoreSpace } from "./space.machine.ts"
import type { SpaceIdentity } from "./spaceContainer.ts"
import {
  containerName,
  containerSpec,
  generationOf,
  madeForCreation,
  ownLabels,
  removableVolumes
} from "./spaceContainer.ts"

export interface SpaceEffectSettings {
  readonly identity: SpaceIdentity
  /** The template named by the space record. */
  readonly template: string
  readonly extraLabels: Readonly<Record<string, string>>
  readonly stopTimeoutSeconds: number
  /**
   * The step was in progress when the actor (re)started, so an earlier run may have done part
   * of it; a step begun by this run knows the engine holds nothing of its generation yet.
   */
  readonly resumed: boolean
}

const failed = (error: { readonly message: string }): SpaceEvent => ({ type: "Failed", reason: error.message })

/**
 * The container of this creation and `generation`, preferring the one the lifecycle knows if
 * the engine has two. One of an earlier space of the same name is never current.
 */
const pickCurrent = (
  found: ReadonlyArray<ContainerInfo>,
  identity: SpaceIdentity,
  generation: number,
  known: string | null
) => {
  const candidates = found.filter((info) => madeForCreation(info, identity) && generationOf(info) === generation)
  return candidates.find((info) => info.id === known) ?? candidates[0]
}

const removeAll = (infos: ReadonlyArray<ContainerInfo>) =>
  Effect.flatMap(ContainerDriver, (driver) =>
    Effect.forEach(infos, (info) => driver.remove(info.id, { volumes: [] }), { discard: true }))

/**
 * Creates the container of the current generation, or takes the one an earlier run left, and
 * removes the containers of earlier generations. The first create of a space begun by this
 * run skips the look: adoption has just shown the engine holds nothing of the space.
 */
const createContainer = (snapshot: SpaceSnapshot, settings: SpaceEffectSettings) =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    const template = yield* (yield* Templates).get(settings.template)
    const generation = snapshot.context.generation
    const found = settings.resumed || generation > 1 ? yield* driver.listByLabels(ownLabels(settings.identity)) : []
    const current = pickCurrent(found, settings.identity, generation, snapshot.context.containerId)
    yield* removeAll(found.filter((info) => info !== current))
    const containerId = current?.id ??
      (yield* driver.create(containerSpec(settings.identity, template, generation, settings.extraLabels))).id
    return { type: "Created", containerId } satisfies SpaceEvent
  })

const startContainer = (snapshot: SpaceSnapshot) =>
  Effect.gen(function*() {
    const id = snapshot.context.containerId
    if (id === null) return { type: "ContainerGone" } satisfies SpaceEvent
    yield* (yield* ContainerDriver).start(id)
    return { type: "Started" } satisfies SpaceEvent
  })

const stopContainer = (snapshot: SpaceSnapshot, settings: SpaceEffectSettings) =>
  Effect.gen(function*() {
    const id = snapshot.context.containerId
    if (id === null) return { type: "ContainerGone" } satisfies SpaceEvent
    yield* (yield* ContainerDriver).stop(id, settings.stopTimeoutSeconds)
    return { type: "Stopped" } satisfies SpaceEvent
  })

/**
 * Removes every container of the space and the volumes its template does not keep. Without
 * the template (deleted since) the volumes stay: data is never dropped on a guess.
 */
const removeContainers = (snapshot: SpaceSnapshot, settings: SpaceEffectSettings) =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    const template = yield* (yield* Templates).get(settings.template).pipe(
      Effect.map((found): Template | undefined => found),
      Effect.catchTag("TemplateNotFound", () => Effect.succeed(undefined))
    )
    const known = snapshot.context.containerId
    const name = containerName(settings.identity, snapshot.context.generation)
    const found = yield* driver.listByLabels(ownLabels(settings.identity))
    const current = found.find((info) => info.id === known) ?? found.find((info) => info.name === name)
    yield* removeAll(found.filter((info) => info !== current))
    // Last, so that no other container of the space still mounts the volumes. Removing a
    // container that is not there succeeds, and still removes the volumes.
    yield* driver.remove(current?.id ?? known ?? name, {
      volumes: template === undefined ? [] : removableVolumes(settings.identity, template)
    })
    return { type: "Deleted" } satisfies SpaceEvent
  })

const stepFor = (
  effect: Exclude<SpaceEffect, "none">,
  snapshot: SpaceSnapshot,
  settings: SpaceEffectSettings
): Effect.Effect<SpaceEvent, { readonly message: string }, ContainerDriver | Templates> => {
  switch (effect) {
    case "create-container":
      return createContainer(snapshot, settings)
    case "start-container":
      return Effect.catchTag(startContainer(snapshot), "ContainerNotFound", () =>
        Effect.succeed<SpaceEvent>({ type: "ContainerGone" }))
    case "stop-container":
      return stopContainer(snapshot, settings)
    case "remove-container":
      return removeContainers(snapshot, settings)
  }
}

/** Runs the step `effect` for `snapshot`; every failure becomes the `Failed` event with its message. */
export const runSpaceEffect = (
  effect: Exclude<SpaceEffect, "none">,
  snapshot: SpaceSnapshot,
  settings: SpaceEffectSettings
): Effect.Effect<SpaceEvent, never, ContainerDriver | Templates> =>
  Effect.catchAll(stepFor(effect, snapshot, settings), (error) => Effect.succeed(failed(error)))

/**
 * Takes over what the engine holds for this space after a (re)start: the newest generation
 * found is the current one, every other container is removed (never its volumes), and the
 * lifecycle learns the current container's id. Nothing is ever created here.
 */
export const adoptContainers = (
  snapshot: SpaceSnapshot,
  identity: SpaceIdentity
): Effect.Effect<SpaceSnapshot, ContainerError, ContainerDriver> =>
  Effect.gen(function*() {
    const found = yield* (yield* ContainerDriver).listByLabels(ownLabels(identity))
    const known = snapshot.context.generation
    const generation = Math.max(known, ...found.filter((info) => madeForCreation(info, identity)).map(generationOf))
    const current = pickCurrent(found, identity, generation, snapshot.context.containerId)
    yield* removeAll(found.filter((info) => info !== current))
    const containerId = current?.id ?? (generation === known ? snapshot.context.containerId : null)
    if (generation === known && containerId === snapshot.context.containerId) return snapshot
    return restoreSpace({ state: snapshot.value, context: { ...snapshot.context, generation, containerId } })
  })

/**
 * What the engine says of a settled space's container, as the event it means for the
 * lifecycle; `undefined` when it is as the lifecycle expects.
 */
export const observeContainer = (
  snapshot: SpaceSnapshot
): Effect.Effect<SpaceEvent | undefined, ContainerError, ContainerDriver> =>
  Effect.gen(function*() {
    const state = snapshot.value
    if (state !== "running" && state !== "stopped") return undefined
    const id = snapshot.context.containerId
    const info = id === null ? undefined : yield* (yield* ContainerDriver).inspect(id)
    if (info === undefined) return { type: "ContainerGone" } satisfies SpaceEvent
    if (state === "running" && info.state !== "running") {
      return { type: "ContainerExited", exitCode: info.exitCode ?? 0 } satisfies SpaceEvent
    }
    return undefined
  })
