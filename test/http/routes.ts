/** Every route of the API, read from its definition, so a new route is covered by the route-wide tests. */
import { KnotApi } from "../../effects/http/api.ts"

export interface Route {
  readonly group: string
  readonly name: string
  readonly method: string
  /** With every path parameter filled in. */
  readonly path: string
  readonly hasPayload: boolean
}

export const allRoutes: ReadonlyArray<Route> = Object.values(KnotApi.groups).flatMap((group) =>
  Object.values(group.endpoints).map((endpoint) => ({
    group: group.identifier,
    name: endpoint.name,
    method: endpoint.method,
    path: endpoint.path.replace(/:[A-Za-z]+/g, "some-thing"),
    hasPayload: endpoint.payloadSchema._tag === "Some"
  }))
)

/** Every route but liveness, the API's own description and a browser's sign-in, which answer without a token. */
export const protectedRoutes = allRoutes.filter((route) => route.group !== "health" && route.group !== "docs" && route.group !== "signIn")
