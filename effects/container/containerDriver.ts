import type { Effect, Stream } from "effect"
import { Context } from "effect"
import type { ContainerError } from "./containerDriver.errors.ts"

/** Labels knot puts on every container, so that a node finds its own after a restart. */
export const SpaceLabels = {
  space: "knot.space",
  /** The creation id of the space: a later space of the same name never takes this one's container or volumes. */
  creation: "knot.creation",
  node: "knot.node",
  /** The user id of the space's owner, for people reading the engine's lists. */
  owner: "knot.owner",
  /** On a volume: the template's name for it. */
  volume: "knot.volume",
  template: "knot.template",
  generation: "knot.generation"
} as const

export interface VolumeMount {
  /** A named volume; its full engine name is chosen by the caller. */
  readonly name: string
  readonly mountPath: string
  /** Put on the volume beside the container's labels when the engine creates it. */
  readonly labels?: Readonly<Record<string, string>>
}

export interface ContainerSpec {
  readonly name: string
  readonly image: string
  readonly command?: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly labels: Readonly<Record<string, string>>
  readonly volumes: ReadonlyArray<VolumeMount>
  readonly memoryBytes?: number
  readonly cpus?: number
}

export type ContainerState = "created" | "running" | "exited"

export interface ContainerInfo {
  readonly id: string
  readonly name: string
  readonly image: string
  readonly labels: Readonly<Record<string, string>>
  readonly state: ContainerState
  readonly exitCode?: number
}

/**
 * What the engine's event stream tells: first `Following` once it is subscribed (events from
 * then on will come), then what happened to a container, as the engine names it ("start",
 * "die", "oom", "destroy", ...). A container's labels come with its events, so the receiver
 * knows whose it is without asking the engine.
 */
export type EngineEvent =
  | { readonly _tag: "Following" }
  | {
    readonly _tag: "Container"
    readonly id: string
    readonly action: string
    readonly labels: Readonly<Record<string, string>>
  }

export interface RemoveOptions {
  /** Named volumes to remove with the container (the template decides which). */
  readonly volumes: ReadonlyArray<string>
}

/**
 * The one seam between knot and a container engine. Actors use only this; the Docker
 * layer (effects/docker) and the in-memory and simulated layers implement it.
 */
export interface ContainerDriverShape {
  readonly create: (spec: ContainerSpec) => Effect.Effect<ContainerInfo, ContainerError>
  readonly start: (id: string) => Effect.Effect<void, ContainerError>
  /** Stops gracefully, then kills after `timeoutSeconds`. Stopping a stopped container succeeds. */
  readonly stop: (id: string, timeoutSeconds: number) => Effect.Effect<void, ContainerError>
  /** Removes the container (forcing if running) and the named volumes. Removing a missing one succeeds. */
  readonly remove: (id: string, options: RemoveOptions) => Effect.Effect<void, ContainerError>
  /** Removes a named volume. Removing a missing one succeeds; one a container mounts is refused. */
  readonly removeVolume: (name: string) => Effect.Effect<void, ContainerError>
  /** `undefined` when the engine has no such container. */
  readonly inspect: (id: string) => Effect.Effect<ContainerInfo | undefined, ContainerError>
  /** Every container carrying all of these labels. */
  readonly listByLabels: (
    labels: Readonly<Record<string, string>>
  ) => Effect.Effect<ReadonlyArray<ContainerInfo>, ContainerError>
  /** One cheap call that succeeds while the engine answers (Docker's `/_ping`). */
  readonly ping: Effect.Effect<void, ContainerError>
  /**
   * The engine's events for containers carrying all of `labels`, from the moment of
   * `Following` on. The stream ends or fails when the engine's stream is lost (engine
   * restart, dropped connection): what happened while no one followed is then unknown.
   */
  readonly events: (labels: Readonly<Record<string, string>>) => Stream.Stream<EngineEvent, ContainerError>
}

export class ContainerDriver extends Context.Tag("knot/ContainerDriver")<ContainerDriver, ContainerDriverShape>() {}
