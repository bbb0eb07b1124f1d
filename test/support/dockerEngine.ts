import { request } from "node:http"
import { defaultSocketPath } from "../../effects/docker/dockerDriver.ts"

/** The test image: busybox imported offline by .ci/docker-engine.sh (no registry is ever contacted). */
export const testImage = "knot-busybox:latest"

export const engineSocket = defaultSocketPath

/** The one line a run without an engine prints instead of the engine suites. */
export const noEngineNotice = (what: string) =>
  `no container engine at ${engineSocket}: ${what} not run (start one with .ci/docker-engine.sh)`

/** Whether an engine answers `/_ping` on the socket within `timeoutMs`. */
export const engineAvailable = (socketPath = engineSocket, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const ping = request({ socketPath, path: "/_ping", method: "GET", timeout: timeoutMs }, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    ping.on("timeout", () => ping.destroy())
    ping.on("error", () => resolve(false))
    ping.end()
  })
