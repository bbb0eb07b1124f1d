import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { parseConfig } from "../../effects/config/loadConfig.ts"
import { runKnot } from "../cli/cliHarness.ts"

const keygen = Effect.map(runKnot(["cluster", "keygen"], {}), (run) => ({ ...run, key: run.stdout.trim() }))

describe("knot cluster keygen", () => {
  it.effect("prints one key that a cluster node's config accepts as [cluster] key", () =>
    Effect.gen(function*() {
      const run = yield* keygen
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(/^[0-9a-f]{64}$/)
      const config = parseConfig(
        `[server]\nmode = "cluster"\n\n[cluster]\nkey = "${run.key}"\nbootstrap = ["127.0.0.1:49737"]\n`,
        "knot.toml"
      )
      expect(Either.map(config, (file) => file.cluster.key)).toEqual(Either.right(run.key))
    }))

  it.effect("prints a different key on every run", () =>
    Effect.gen(function*() {
      const keys = yield* Effect.all([keygen, keygen, keygen])
      expect(new Set(keys.map((run) => run.key)).size).toBe(3)
    }))
})
