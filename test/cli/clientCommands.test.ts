import { statSync } from "node:fs"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestApiOf, TestApi } from "../http/apiHarness.ts"
import { runKnot } from "./cliHarness.ts"
import { cliTestNode, closedPort, freshConfigPath, writeScratchFile } from "./cliEnvironment.ts"

layer(cliTestNode, { excludeTestServices: true })("knot client commands", (it) => {
  const asAdmin = Effect.map(TestApi, (api) => ({
    KNOT_SERVER: api.url,
    KNOT_TOKEN: api.adminToken,
    KNOT_CONFIG: freshConfigPath()
  }))

  it.effect("an unreachable server is one line that says so, and exit code 1", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const run = yield* runKnot(["space", "list", "--server", `http://127.0.0.1:${port}`, "--token", "t"], {
        KNOT_CONFIG: freshConfigPath()
      })
      expect(run).toEqual({
        exitCode: 1,
        stdout: "",
        stderr: `error: cannot reach knot server at http://127.0.0.1:${port} (connection refused); is \`knot server\` running?`
      })
    }))

  it.effect("without a token anywhere it says where one can come from", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const config = freshConfigPath()
      const run = yield* runKnot(["space", "list"], { KNOT_SERVER: api.url, KNOT_CONFIG: config })
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toBe(
        `error: no API token: pass --token, set KNOT_TOKEN, or run \`knot login --token TOKEN\` (writes ${config})`
      )
    }))

  it.effect("a token the server does not know is refused in one line", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const run = yield* runKnot(["space", "list", "--token", `knot_0000000000000000_${"1".repeat(64)}`], {
        KNOT_SERVER: api.url,
        KNOT_CONFIG: freshConfigPath()
      })
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(/^error: the token is not valid on this node/)
      expect(run.stderr.split("\n")).toHaveLength(1)
    }))

  it.effect("flags win over the environment", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const port = yield* closedPort
      const run = yield* runKnot(["cluster", "status", "--json", "--server", api.url, "--token", api.adminToken], {
        KNOT_SERVER: `http://127.0.0.1:${port}`,
        KNOT_TOKEN: "not-this-one",
        KNOT_CONFIG: freshConfigPath()
      })
      expect(run.exitCode).toBe(0)
      expect(JSON.parse(run.stdout).self).toBe("node-a")
    }))

  it.effect("login checks the token, saves it readable by its owner only, and later commands use it", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const config = freshConfigPath()
      const login = yield* runKnot(["login", "--server", api.url, "--token", api.adminToken], { KNOT_CONFIG: config })
      expect(login.stdout).toBe(`logged in to ${api.url} as root (admin); saved in ${config}`)
      expect(statSync(config).mode & 0o777).toBe(0o600)
      const after = yield* runKnot(["cluster", "status", "--json"], { KNOT_CONFIG: config })
      expect(after.exitCode).toBe(0)
    }))

  it.effect("login with a bad token saves nothing", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const config = freshConfigPath()
      const login = yield* runKnot(["login", "--server", api.url, "--token", "wrong-token"], { KNOT_CONFIG: config })
      expect(login.exitCode).toBe(1)
      expect(() => statSync(config)).toThrow()
    }))

  it.effect("template create reads a TOML file, and list shows the template", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const file = writeScratchFile(
        "web.toml",
        [
          `name = "toml-web"`,
          `image = "nginx:1.27"`,
          `zones = ["eu-west"]`,
          `[env]`,
          `MODE = "dev"`,
          `[[volumes]]`,
          `name = "home"`,
          `mountPath = "/home/dev"`,
          `keep = true`
        ].join("\n")
      )
      const created = yield* runKnot(["template", "create", "--file", file], environment)
      expect(created.stdout).toBe("template toml-web saved (nginx:1.27)")
      const listed = yield* runKnot(["template", "list"], environment)
      expect(listed.stdout).toMatch(/^NAME\s+IMAGE\s+ZONES\s+VOLUMES$/m)
      expect(listed.stdout).toMatch(/^toml-web\s+nginx:1\.27\s+eu-west\s+\/home\/dev$/m)
    }))

  it.effect("template create reads a JSON file", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const file = writeScratchFile("api.json", JSON.stringify({ name: "json-api", image: "node:20", command: ["node"] }))
      const created = yield* runKnot(["template", "create", "-f", file, "--json"], environment)
      expect(JSON.parse(created.stdout)).toMatchObject({ name: "json-api", command: ["node"], zones: [] })
    }))

  it.effect("a template file with a wrong field is one line naming it, before anything is sent", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const file = writeScratchFile("bad.toml", `name = "bad"\nimage = "x"\n[[volumes]]\nname = "v"\nmountPath = "rel"\nkeep = false\n`)
      const run = yield* runKnot(["template", "create", "--file", file], environment)
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(/^error: .*bad\.toml is not a valid template: volumes\.0\.mountPath: a volume's mountPath must be an absolute path/)
    }))

  it.effect("a template file that is not TOML says where it breaks", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const file = writeScratchFile("broken.toml", `name = "x\n`)
      const run = yield* runKnot(["template", "create", "--file", file], environment)
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(/^error: .*broken\.toml is not valid TOML: /)
      expect(run.stderr.split("\n")).toHaveLength(1)
    }))

  it.effect("template delete removes it", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const file = writeScratchFile("gone.json", JSON.stringify({ name: "gone", image: "busybox" }))
      yield* runKnot(["template", "create", "--file", file], environment)
      const deleted = yield* runKnot(["template", "delete", "gone"], environment)
      expect(deleted.stdout).toBe("template gone deleted")
      const again = yield* runKnot(["template", "delete", "gone"], environment)
      expect(again.stderr).toBe("error: no template named gone; see `knot template list`")
    }))

  it.effect("user create then token create --user gives a token that acts as the new user", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const created = yield* runKnot(["user", "create", "lee"], environment)
      expect(created.stdout).toBe("user lee created (user); give them a token with `knot token create --user lee`")
      const issued = yield* runKnot(["token", "create", "--user", "lee", "--name", "laptop"], environment)
      expect(issued.stdout).toMatch(/^knot_[0-9a-f]{16}_[0-9a-f]{64}$/)
      expect(issued.stderr).toMatch(/^token [0-9a-f]{16} for lee; store it now, it is not shown again:$/)
      const tokens = yield* runKnot(["token", "list", "--json"], { ...environment, KNOT_TOKEN: issued.stdout })
      expect(JSON.parse(tokens.stdout)).toMatchObject([{ user: "lee", name: "laptop" }])
    }))

  it.effect("a user who is not an admin cannot create users, in one line", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const environment = { ...(yield* asAdmin), KNOT_TOKEN: yield* api.userWithToken("mo") }
      const run = yield* runKnot(["user", "create", "evil", "--role", "admin"], environment)
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: "error: only an admin may do this; mo is a user" })
    }))

  it.effect("cluster status shows the zones and a table of members", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const run = yield* runKnot(["cluster", "status"], environment)
      const lines = run.stdout.split("\n")
      expect(lines[0]).toBe("zones: eu-west healthy (1/1 alive)")
      expect(lines[2]).toMatch(/^NAME\s+NODE\s+ZONE\s+MODE\s+STATE\s+INCARNATION\s+SPACES\s+LAST CONTACT$/)
      expect(lines[3]).toMatch(/^- \*\s+node-a\s+eu-west\s+standalone\s+alive\s+\d+\s+\d+\s+-$/)
    }))

  it.effect("leaf add on a standalone node says, in one line, to run it against a cluster node", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      const run = yield* runKnot(["leaf", "add", "laptop"], environment)
      expect(run).toEqual({
        exitCode: 1,
        stdout: "",
        stderr:
          "error: leaves are added on a cluster node; run this against one of the cluster's nodes (this node is standalone)"
      })
    }))
})

