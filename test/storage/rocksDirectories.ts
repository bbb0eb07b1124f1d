/** Fresh RocksDB directories under the OS temp directory, removed when the test file ends. */
import { afterAll } from "@effect/vitest"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

export const rocksDirectories = (label: string) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `knot-${label}-`))
  let next = 0
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
  return {
    root,
    /** A directory no store has used yet. */
    fresh: (name = "db") => path.join(root, `${name}-${next++}`)
  }
}
