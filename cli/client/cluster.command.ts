/** `knot cluster status`: the members the answering node knows, by zone. */
import { Command } from "@effect/cli"
import { Clock, Effect } from "effect"
import type { ClusterStatus, MemberView, ZoneView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { ago, jsonOption, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

export interface ClusterReport extends ClusterStatus {
  readonly zones: ReadonlyArray<ZoneView>
}

export const clusterTable = (report: ClusterReport, now: number): string => {
  const zones = report.zones.map((zone) => `${zone.name} ${zone.health} (${zone.alive}/${zone.total} alive)`).join(", ")
  const members = renderTable(
    [
      { header: "NODE", cell: (member: MemberView) => `${member.id}${member.id === report.self ? " *" : ""}` },
      { header: "ZONE", cell: (member) => member.zone },
      { header: "MODE", cell: (member) => member.mode },
      { header: "STATE", cell: (member) => member.state },
      { header: "SPACES", cell: (member) => String(member.spaces) },
      { header: "LAST CONTACT", cell: (member) => (member.id === report.self ? "-" : ago(member.lastContact, now)) }
    ],
    report.members
  )
  return `zones: ${zones}\n\n${members}\n\n* the node that answered`
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
  Command.withDescription("inspect the cluster"),
  Command.withSubcommands([status])
)
