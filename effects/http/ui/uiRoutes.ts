/**
 * The web UI beside the API, on the same address: `/` is the one page (every view is a
 * fragment of it), `/ui/assets/*` its scripts and styles. Asset names carry their content's
 * hash, so they are cached for a year; the page itself is revalidated each time, so a new
 * build shows at once. Every answer carries the Content-Security-Policy: scripts and
 * connections from this node only, nothing framed, no plugins.
 */
import { HttpApiBuilder, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { loadUiBundle, type UiBundle } from "./uiAssets.ts"

/**
 * Styles allow 'unsafe-inline' because xterm's renderer writes a <style> element of its own;
 * scripts never do. `connect-src 'self'` covers the node's WebSockets and event streams.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ")

const pageHeaders = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY"
}

const notBuilt = HttpServerResponse.text(
  "knot's web UI is not built in this checkout: run `npm run build` (npm ci does), then restart the node",
  { status: 503, headers: pageHeaders }
)

export const uiRoutes = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    let bundle: UiBundle | undefined
    const current = () => (bundle ??= loadUiBundle())

    yield* router.get("/", Effect.sync(() => {
      const ui = current()
      if (ui === undefined) return notBuilt
      return HttpServerResponse.uint8Array(ui.index, {
        contentType: "text/html; charset=utf-8",
        headers: { ...pageHeaders, "cache-control": "no-cache" }
      })
    }))

    yield* router.get("/ui/assets/:file", Effect.gen(function*() {
      const { file } = yield* HttpRouter.params
      const request = yield* HttpServerRequest.HttpServerRequest
      const asset = file === undefined ? undefined : current()?.assets.get(file)
      if (asset === undefined) return HttpServerResponse.text("no such file", { status: 404, headers: pageHeaders })
      const gzip = asset.gzip !== undefined && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")
      return HttpServerResponse.uint8Array(gzip ? asset.gzip! : asset.body, {
        contentType: asset.contentType,
        headers: {
          ...pageHeaders,
          "cache-control": "public, max-age=31536000, immutable",
          vary: "accept-encoding",
          ...(gzip ? { "content-encoding": "gzip" } : {})
        }
      })
    }))
  }))
