/**
 * How a space maps onto engine objects: container and volume names, and the labels by which
 * a node finds its own containers again after a restart.
 */
import type { Space } from "../../storage/kinds/space.ts"
import type { Template } from "../../storage/kinds/template.ts"
import type { ContainerInfo, ContainerSpec } from "../../effects/container/containerDriver.ts"
import { SpaceLabels } from "../../effects/container/containerDriver.ts"

/** Which space, on which node: the labels every container of that space carries. */
export interface SpaceIdentity {
  /** The key of its records: its creation id (a space from before creation ids: its name). */
  readonly id: string
  /** The name its create asked for (spaceNames.ts): readable in engine names, never relied on. */
  readonly name: string
  readonly owner: string | undefined
  readonly node: string
  /** The space's creation id; absent for a space created before knot minted one. */
  readonly creation?: string | undefined
  /** Template volume name -> the engine name of a kept volume it mounts instead. */
  readonly reusedVolumes?: Readonly<Record<string, string>> | undefined
  /** The limits its create settled on, over the template's. */
  readonly limits?: { readonly memoryMb?: number; readonly cpus?: number } | undefined
}

/** The identity of space `id` on `node`, from its record (absent: what the id alone tells). */
export const spaceIdentity = (id: string, node: string, space: Space | undefined): SpaceIdentity => ({
  id,
  name: space?.name ?? id,
  owner: space?.owner,
  node,
  creation: space?.creation,
  reusedVolumes: space?.reusedVolumes,
  limits: space?.limits
})

/**
 * The engine name of one of the space's objects. Space names, volume names and creation ids
 * never hold a ".", so joining them with "." gives two different objects two different names
 * (`a` + `dev-home` is `knot.a.<id>.dev-home`, `a-dev` + `home` is `knot.a-dev.<id>.home`),
 * and the creation id keeps a later space of the same name off an earlier one's. A space from
 * before creation ids keeps the names its objects were made with.
 */
const engineName = (identity: SpaceIdentity, part: string | number) =>
  identity.creation === undefined
    ? `knot-${identity.name}-${part}`
    : `knot.${identity.name}.${identity.creation}.${part}`

/** One name per generation, so a rebuilt container never collides with the one it replaces. */
export const containerName = (identity: SpaceIdentity, generation: number) => engineName(identity, generation)

export const volumeName = (identity: SpaceIdentity, volume: string) =>
  identity.reusedVolumes?.[volume] ?? engineName(identity, volume)

/**
 * The labels of every container this node holds under the space's key. The key is the
 * creation id, so another space of the same name (another owner's, or a later one's) never
 * matches; only a space from before creation ids is keyed by its name.
 */
export const ownLabels = (identity: SpaceIdentity): Record<string, string> => ({
  [SpaceLabels.space]: identity.id,
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
    ...(identity.owner === undefined ? {} : { [SpaceLabels.owner]: identity.owner }),
    [SpaceLabels.template]: template.name,
    [SpaceLabels.generation]: String(generation)
  },
  volumes: template.volumes.map((volume) => ({
    name: volumeName(identity, volume.name),
    mountPath: volume.mountPath,
    labels: { [SpaceLabels.volume]: volume.name }
  })),
  ...memoryAndCpus(identity.limits?.memoryMb ?? template.memoryMb, identity.limits?.cpus ?? template.cpus)
})

const memoryAndCpus = (memoryMb: number | undefined, cpus: number | undefined) => ({
  ...(memoryMb === undefined ? {} : { memoryBytes: memoryMb * 1024 * 1024 }),
  ...(cpus === undefined ? {} : { cpus })
})

/** The volumes a delete removes: all but those the template keeps. */
export const removableVolumes = (identity: SpaceIdentity, template: Template): ReadonlyArray<string> =>
  template.volumes.filter((volume) => !volume.keep).map((volume) => volumeName(identity, volume.name))

/** The volumes a delete leaves on the engine: those the template keeps, as kept volume records. */
export const keptVolumes = (identity: SpaceIdentity, template: Template) =>
  template.volumes.filter((volume) => volume.keep).map((volume) => ({
    volume: volume.name,
    id: volumeName(identity, volume.name)
  }))
