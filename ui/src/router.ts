/** Pages are addressed by the URL's fragment (#/spaces/alice/dev), so the node serves one page for all. */
import { useEffect, useState } from "preact/hooks"

export type Route =
  | { readonly page: "spaces" }
  | { readonly page: "space"; readonly owner: string; readonly name: string }
  | { readonly page: "terminal"; readonly owner: string; readonly name: string }
  | { readonly page: "templates" }
  | { readonly page: "people" }
  | { readonly page: "cluster" }

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((part) => part !== "").map(decodeURIComponent)
  const [first, owner, name, last] = parts
  if (first === "spaces" && owner !== undefined && name !== undefined) {
    return last === "terminal" ? { page: "terminal", owner, name } : { page: "space", owner, name }
  }
  if (first === "templates" || first === "people" || first === "cluster") return { page: first }
  return { page: "spaces" }
}

export const hrefOf = (route: Route): string => {
  switch (route.page) {
    case "space":
      return `#/spaces/${encodeURIComponent(route.owner)}/${encodeURIComponent(route.name)}`
    case "terminal":
      return `#/spaces/${encodeURIComponent(route.owner)}/${encodeURIComponent(route.name)}/terminal`
    default:
      return `#/${route.page}`
  }
}

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash))
    addEventListener("hashchange", follow)
    return () => removeEventListener("hashchange", follow)
  }, [])
  return route
}
