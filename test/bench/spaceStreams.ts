/**
 * What a stream into a space costs: two `knot server` processes on a real engine, the space on
 * node2. A keystroke's round trip (a byte into a TTY running `cat`, until its echo comes back)
 * and a port's throughput (50 MB read from `nc` inside the space), each direct (through node2)
 * and through node1, which carries it to node2 over their peer link; beside them, the same
 * 50 MB read straight from a dockerode exec stream, the floor under all of it. Run by
 * `npm run bench`; prints figures, asserts none.
 */
import Docker from "dockerode"
import { Duration, Effect } from "effect"
import WebSocket from "ws"
import { adminToken, eventually, expectThat, type KnotNode, newClusterKey, startNodes, startTestnet } from "../support/clusterHarness.ts"
import { engineAvailable, engineSocket, testImage } from "../support/dockerEngine.ts"
import { scaled } from "./benchScale.ts"

const KEYSTROKES = scaled(300, 5)
const BYTES = scaled(50, 1) * 1024 * 1024
const ROUNDS = scaled(3, 1)

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0

const socketTo = (node: KnotNode, tail: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`${node.url.replace(/^http/, "ws")}/api/spaces/admin/bench/${tail}`, {
      headers: { authorization: `Bearer ${adminToken}` },
      perMessageDeflate: false
    })
    socket.once("open", () => resolve(socket))
    socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)))
    socket.once("error", reject)
  })

/** Milliseconds from a byte sent into a TTY running `cat` until its echo arrives, per keystroke. */
const keystrokes = async (node: KnotNode) => {
  const socket = await socketTo(node, "exec?cmd=cat&tty=1")
  const times: Array<number> = []
  let waiting: (() => void) | undefined
  socket.on("message", (_data: Buffer, binary: boolean) => {
    if (binary) waiting?.()
  })
  for (let i = 0; i < KEYSTROKES + 20; i++) {
    const started = performance.now()
    await new Promise<void>((resolve) => {
      waiting = resolve
      socket.send(Buffer.from("x"), { binary: true })
    })
    if (i >= 20) times.push(performance.now() - started)
  }
  socket.terminate()
  return times.sort((a, b) => a - b)
}

/** MB/s of reading BYTES from a port in the space, over a TCP stream. */
const forwardThroughput = async (node: KnotNode) => {
  const socket = await socketTo(node, "ports/9000/connect")
  const started = performance.now()
  let received = 0
  await new Promise<void>((resolve) => {
    socket.on("message", (data: Buffer, binary: boolean) => {
      if (binary) received += data.byteLength - 1
      if (received >= BYTES) resolve()
    })
    socket.on("close", () => resolve())
  })
  socket.terminate()
  return received / 1e6 / ((performance.now() - started) / 1000)
}

/** MB/s of the same bytes read from a dockerode exec stream, with no knot in between. */
const rawExecThroughput = async (docker: Docker, containerId: string) => {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ["head", "-c", String(BYTES), "/dev/zero"],
    AttachStdout: true,
    AttachStderr: true
  })
  const stream = await exec.start({ hijack: true, stdin: false })
  const started = performance.now()
  let received = 0
  await new Promise<void>((resolve) => {
    stream.on("data", (chunk: Buffer) => (received += chunk.byteLength))
    stream.on("end", () => resolve())
  })
  // The engine's frame headers (8 bytes each) are counted too; they are a rounding error here.
  return received / 1e6 / ((performance.now() - started) / 1000)
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const program = Effect.gen(function*() {
  const bootstrap = yield* startTestnet
  const clusterKey = newClusterKey()
  const [node1, node2] = yield* startNodes(
    ["1", "2"].map((n) => ({ name: `node${n}`, clusterKey, bootstrap, zone: `z${n}`, engineSocket }))
  )
  const nodes = [node1!, node2!]
  yield* eventually(
    "node1 to see node2 alive",
    Effect.flatMap(node1!.client.cluster.nodes(), ({ members }) =>
      expectThat(members.some((member) => member.id === node2!.id() && member.state === "alive"), "not yet")),
    { within: "60 seconds", nodes }
  )
  yield* node1!.client.templates.put({
    payload: {
      name: "bench",
      image: testImage,
      command: ["sh", "-c", `while true; do head -c ${BYTES} /dev/zero | nc -l -p 9000; done`],
      env: {},
      volumes: [],
      zones: ["z2"]
    }
  })
  // Placement needs node2's zone known on node1, which follows its membership by a moment.
  yield* eventually("the bench space to be placed", node1!.client.spaces.create({ payload: { name: "bench", template: "bench" } }), {
    within: "60 seconds",
    nodes
  })
  const space = yield* eventually(
    "the bench space to run on node2",
    Effect.flatMap(node1!.client.spaces.get({ path: { owner: "admin", name: "bench" } }), (view) =>
      view.observed === "running" && view.containerId !== undefined ? Effect.succeed(view) : Effect.fail(new Error(view.observed))),
    { within: "60 seconds", nodes }
  )
  const docker = new Docker({ socketPath: engineSocket })
  yield* Effect.addFinalizer(() => Effect.promise(() => docker.getContainer(space.containerId!).remove({ force: true }).catch(() => undefined)))

  console.log(`space streams (a space on node2; direct = through node2, relayed = through node1 to node2)`)
  for (const [label, node] of [["direct", node2!], ["relayed", node1!]] as const) {
    const times = yield* Effect.promise(() => keystrokes(node))
    console.log(
      `  keystroke round trip, ${label.padEnd(7)}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms (${KEYSTROKES} keys)`
    )
  }
  const rates: Record<string, Array<number>> = { raw: [], direct: [], relayed: [] }
  for (let round = 0; round < ROUNDS; round++) {
    rates.raw!.push(yield* Effect.promise(() => rawExecThroughput(docker, space.containerId!)))
    rates.direct!.push(yield* Effect.promise(() => forwardThroughput(node2!)))
    rates.relayed!.push(yield* Effect.promise(() => forwardThroughput(node1!)))
  }
  const raw = median(rates.raw!)
  console.log(`  ${BYTES / 1024 / 1024} MB read, median of ${ROUNDS}:`)
  console.log(`    raw dockerode exec stream:     ${raw.toFixed(1)} MB/s`)
  console.log(`    forward, direct:               ${median(rates.direct!).toFixed(1)} MB/s (${(median(rates.direct!) / raw).toFixed(2)}× raw)`)
  console.log(`    forward, relayed through node1: ${median(rates.relayed!).toFixed(1)} MB/s (${(median(rates.relayed!) / raw).toFixed(2)}× raw)`)
})

if (await engineAvailable()) {
  await Effect.runPromise(Effect.scoped(program).pipe(Effect.timeout(Duration.minutes(10))))
} else {
  console.log(`space streams bench: no container engine at ${engineSocket}; not run`)
}
