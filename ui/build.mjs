// Bundles the web UI into dist/ui: index.html, and under assets/ the scripts and styles named
// by their content's hash (served as immutable), each beside its gzip. The terminal (xterm)
// is a chunk of its own, loaded when a terminal opens, so the first load stays small.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, "..", "dist", "ui")
const assets = join(out, "assets")

rmSync(out, { recursive: true, force: true })
mkdirSync(assets, { recursive: true })

const result = await build({
  entryPoints: { app: join(here, "src", "main.tsx") },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: assets,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' }
})

const outputs = Object.entries(result.metafile.outputs)
const entryOf = (extension) => {
  const found = outputs.find(([path, output]) => output.entryPoint !== undefined && path.endsWith(extension)) ??
    outputs.find(([path]) => path.endsWith(extension) && path.includes("app-"))
  return found === undefined ? undefined : relative(out, found[0]).split("\\").join("/")
}
const script = entryOf(".js")
const style = outputs.find(([path]) => path.endsWith(".css"))
const styleHref = style === undefined ? undefined : relative(out, style[0]).split("\\").join("/")

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>knot</title>
${styleHref === undefined ? "" : `<link rel="stylesheet" href="/ui/${styleHref}">`}
<script type="module" src="/ui/${script}"></script>
</head>
<body>
<div id="app"><noscript>knot's web UI needs JavaScript; the command line (knot) works without.</noscript></div>
</body>
</html>
`
writeFileSync(join(out, "index.html"), html)

for (const name of readdirSync(assets)) {
  if (name.endsWith(".gz")) continue
  const path = join(assets, name)
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }))
}
// What the first load fetches, for the bench and the server: the entry script, its static imports, the style.
const firstLoad = new Set()
const visit = (path) => {
  if (firstLoad.has(path)) return
  firstLoad.add(path)
  for (const imported of result.metafile.outputs[path]?.imports ?? []) if (imported.kind === "import-statement") visit(imported.path)
}
visit(outputs.find(([path]) => relative(out, path).split("\\").join("/") === script)[0])
if (style !== undefined) firstLoad.add(style[0])
writeFileSync(
  join(out, "manifest.json"),
  JSON.stringify({ script, style: styleHref, firstLoad: [...firstLoad].map((path) => relative(out, path).split("\\").join("/")) }, null, 2)
)
