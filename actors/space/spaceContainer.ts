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
}

/** One name per generation, so a rebuilt container never collides with the one it replaces. */
export const containerName = (space: string, generation: number) => `knot-${space}-${generation}`

export const volumeName = (space: string, volume: string) => `knot-${space}-${volume}`

export const ownLabels = (identity: SpaceIdentity): Record<string, string> => ({
  [SpaceLabels.space]: identity.space,
  [SpaceLabels.node]: identity.node
})

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
  name: containerName(identity.space, generation),
  image: template.image,
  ...(template.command === undefined ? {} : { command: template.command }),
  env: template.env,
  labels: {
    ...extraLabels,
    ...ownLabels(identity),
    [SpaceLabels.template]: template.name,
    [SpaceLabels.generation]: String(generation)
  },
  volumes: template.volumes.map((volume) => ({
    name: volumeName(identity.space, volume.name),
    mountPath: volume.mountPath
  })),
  ...(template.memoryMb === undefined ? {} : { memoryBytes: template.memoryMb * 1024 * 1024 }),
  ...(template.cpus === undefined ? {} : { cpus: template.cpus })
})

/** The volumes a delete removes: all but those the template keeps. */
export const removableVolumes = (space: string, template: Template): ReadonlyArray<string> =>
  template.volumes.filter((volume) => !volume.keep).map((volume) => volumeName(space, volume.name))
