#!/usr/bin/env node
// The published entry point. `npm ci` bundles the CLI into dist/knot.mjs (`npm run build`),
// which starts in a third of the time tsx takes to load the TypeScript sources. The bundle
// runs only while no source is newer than it, so an edited checkout never runs stale code:
// it falls back to tsx's loader, in this same process, so that signals reach the node directly.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bundle = join(root, "dist", "knot.mjs")
const sources = ["actors", "cli", "effects", "simulations", "storage", "transport"]

const newestSource = (directory) => {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

const bundleIsFresh = () => {
  if (!existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  return sources.every((folder) => newestSource(join(root, folder)) <= built)
}

// `knot --version` needs nothing of the CLI: answering it before loading any keeps it instant.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  console.log(version)
} else if (bundleIsFresh()) {
  await import(bundle)
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import("../cli/main.ts")
}
