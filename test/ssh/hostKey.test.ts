import { execFileSync } from "node:child_process"
import { mkdtempSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HOST_KEY_FILE, loadOrCreateHostKey } from "../../effects/ssh/hostKey.ts"

const clusterKey = "ab".repeat(32)
const dataDir = () => mkdtempSync(join(tmpdir(), "knot-host-key-"))
const load = (dir: string, key: string | undefined) => loadOrCreateHostKey(dir, key).pipe(Effect.provide(NodeContext.layer))

describe("the SSH gateway's host key", () => {
  it.effect("is the same on every node holding the cluster key, and differs for another key", () =>
    Effect.gen(function*() {
      const first = yield* load(dataDir(), clusterKey)
      const second = yield* load(dataDir(), clusterKey)
      const other = yield* load(dataDir(), "cd".repeat(32))
      expect(second.publicLine).toBe(first.publicLine)
      expect(other.publicLine).not.toBe(first.publicLine)
    }))

  it.effect("is written to the data directory readable by its owner only, as ssh-keygen reads it", () =>
    Effect.gen(function*() {
      const dir = dataDir()
      const key = yield* load(dir, clusterKey)
      const file = join(dir, HOST_KEY_FILE)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" })).toContain(key.fingerprint)
      expect(execFileSync("ssh-keygen", ["-yf", file], { encoding: "utf8" })).toContain(key.publicLine)
    }))

  it.effect("is made once on a node without the cluster key, and kept across restarts", () =>
    Effect.gen(function*() {
      const dir = dataDir()
      const made = yield* load(dir, undefined)
      const again = yield* load(dir, undefined)
      expect(made.origin).toBe("new")
      expect(again).toMatchObject({ origin: "data directory", publicLine: made.publicLine, fingerprint: made.fingerprint })
      expect((yield* load(dataDir(), undefined)).publicLine).not.toBe(made.publicLine)
    }))
})
