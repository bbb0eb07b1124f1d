/**
 * knot's create+start of a space beside raw dockerode's create+start of the same container,
 * in one run. knot's time runs from `Spaces.create` (the user's request, as the API makes it)
 * until the owner's status record says `running`: the record write, the node actor spawning
 * the space actor, its adoption check of the engine, the create, the start, and the status
 * writes in between. The raw time is the engine's create and start of a container with the
 * very options knot sends (spaceContainer.ts, dockerContainerSpec.ts). One node on a
 * MemoryStore and the real DockerDriver; the arrival of the status is taken from the store's
 * change stream, so no poll interval adds to knot's time.
 */
import Docker from "dockerode"
import { Effect, Either, Exit, Layer, Queue, Scope } from "effect"
import { afterAll, bench, describe } from "vitest"
import { StandaloneClusterView } from "../../actors/node/clusterView.standalone.ts"
import { startNode } from "../../actors/node/node.actor.ts"
import { TemplatesLive } from "../../actors/node/templates.live.ts"
import { Templates } from "../../actors/node/templates.ts"
import { ActorSystemLive } from "../../actors/runtime/actorSystem.ts"
import { containerSpec, spaceIdentity } from "../../actors/space/spaceContainer.ts"
import { decodeSpaceStatus, spaceKind, spaceStatusKind } from "../../actors/space/spaceRecord.ts"
import { SpacesLive } from "../../actors/space/spaces.live.ts"
import { Spaces } from "../../actors/space/spaces.ts"
import { toCreateOptions } from "../../effects/docker/dockerContainerSpec.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"
import type { Template } from "../../storage/kinds/template.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import type { Change } from "../../storage/store.ts"
import { Store } from "../../storage/store.ts"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { ratioLines } from "../support/pairedTimings.ts"
import { scaled } from "./benchScale.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("space benchmarks"))

const docker = new Docker({ socketPath: engineSocket })
const node = `bench-${process.pid}`
/** On every container either path makes, so that the run removes exactly its own at the end. */
const runLabels = { "knot.bench": "1", "knot.bench.run": String(process.pid) }

const template: Template = {
  name: "bench",
  image: testImage,
  command: ["sleep", "3600"],
  env: { KNOT_BENCH: "1" },
  volumes: [],
  zones: []
}

const scope = Effect.runSync(Scope.make())

const removeRunContainers = async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [`knot.bench.run=${process.pid}`] } })
  await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true })))
}

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  if (available) await removeRunContainers()
})

const buildNode = () =>
  Effect.runPromise(Effect.gen(function*() {
    const layer = ActorSystemLive.pipe(
      Layer.provideMerge(DockerDriver.layer({ socketPath: engineSocket })),
      Layer.provideMerge(
        SpacesLive.pipe(
          Layer.provideMerge(TemplatesLive.layer()),
          Layer.provideMerge(StandaloneClusterView.layer({ zone: "bench" })),
          Layer.provideMerge(MemoryStore.layer({ nodeId: NodeId.make(node), maxDriftMs: 60_000 }))
        )
      )
    )
    const built = yield* Layer.buildWithScope(layer, scope)
    yield* Effect.provide(
      Effect.zipRight(
        Effect.flatMap(Templates, (templates) => templates.put(template)),
        startNode({ space: { extraLabels: runLabels, stopTimeoutSeconds: 1 } })
      ),
      built
    )
    return built
  }))

/** The node runs only when there is an engine to run its spaces on. */
const context = available ? await buildNode() : undefined

const run = <A, E>(effect: Effect.Effect<A, E, Spaces | Store | Scope.Scope>) =>
  context === undefined
    ? Promise.reject(new Error("no container engine"))
    : Effect.runPromise(Effect.provide(Effect.scoped(effect), context))

/** Takes changes until one satisfies `found`, which gives its result. */
const awaitChange = <A>(changes: Queue.Dequeue<Change>, found: (change: Change) => A | undefined) =>
  Effect.gen(function*() {
    for (;;) {
      const result = found(yield* Queue.take(changes))
      if (result !== undefined) return result
    }
  })

/**
 * Each iteration removes what it made, so none pile up and none outlive the run. The removals
 * are cut out of the measured time: the benchmark clock stands still meanwhile.
 */
let paused = 0
const now = () => performance.now() - paused
const untimed = async (work: () => Promise<void>) => {
  const started = performance.now()
  await work()
  paused += performance.now() - started
}

let counter = 0
const samples = { knot: new Array<number>(), dockerode: new Array<number>() }

/**
 * Records the time from the request to the status saying running (the subscription comes
 * first); gives the space's id, which its records are keyed by.
 */
const createSpace = (name: string) =>
  Effect.gen(function*() {
    const changes = yield* (yield* Store).subscribe
    const spaces = yield* Spaces
    const started = now()
    const { id } = yield* spaces.create({ name, template: template.name, owner: "bench" })
    const status = yield* awaitChange(changes, (change) => {
      if (change.record.kind !== spaceStatusKind || change.record.id !== id || change.record.deleted) return undefined
      const status = Either.getOrThrow(decodeSpaceStatus(change.record))
      return status.observed === "running" || status.observed === "failed" ? status : undefined
    })
    samples.knot.push(now() - started)
    if (status.observed === "failed") return yield* Effect.dieMessage(`space ${name} failed: ${status.reason}`)
    return id
  })

/** Deletes through knot, as a user would: its actor removes the container, then the records. */
const deleteSpace = (id: string) =>
  Effect.gen(function*() {
    const changes = yield* (yield* Store).subscribe
    yield* (yield* Spaces).delete(id)
    yield* awaitChange(changes, (change) =>
      change.record.kind === spaceKind && change.record.id === id && change.record.deleted ? true : undefined)
  })

const viaKnot = async () => {
  const name = `bench-${process.pid}-${++counter}`
  const id = await run(createSpace(name))
  await untimed(() => run(deleteSpace(id)))
}

const viaDockerode = async () => {
  const name = `raw-${process.pid}-${++counter}`
  const options = toCreateOptions(containerSpec(spaceIdentity(name, node, undefined), template, 1, runLabels))
  const started = now()
  const container = await docker.createContainer(options)
  await container.start()
  samples.dockerode.push(now() - started)
  await untimed(() => container.remove({ force: true }))
}

const report = () => {
  console.log(
    `space create+start (Spaces.create until the status says running) over ${samples.knot.length} alternating pairs ` +
      `(target ratio <= 1.10)\n${ratioLines({ name: "knot", samples: samples.knot }, { name: "raw dockerode", samples: samples.dockerode })}`
  )
}

describe.runIf(available)("space create+start", () => {
  // One iteration is one create+start through each path, in alternating order: run one after
  // the other, the second path would pay for whatever else the machine is doing meanwhile.
  let round = 0
  bench("one knot space and one raw dockerode container, created and started", async () => {
    const first = round++ % 2 === 0
    await (first ? viaKnot : viaDockerode)()
    await (first ? viaDockerode : viaKnot)()
  }, {
    iterations: scaled(30, 1),
    time: 0,
    // Enough for the JIT to settle on knot's path, which runs far more of its own code.
    warmupIterations: scaled(8, 0),
    warmupTime: 0,
    now,
    setup: (_task, mode) => {
      if (mode === "run") {
        samples.knot.length = 0
        samples.dockerode.length = 0
      }
    },
    teardown: (_task, mode) => {
      if (mode === "run") report()
    }
  })
})
