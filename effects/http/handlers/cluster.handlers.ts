import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import type { Member } from "../../../actors/node/clusterView.ts"
import { ClusterView } from "../../../actors/node/clusterView.ts"
import { OriginLink } from "../../../actors/node/originLink.ts"
import { KnotApi } from "../api.ts"
import type { ZoneHealth, ZoneView } from "../api.schemas.ts"

const healthOf = (alive: number, total: number): ZoneHealth =>
  alive === total ? "healthy" : alive > 0 ? "degraded" : "down"

/** Members grouped by zone, zones by name. */
export const zonesOf = (members: ReadonlyArray<Member>): ReadonlyArray<ZoneView> => {
  const byZone = new Map<string, Array<Member>>()
  for (const member of members) {
    const zone = byZone.get(member.zone)
    if (zone === undefined) byZone.set(member.zone, [member])
    else zone.push(member)
  }
  return [...byZone.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, zoneMembers]) => {
      const alive = zoneMembers.filter((member) => member.state === "alive").length
      return { name, health: healthOf(alive, zoneMembers.length), alive, total: zoneMembers.length, members: zoneMembers }
    })
}

export const ClusterHandlers = HttpApiBuilder.group(KnotApi, "cluster", (handlers) =>
  Effect.gen(function*() {
    const cluster = yield* ClusterView
    const originLink = yield* Effect.serviceOption(OriginLink)
    const origin = Option.match(originLink, {
      onNone: () => Effect.succeed({}),
      onSome: (link) => Effect.map(link.status, (status) => ({ origin: status }))
    })
    return handlers
      .handle("zones", () => Effect.map(cluster.members, zonesOf))
      .handle("nodes", () =>
        Effect.map(
          Effect.all([cluster.self, cluster.members, origin]),
          ([self, members, origin]) => ({ self: self.id, members, ...origin })
        ))
  }))
