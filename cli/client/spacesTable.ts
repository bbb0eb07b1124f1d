/** How `knot space list` shows spaces to people; plain code, for the hand path too. */
import type { SpaceView } from "../../effects/http/api.schemas.ts"
import { renderTable } from "./table.ts"

/** The fields of a space the table shows. */
export type ListedSpace = Pick<SpaceView, "name" | "observed" | "desired" | "template" | "owner" | "node" | "zone">

export const spaceStatus = (space: Pick<SpaceView, "observed" | "desired">): string =>
  space.observed === space.desired ? space.observed : `${space.observed} (wants ${space.desired})`

export const spacesTable = (spaces: ReadonlyArray<ListedSpace>): string =>
  spaces.length === 0
    ? "no spaces; create one with `knot space create NAME --template TEMPLATE`"
    : renderTable(
      [
        { header: "NAME", cell: (space: ListedSpace) => space.name },
        { header: "STATUS", cell: spaceStatus },
        { header: "TEMPLATE", cell: (space) => space.template },
        { header: "OWNER", cell: (space) => space.owner },
        { header: "NODE", cell: (space) => space.node },
        { header: "ZONE", cell: (space) => space.zone }
      ],
      spaces
    )
