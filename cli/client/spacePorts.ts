/** The lines `knot space get` shows for a space's ports: where to browse an HTTP one, how to forward a TCP one. */
import type { TemplateView } from "../../effects/http/api.schemas.ts"
import type { SpaceAddress } from "./spaceAddress.ts"

export const portLines = (server: string, space: SpaceAddress, template: TemplateView | undefined): ReadonlyArray<string> =>
  (template?.ports ?? []).map((entry) => {
    const label = `${entry.port}/${entry.protocol ?? "tcp"}${entry.name === undefined ? "" : ` (${entry.name})`}`
    return entry.protocol === "http"
      ? `${label} ${server}/spaces/${space.owner}/${space.name}/ports/${entry.port}/`
      : `${label} knot space forward ${space.owner}/${space.name} ${entry.port}`
  })
