/**
 * vitest's global setup: every temporary file of a run goes under one directory, removed when
 * the run ends. Tests and the CLI processes they start make their scratch directories with
 * `os.tmpdir()`, which reads TMPDIR, and the test workers are started after this and inherit
 * it; without it each run of the suite left about two hundred directories in /tmp.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export default function scratchRoot() {
  const root = mkdtempSync(join(tmpdir(), "knot-tests-"))
  process.env.TMPDIR = root
  return () => rmSync(root, { recursive: true, force: true })
}
