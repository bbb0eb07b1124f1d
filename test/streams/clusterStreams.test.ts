/**
 * Streams across a real cluster: three `knot server` processes on loopback, the space placed
 * on node3 (the only node of its template's zone), and every stream taken through node1,
 * which carries it to node3 over their peer link. Killing node3 under an open shell ends the
 * client with an error within seconds.
 */
import { describe, expect, layer } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Docker from "dockerode"
import { Context, Duration, Effect, Layer } from "effect"
import {
  adminToken,
  eventually,
  expectThat,
  type KnotNode,
  newClusterKey,
  startNodes,
  startTestnet
} from "../support/clusterHarness.ts"
import { engineAvailable, engineSocket, noEngineNotice } from "../support/dockerEngine.ts"
import { cli, cliProcess, talkingTemplate, waitForOutput } from "./streamsSupport.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("the cluster stream tests"))

const MESH_WITHIN = Duration.seconds(30)

interface StreamClusterShape {
  readonly node1: KnotNode
  readonly node3: KnotNode
}

class StreamCluster extends Context.Tag("test/StreamCluster")<StreamCluster, StreamClusterShape>() {
  static readonly layer = Layer.scoped(
    StreamCluster,
    Effect.gen(function*() {
      const bootstrap = yield* startTestnet
      const clusterKey = newClusterKey()
      const [node1, node2, node3] = yield* startNodes(
        ["1", "2", "3"].map((n) => ({ name: `node${n}`, clusterKey, bootstrap, zone: `z${n}`, engineSocket }))
      )
      const nodes = [node1!, node2!, node3!]
      yield* eventually(
        "node1 to see node3 alive",
        Effect.flatMap(node1!.client.cluster.nodes(), ({ members }) =>
          expectThat(members.some((member) => member.id === node3!.id() && member.state === "alive"), "node3 not alive on node1")),
        { within: MESH_WITHIN, nodes }
      )
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "knot-cluster-streams-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      writeFileSync(join(dir, "talk.toml"), talkingTemplate("talk-z3", ["z3"]))
      const created = yield* Effect.promise(() =>
        cli(node1!.url, adminToken, ["template", "create", "--file", join(dir, "talk.toml")]).then(() =>
          cli(node1!.url, adminToken, ["space", "create", "far", "--template", "talk-z3"])))
      if (created.code !== 0) return yield* Effect.die(new Error(`space create failed: ${created.stderr}`))
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          const docker = new Docker({ socketPath: engineSocket })
          for (const container of await docker.listContainers({ all: true, filters: { name: ["^/knot\\.far\\."] } })) {
            await docker.getContainer(container.Id).remove({ force: true })
          }
        }))
      return { node1: node1!, node3: node3! }
    })
  )
}

const through = (node: KnotNode, args: ReadonlyArray<string>, input?: string) =>
  Effect.promise(() => cli(node.url, adminToken, args, input === undefined ? {} : { input }))

describe.runIf(available)("a real three-node cluster", () =>
  layer(StreamCluster.layer, { excludeTestServices: true, timeout: 180_000 })("streams across a cluster", (it) => {
    it.effect("a space of node3 runs there, reached through node1", () =>
      Effect.gen(function*() {
        const { node1, node3 } = yield* StreamCluster
        const shown = yield* through(node1, ["space", "get", "far", "--json"])
        expect(JSON.parse(shown.stdout).node).toBe(node3.id())
        const result = yield* through(node1, ["space", "exec", "far", "--", "sh", "-c", "echo hi; exit 3"])
        expect([result.code, result.stdout]).toEqual([3, "hi\n"])
      }), 60_000)

    it.effect("a shell through node1 runs what it is sent", () =>
      Effect.gen(function*() {
        const { node1 } = yield* StreamCluster
        const result = yield* through(node1, ["space", "shell", "far"], "echo $((6*7))\nexit\n")
        expect(result.code).toBe(0)
        expect(result.stdout).toMatch(/^42\r?$/m)
      }), 60_000)

    it.effect("logs through node1 show the container's output", () =>
      Effect.gen(function*() {
        const { node1 } = yield* StreamCluster
        const result = yield* through(node1, ["space", "logs", "far"])
        expect(result.stdout).toContain("booted")
      }), 60_000)

    it.effect("forward through node1 reaches the space's httpd", () =>
      Effect.gen(function*() {
        const { node1 } = yield* StreamCluster
        const forwarder = cliProcess(node1.url, adminToken, ["space", "forward", "far", "0:8080"])
        try {
          yield* Effect.promise(() => waitForOutput(forwarder.output, /forwarding 127\.0\.0\.1:(\d+)/))
          const local = Number(/forwarding 127\.0\.0\.1:(\d+)/.exec(forwarder.output())![1])
          const page = yield* Effect.promise(() => fetch(`http://127.0.0.1:${local}/`).then((response) => response.text()))
          expect(page).toBe("knot-forward-page\n")
        } finally {
          forwarder.child.kill("SIGINT")
        }
      }), 60_000)

    it.effect("killing node3 under an open shell ends the client with an error within 5 s", () =>
      Effect.gen(function*() {
        const { node1, node3 } = yield* StreamCluster
        const shell = cliProcess(node1.url, adminToken, ["space", "shell", "far"])
        shell.child.stdin?.write("echo shell-is-up\n")
        yield* Effect.promise(() => waitForOutput(shell.output, "shell-is-up\r\n"))
        const killedAt = Date.now()
        yield* node3.stop("SIGKILL")
        const code = yield* Effect.promise(() => shell.exited).pipe(Effect.timeout("30 seconds"))
        const tookMs = Date.now() - killedAt
        console.log(`the shell's client ended ${tookMs} ms after node3 was killed: ${shell.output().trim().split("\n").at(-1)}`)
        expect(code).not.toBe(0)
        expect(shell.output()).toMatch(/error: .*node/)
        expect(tookMs).toBeLessThan(5_000)
      }), 60_000)
  }))
