/**
 * A fuzz worker thread: runs the seeds it is handed, one result message per seed, and asks
 * for more when its batch is done. Started by fuzz.ts; not imported by anything else.
 */
import { parentPort, workerData } from "node:worker_threads"
import { Effect } from "effect"
import type { FromWorker, ToWorker, WorkerSetup } from "./fuzz.ts"
import { runSeed, simulationOptions } from "./fuzz.ts"
import type { SimulationProgress } from "./runSimulation.ts"

const port = parentPort
if (port === null) throw new Error("fuzz.worker.ts runs only as a worker thread of fuzz.ts")
const setup = (workerData as { readonly setup: WorkerSetup }).setup
const options = simulationOptions(setup)
const post = (message: FromWorker) => port.postMessage(message)
const onProgress = setup.watched
  ? (seed: number, progress: SimulationProgress) => post({ _tag: "Progress", seed, progress })
  : undefined

port.on("message", (message: ToWorker) => {
  if (message._tag === "Stop") {
    port.close()
    return
  }
  for (const seed of message.seeds) {
    const exit = Effect.runSyncExit(runSeed(options, seed, onProgress))
    if (exit._tag === "Failure") {
      post({ _tag: "Failed", reason: `seed ${seed}: ${String(exit.cause)}` })
      return
    }
    post({ _tag: "Result", result: exit.value })
  }
  post({ _tag: "Idle" })
})
post({ _tag: "Idle" })
