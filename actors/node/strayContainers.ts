/**
 * Containers this node holds for spaces that another node owns. Only one way leads there: two
 * creates of one name raced on both sides of a partition, each side placed the space on one
 * of its own nodes, and when the sides met the other record won (last writer wins). The space
 * is the winner's; the loser's container must not run beside it, so it is removed here. Its
 * volumes stay: data is never dropped without a user's delete.
 */
import { Effect } from "effect"
import { ContainerDriver, SpaceLabels } from "../../effects/container/containerDriver.ts"
import { ownLabels } from "../space/spaceContainer.ts"

/** Removes this node's containers of `space`, which `owner` runs now. */
export const removeStrayContainers = (self: string, space: string, owner: string) =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    const found = yield* driver.listByLabels(ownLabels({ space, node: self }))
    for (const info of found) {
      yield* driver.remove(info.id, { volumes: [] })
      yield* Effect.logWarning(
        `space ${space} belongs to node ${owner}: removed its container ${info.name} here (its volumes are kept)`
      )
    }
  }).pipe(
    Effect.catchAll((error) => Effect.logWarning(`space ${space}: its stray container here stays for now: ${error.message}`))
  )

/** The spaces of which this node holds a container, by the labels it put on them. */
export const spacesWithContainers = (self: string) =>
  Effect.flatMap(ContainerDriver, (driver) => driver.listByLabels({ [SpaceLabels.node]: self })).pipe(
    Effect.map((found) => new Set(found.flatMap((info) => info.labels[SpaceLabels.space] ?? []))),
    Effect.catchAll((error) =>
      Effect.as(Effect.logWarning(`cannot list this node's containers: ${error.message}`), new Set<string>()))
  )
