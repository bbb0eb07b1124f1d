import Docker from "dockerode"
import { Effect } from "effect"
import { bench, describe } from "vitest"
import type { ContainerSpec } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { toCreateOptions } from "../../effects/docker/dockerContainerSpec.ts"
import { DockerDriver } from "../../effects/docker/dockerDriver.ts"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"
import { ratioLines } from "../support/pairedTimings.ts"
import { scaled } from "./benchScale.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("container benchmarks"))

const docker = new Docker({ socketPath: engineSocket })
const driver = Effect.runSync(Effect.provide(ContainerDriver, DockerDriver.layer()))

let counter = 0
const spec = (): ContainerSpec => ({
  name: `knot-bench-${process.pid}-${++counter}`,
  image: testImage,
  command: ["sleep", "3600"],
  env: { KNOT_BENCH: "1" },
  labels: { "knot.bench": "1" },
  volumes: []
})

const viaDriver = () =>
  Effect.runPromise(Effect.flatMap(driver.create(spec()), (info) => Effect.as(driver.start(info.id), info.id)))

/** The same request body the driver sends, straight through dockerode. */
const viaDockerode = async () => {
  const container = await docker.createContainer(toCreateOptions(spec()))
  await container.start()
  return container.id
}

/**
 * Each iteration removes the containers it made, so none pile up and none outlive the run.
 * The removals are cut out of the measured time: the benchmark clock stands still meanwhile.
 */
let paused = 0
const now = () => performance.now() - paused
const removeUntimed = async (id: string) => {
  const started = performance.now()
  await docker.getContainer(id).remove({ force: true })
  paused += performance.now() - started
}

const samples = { driver: new Array<number>(), dockerode: new Array<number>() }
const measure = async (variant: keyof typeof samples, createAndStart: () => Promise<string>) => {
  const started = now()
  const id = await createAndStart()
  samples[variant].push(now() - started)
  await removeUntimed(id)
}

const report = () => {
  console.log(
    `container create+start over ${samples.driver.length} alternating pairs (target ratio <= 1.10)\n` +
      `${ratioLines({ name: "DockerDriver", samples: samples.driver }, { name: "raw dockerode", samples: samples.dockerode })}`
  )
}

describe.runIf(available)("container create+start", () => {
  // One iteration is one create+start through each path, in alternating order: run one after
  // the other, the second path would pay for whatever else the machine is doing meanwhile.
  let round = 0
  bench("one DockerDriver and one raw dockerode create+start", async () => {
    const first = round++ % 2 === 0
    await measure(first ? "driver" : "dockerode", first ? viaDriver : viaDockerode)
    await measure(first ? "dockerode" : "driver", first ? viaDockerode : viaDriver)
  }, {
    iterations: scaled(30, 1),
    time: 0,
    warmupIterations: scaled(3, 0),
    warmupTime: 0,
    now,
    setup: (_task, mode) => {
      if (mode === "run") {
        samples.driver.length = 0
        samples.dockerode.length = 0
      }
    },
    teardown: (_task, mode) => {
      if (mode === "run") report()
    }
  })
})
