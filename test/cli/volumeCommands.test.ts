import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { encodeKeptVolume, volumeKind } from "../../actors/space/keptVolumes.ts"
import { TestApi } from "../http/apiHarness.ts"
import { runKnot } from "./cliHarness.ts"
import { cliTestNode, freshConfigPath } from "./cliEnvironment.ts"

layer(cliTestNode, { excludeTestServices: true })("knot volume", (it) => {
  /** The environment of user `name`, who has one kept volume `id` of a deleted space `dev`. */
  const withKeptVolume = (name: string, id: string) =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const token = yield* api.userWithToken(name)
      yield* api.store.put(volumeKind, id, encodeKeptVolume({
        owner: name,
        node: "node-a",
        zone: "eu-west",
        volume: "home",
        space: "dev",
        spaceId: "0123456789abcdef",
        keptAt: 0,
        desired: "kept"
      }))
      return { KNOT_SERVER: api.url, KNOT_TOKEN: token, KNOT_CONFIG: freshConfigPath() }
    })

  it.effect("list shows the caller's kept volumes with the space they came from", () =>
    Effect.gen(function*() {
      const environment = yield* withKeptVolume("vera", "knot.dev.0123456789abcdef.home")
      yield* withKeptVolume("walt", "knot.dev.fedcba9876543210.home")
      const run = yield* runKnot(["volume", "list"], environment)
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toContain("knot.dev.0123456789abcdef.home")
      expect(run.stdout).not.toContain("fedcba9876543210")
    }))

  it.effect("delete asks the volume's node to remove it", () =>
    Effect.gen(function*() {
      const environment = yield* withKeptVolume("xena", "knot.dev.00000000000000cc.home")
      const run = yield* runKnot(["volume", "delete", "knot.dev.00000000000000cc.home"], environment)
      expect(run).toEqual({
        exitCode: 0,
        stdout: "volume knot.dev.00000000000000cc.home: removal requested; node node-a removes it and its data",
        stderr: ""
      })
    }))

  it.effect("delete of another user's kept volume is refused in one line", () =>
    Effect.gen(function*() {
      yield* withKeptVolume("yuri", "knot.dev.00000000000000dd.home")
      const other = yield* withKeptVolume("zack", "knot.dev.00000000000000ee.home")
      const run = yield* runKnot(["volume", "delete", "knot.dev.00000000000000dd.home"], other)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toBe("")
      expect(run.stderr.split("\n")).toHaveLength(1)
    }))
})
