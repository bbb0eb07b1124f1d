/** `knot volume list|delete`: the kept volumes that deleted spaces left. */
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import type { KeptVolumeView } from "../../effects/http/api.schemas.ts"
import { connectionOptions } from "./connection.ts"
import { jsonOption, printJson, printResult } from "./output.ts"
import { openSession } from "./session.ts"
import { renderTable } from "./table.ts"

const volumesTable = (volumes: ReadonlyArray<KeptVolumeView>) =>
  volumes.length === 0
    ? "no kept volumes"
    : renderTable(
      [
        { header: "ID", cell: (volume: KeptVolumeView) => volume.id },
        { header: "VOLUME", cell: (volume) => volume.volume },
        { header: "OF SPACE", cell: (volume) => volume.space },
        { header: "OWNER", cell: (volume) => volume.owner },
        { header: "NODE", cell: (volume) => volume.node },
        { header: "STATE", cell: (volume) => volume.desired === "kept" ? "kept" : "being removed" }
      ],
      volumes
    )

const list = Command.make("list", { ...connectionOptions, json: jsonOption }, (input) =>
  Effect.gen(function*() {
    const session = yield* openSession(input)
    yield* printResult(input.json, yield* session.call(session.client.volumes.list()), volumesTable)
  })).pipe(
    Command.withDescription(
      "list your kept volumes (an admin's: everyone's); mount one in a new space with `knot space create NAME --template T --reuse-volume home=ID`"
    )
  )

const remove = Command.make(
  "delete",
  { ...connectionOptions, json: jsonOption, id: Args.text({ name: "id" }).pipe(Args.withDescription("the volume's ID")) },
  (input) =>
    Effect.gen(function*() {
      const session = yield* openSession(input)
      const volume = yield* session.call(session.client.volumes.delete({ path: { id: input.id } }))
      if (input.json) return yield* printJson(volume)
      yield* Console.log(`volume ${volume.id}: removal requested; node ${volume.node} removes it and its data`)
    })
).pipe(Command.withDescription("remove a kept volume and its data, for good"))

export const volumeCommand = Command.make("volume").pipe(
  Command.withDescription("the volumes that deleted spaces kept"),
  Command.withSubcommands([list, remove])
)
