/** `knot cluster status`: the members the answering node knows, by zone; `knot cluster keygen`. */
import { Command } from "@effect/cli"
import { Clock, Effect } from "effect"
import type { OriginLinkStatus } from "../../actors/node/originLink.ts"
import type { ClusterStatus, MemberView, ZoneView } from "../../effects/http/api.schemas.ts"
import { clusterDhtCommand } from "./clusterDht.command.ts"
import { clusterKeygenCommand } from "./clusterKeygen.command.ts"
import { connectionOptions } from "./connection.ts"
import { ago, jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

interface ClusterReport extends ClusterStatus {
  readonly zones: ReadonlyArray<ZoneView>
}

/** A leaf linked to another node has no contact with this one: its link is that node's word. */
const lastContactOf = (member: MemberView, report: ClusterReport, now: number) => {
  if (member.id === report.self) return "-"
  if (member.via !== undefined) {
    const origin = report.members.find((candidate) => candidate.id === member.via)
    return `via ${origin?.name ?? member.via}`
  }
  return member.lastContact === undefined ? "never" : ago(member.lastContact, now)
}

const clusterTable = (report: ClusterReport, now: number): string => {
  const zones = report.zones.map((zone) => `${zone.name} ${zone.health} (${zone.alive}/${zone.total} alive)`).join(", ")
  const members = renderTable(
    [
      { header: "NAME", cell: (member: MemberView) => `${member.name ?? "-"}${member.id === report.self ? " *" : ""}` },
      { header: "NODE", cell: (member) => member.id },
      { header: "ZONE", cell: (member) => member.zone },
      { header: "MODE", cell: (member) => member.mode },
      { header: "STATE", cell: (member) => member.state },
      { header: "INCARNATION", cell: (member) => String(member.incarnation) },
      { header: "SPACES", cell: (member) => String(member.spaces) },
      { header: "LAST CONTACT", cell: (member) => lastContactOf(member, report, now) }
    ],
    report.members
  )
  const footer = `${members}\n\n* the node that answered`
  return report.origin === undefined ? `zones: ${zones}\n\n${footer}` : `${originLine(report.origin, now)}\nzones: ${zones}\n\n${footer}`
}

/** A leaf's first line: whether it reaches its origin, and since when. */
export const originLine = (origin: OriginLinkStatus, now: number): string => {
  const since = `since ${new Date(origin.since).toISOString()} (${ago(origin.since, now)})`
  const who = origin.node === undefined ? origin.origin : `${origin.node} (${origin.origin})`
  if (origin.state === "connected") return `origin ${who} connected ${since}`
  return origin.refused === undefined
    ? `origin ${who} unreachable ${since}`
    : `origin ${who} refused this leaf ${since}: ${origin.refused}`
}

const status = Command.make("status", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    const [nodes, zones] = yield* session.call(
      Effect.all([session.client.cluster.nodes(), session.client.cluster.zones()], { concurrency: 2 })
    )
    const now = yield* Clock.currentTimeMillis
    yield* printResult(input.json, { ...nodes, zones }, (report) => clusterTable(report, now))
  })).pipe(Command.withDescription("show the nodes of the cluster, their zones and health"))

export const clusterCommand = Command.make("cluster").pipe(
  Command.withDescription("inspect the cluster, or make the key of a new one"),
  Command.withSubcommands([status, clusterKeygenCommand, clusterDhtCommand])
)
