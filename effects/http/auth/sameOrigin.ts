/**
 * Whether a request comes from this node's own pages, as far as the browser says: a browser
 * names the page's origin on every write (Origin) and whether it is another site's
 * (Sec-Fetch-Site). A client that is no browser sends neither and is judged by its credentials.
 */
interface Headers {
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
}

const single = (value: string | ReadonlyArray<string> | undefined) => (typeof value === "string" ? value : undefined)

export const sameOrigin = (request: Headers): boolean => {
  const site = single(request.headers["sec-fetch-site"])
  if (site === "cross-site" || site === "same-site") return false
  const origin = single(request.headers["origin"])
  if (origin === undefined) return true
  try {
    return new URL(origin).host === single(request.headers["host"])
  } catch {
    return false
  }
}
