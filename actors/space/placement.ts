/**
 * Where a new space goes, decided from a snapshot of the cluster alone (no I/O), so that every
 * node given the same view picks the same node.
 */
import { Either } from "effect"
import type { Member } from "../node/clusterView.ts"
import { NoAliveNodeInZones } from "./spaces.errors.ts"

export interface PlacementRequest {
  readonly template: string
  /** The zones the template allows; empty: every zone. */
  readonly zones: ReadonlyArray<string>
  /** The one node it may go to: the node that holds kept volumes it mounts. */
  readonly node?: string | undefined
}

/**
 * The alive, announced member of an allowed zone that owns the fewest spaces, ties broken by
 * node id.
 * A leaf runs spaces for its own developer only, so other leaves are never candidates; the
 * local node is one even when it is a leaf.
 */
export const placeSpace = (
  request: PlacementRequest,
  members: ReadonlyArray<Member>,
  self: string
): Either.Either<Member, NoAliveNodeInZones> => {
  const allowed = (zone: string) => request.zones.length === 0 || request.zones.includes(zone)
  const candidates = members.filter((member) =>
    member.state === "alive" && member.announced && allowed(member.zone) &&
    (member.mode !== "leaf" || member.id === self) && (request.node === undefined || member.id === request.node)
  )
  const best = candidates.reduce<Member | undefined>(
    (chosen, member) =>
      chosen === undefined ||
        member.spaces < chosen.spaces ||
        (member.spaces === chosen.spaces && member.id < chosen.id)
        ? member
        : chosen,
    undefined
  )
  if (best !== undefined) return Either.right(best)
  if (request.node !== undefined) {
    return Either.left(new NoAliveNodeInZones({ template: request.template, zones: request.zones, node: request.node }))
  }
  const zones = request.zones.length > 0 ? request.zones : [...new Set(members.map((member) => member.zone))].sort()
  return Either.left(new NoAliveNodeInZones({ template: request.template, zones }))
}
