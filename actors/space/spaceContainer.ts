/**
 * How a space maps onto engine objects: container and volume names, and the labels by which
 * a node finds its own containers again after a restart.
 */
import type { Template } from "../../storage/kinds/template.ts"
import type { ContainerInfo, ContainerSpec } from "../../effects/container/containerDriver.ts"
import { SpaceLabels } from "../../effects/container/containerDriver.ts"

/** Which space, on which node: the labels every container of that space carries. */
export interface SpaceIdentity {
  readonly space: string
  readonly node: string
  /** The space's creation id; absent for a space created before knot minted one. */
  readonly creation?: string | undefined
}

/**
 * The engine name of one of the space's objects. Space names, volume names and creation ids
 * never hold a ".", so joining them with "." gives two different objects two different names
 * (`a` + `dev-home` is `knot.a.<id>.dev-home`, `a-dev` + `home` is `knot.a-dev.<id>.home`),
 * and the creation id keeps a later space of the same name off an earlier one's. A space from
 * before creation ids keeps the names its objects were made with.
 */
const engineName = (identity: SpaceIdentity, part: string | number) =>
  identity.creation === undefined
    ? `knot-${identity.space}-${part}`
    : `knot.${identity.space}.${identity.creation}.${part}`

/** One name per generation, so a rebuilt container never collides with the one it replaces. */
export const containerName = (identity: SpaceIdentity, generation: number) => engineName(identity, generation)

export const volumeName = (identity: SpaceIdentity, volume: string) => engineName(identity, volume)

/**
 * The labels of every container this node holds under the space's key, whichever creation
 * made it: an earlier space of the same name left those, and they are the current one's to clear.
 */
export const ownLabels = (identity: SpaceIdentity): Record<string, string> => ({
  [SpaceLabels.space]: identity.space,
  [SpaceLabels.node]: identity.node
})

/** Whether a container was made for this creation of the space (for an old space: made before creation ids). */
export const madeForCreation = (info: ContainerInfo, identity: SpaceIdentity): boolean =>
  info.labels[SpaceLabels.creation] === identity.creation

/** The generation a container was created for; 0 for a label that is missing or unreadable. */
export const generationOf = (info: ContainerInfo): number => {
  const value = Number(info.labels[SpaceLabels.generation])
  return Number.isSafeInteger(value) && value > 0 ? value : 0
}

export const containerSpec = (
  identity: SpaceIdentity,
  template: Template,
  generation: number,
  extraLabels: Readonly<Record<string, string>>
): ContainerSpec => ({
  name: containerName(identity, generation),
  image: template.image,
  ...(template.command === undefined ? {} : { command: template.command }),
  env: template.env,
  labels: {
    ...extraLabels,
    ...ownLabels(identity),
    ...(identity.creation === undefined ? {} : { [SpaceLabels.creation]: identity.creation }),
    [SpaceLabels.template]: template.name,
    [SpaceLabels.generation]: String(generation)
  },
  volumes: template.volumes.map((volume) => ({
    name: volumeName(identity, volume.name),
    mountPath: volume.mountPath
  })),
  ...(template.memoryMb === undefined ? {} : { memoryBytes: template.memoryMb * 1024 * 1024 }),
  ...(template.cpus === undefined ? {} : { cpus: template.cpus })
})

/** The volumes a delete removes: all but those the template keeps. */
export const removableVolumes = (identity: SpaceIdentity, template: Template): ReadonlyArray<string> =>
  template.volumes.filter((volume) => !volume.keep).map((volume) => volumeName(identity, volume.name))
