/**
 * Containers this node holds for spaces that another node owns. Spaces keyed by a creation
 * id never get there (a record's node never changes); a space from before creation ids is
 * keyed by its name, and two creates of one name that raced on both sides of a partition
 * left one record (last writer wins). That space is the winner's; the loser's container must
 * not run beside it, so it is removed here. Its volumes stay: data is never dropped without a
 * user's delete.
 */
import { Effect } from "effect"
import { ContainerDriver, SpaceLabels } from "../../effects/container/containerDriver.ts"
import { ownLabels, spaceIdentity } from "../space/spaceContainer.ts"

/** Removes this node's containers of `space`, which `owner` runs now. */
export const removeStrayContainers = (self: string, space: string, owner: string) =>
  Effect.gen(function*() {
    const driver = yield* ContainerDriver
    const found = yield* driver.listByLabels(ownLabels(spaceIdentity(space, self, undefined)))
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
