/**
 * The web UI's built files (dist/ui, made by `npm run build`), read once and kept in memory:
 * a few hundred kilobytes, each with its gzip, served without touching the disk again.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export interface UiAsset {
  readonly body: Uint8Array
  readonly gzip?: Uint8Array
  readonly contentType: string
}

export interface UiBundle {
  readonly index: Uint8Array
  readonly assets: ReadonlyMap<string, UiAsset>
}

const types: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  woff2: "font/woff2",
  svg: "image/svg+xml",
  png: "image/png"
}

/** From the bundle (dist/knot*.mjs beside dist/ui) or from the sources (effects/http/ui, three levels down). */
const candidates = [new URL("./ui/", import.meta.url), new URL("../../../dist/ui/", import.meta.url)]

export const loadUiBundle = (): UiBundle | undefined => {
  const root = candidates.map((url) => fileURLToPath(url)).find((dir) => existsSync(`${dir}index.html`))
  if (root === undefined) return undefined
  const assets = new Map<string, UiAsset>()
  for (const name of readdirSync(`${root}assets`)) {
    if (name.endsWith(".gz")) continue
    const gzipPath = `${root}assets/${name}.gz`
    assets.set(name, {
      body: readFileSync(`${root}assets/${name}`),
      ...(existsSync(gzipPath) ? { gzip: readFileSync(gzipPath) } : {}),
      contentType: types[name.split(".").pop() ?? ""] ?? "application/octet-stream"
    })
  }
  return { index: readFileSync(`${root}index.html`), assets }
}