layer(makeTestApiOf({ mode: "cluster" }), { excludeTestServices: true })("knot leaf on a cluster node", (it) => {
  const asAdmin = Effect.map(TestApi, (api) => ({
    KNOT_SERVER: api.url,
    KNOT_TOKEN: api.adminToken,
    KNOT_CONFIG: freshConfigPath()
  }))

  it.effect("leaf add prints the [leaf] lines to paste, with the credential, and says it is shown once", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("lena")
      const environment = yield* asAdmin
      const run = yield* runKnot(["leaf", "add", "laptop", "--zone", "home", "--user", "lena"], environment)
      expect(run.exitCode).toBe(0)
      const lines = run.stdout.split("\n")
      expect(lines[0]).toBe("leaf laptop added; its credential is shown only this once. Put it in the leaf's config:")
      expect(lines.slice(2, 4)).toEqual([
        "    [leaf]",
        `    origin = "<this node's public key: publicKey in noise-keypair.json of its data directory>"`
      ])
      expect(lines[4]).toMatch(/^ {4}credential = "knot-leaf:laptop:[0-9a-f]{64}"$/)
    }))

  it.effect("leaf list shows each leaf's zone, users, state and node, never its credential", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("ines")
      yield* api.userWithToken("ivo")
      const environment = yield* asAdmin
      const added = yield* runKnot(["leaf", "add", "desk", "--user", "ivo", "--user", "ines", "--json"], environment)
      const secret = JSON.parse(added.stdout).credential.split(":")[2]
      yield* runKnot(["leaf", "add", "kiosk"], environment)
      const listed = yield* runKnot(["leaf", "list"], environment)
      expect(listed.exitCode).toBe(0)
      expect(listed.stdout).toMatch(/^NAME\s+ZONE\s+USERS\s+STATE\s+NODE$/m)
      expect(listed.stdout).toMatch(/^desk\s+-\s+ines,ivo\s+waiting\s+-$/m)
      expect(listed.stdout).toMatch(/^kiosk\s+-\s+-\s+waiting\s+-$/m)
      expect(listed.stdout).not.toContain(secret)
    }))

  it.effect("leaf set changes a leaf's users in place and says what it serves now", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      yield* api.userWithToken("rosa")
      yield* api.userWithToken("rui")
      const environment = yield* asAdmin
      yield* runKnot(["leaf", "add", "atelier", "--zone", "home", "--user", "rosa"], environment)
      const changed = yield* runKnot(["leaf", "set", "atelier", "--user", "rui", "--user", "rosa"], environment)
      expect(changed).toEqual({
        exitCode: 0,
        stdout: "leaf atelier now serves rosa, rui in zone home; the leaf picks this up from its origin, " +
          "with no new credential or restart",
        stderr: ""
      })
      const listed = yield* runKnot(["leaf", "list"], environment)
      expect(listed.stdout).toMatch(/^atelier\s+home\s+rosa,rui\s+waiting\s+-$/m)
    }))

  it.effect("leaf set with nothing to change says what to give, without asking the node", () =>
    Effect.gen(function*() {
      const run = yield* runKnot(["leaf", "set", "atelier"], yield* asAdmin)
      expect(run).toEqual({
        exitCode: 1,
        stdout: "",
        stderr: "error: nothing to change: give --user (repeat it for several users), --zone, or both"
      })
    }))

  it.effect("leaf revoke says the link closes, and the list shows it revoked", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      yield* runKnot(["leaf", "add", "lost"], environment)
      const revoked = yield* runKnot(["leaf", "revoke", "lost"], environment)
      expect(revoked).toEqual({ exitCode: 0, stdout: "leaf lost revoked; its link closes within seconds", stderr: "" })
      const listed = yield* runKnot(["leaf", "list", "--json"], environment)
      expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ name: "lost", state: "revoked" }))
    }))

  it.effect("leaf add of a taken name, or revoke of an unknown one, is one line saying so", () =>
    Effect.gen(function*() {
      const environment = yield* asAdmin
      yield* runKnot(["leaf", "add", "twin"], environment)
      const taken = yield* runKnot(["leaf", "add", "twin"], environment)
      expect(taken).toEqual({
        exitCode: 1,
        stdout: "",
        stderr:
          "error: a leaf named twin already exists; revoke it first (`knot leaf revoke twin`) to issue a new credential"
      })
      const unknown = yield* runKnot(["leaf", "revoke", "nowhere"], environment)
      expect(unknown).toEqual({ exitCode: 1, stdout: "", stderr: "error: no leaf named nowhere; see `knot leaf list`" })
    }))

  it.effect("a user who is not an admin cannot add leaves, in one line", () =>
    Effect.gen(function*() {
      const api = yield* TestApi
      const environment = { ...(yield* asAdmin), KNOT_TOKEN: yield* api.userWithToken("mo") }
      const run = yield* runKnot(["leaf", "add", "sneaky"], environment)
      expect(run).toEqual({ exitCode: 1, stdout: "", stderr: "error: only an admin may do this; mo is a user" })
    }))
})
