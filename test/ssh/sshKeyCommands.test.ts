import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestApi } from "../http/apiHarness.ts"
import { cliTestNode, freshConfigPath } from "../cli/cliEnvironment.ts"
import { runKnot } from "../cli/cliHarness.ts"

const dir = mkdtempSync(join(tmpdir(), "knot-ssh-key-commands-"))
const keyFile = (name: string) => {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@laptop`, "-f", join(dir, name)])
  return join(dir, `${name}.pub`)
}
const fingerprintOf = (file: string) => execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" }).split(" ")[1]!

layer(cliTestNode, { excludeTestServices: true })("knot user ssh-key", (it) => {
  const as = (token: Effect.Effect<string, never, TestApi>) =>
    Effect.gen(function*() {
      return { KNOT_SERVER: (yield* TestApi).url, KNOT_TOKEN: yield* token, KNOT_CONFIG: freshConfigPath() }
    })

  it.effect("add says which key went on whose profile, by the fingerprint ssh-keygen prints", () =>
    Effect.gen(function*() {
      const file = keyFile("eve1")
      const run = yield* runKnot(["user", "ssh-key", "add", "--file", file], yield* as(Effect.flatMap(TestApi, (api) => api.userWithToken("eve"))))
      expect(run).toEqual({
        exitCode: 0,
        stdout: `added ssh-ed25519 key ${fingerprintOf(file)} (eve1@laptop) to eve's profile`,
        stderr: ""
      })
    }))

  it.effect("list shows a user's keys; remove takes one off by its name", () =>
    Effect.gen(function*() {
      const environment = yield* as(Effect.flatMap(TestApi, (api) => api.userWithToken("finn")))
      yield* runKnot(["user", "ssh-key", "add", "--file", keyFile("finn1"), "--name", "desk"], environment)
      const listed = yield* runKnot(["user", "ssh-key", "list"], environment)
      expect(listed.stdout.split("\n")[1]).toMatch(/^desk\s+SHA256:\S+\s+ssh-ed25519\s+finn\s+/)
      const removed = yield* runKnot(["user", "ssh-key", "remove", "desk"], environment)
      expect(removed.stdout).toMatch(/^removed key SHA256:\S+ \(desk\) from finn's profile$/)
      expect((yield* runKnot(["user", "ssh-key", "list", "--json"], environment)).stdout).toBe("[]")
    }))

  it.effect("add of a file that is not a public key is one line saying what to give", () =>
    Effect.gen(function*() {
      keyFile("gus1")
      const run = yield* runKnot(["user", "ssh-key", "add", "--file", join(dir, "gus1")], yield* as(Effect.map(TestApi, (api) => api.adminToken)))
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: expect.stringMatching(/^error: that is a private key; give its public half/) })
    }))

  it.effect("remove of a key not on the profile says so and how to see the keys", () =>
    Effect.gen(function*() {
      const run = yield* runKnot(["user", "ssh-key", "remove", "nosuch"], yield* as(Effect.map(TestApi, (api) => api.adminToken)))
      expect(run.stderr).toBe("error: no SSH key nosuch on that profile; `knot user ssh-key list` shows them")
    }))
})
