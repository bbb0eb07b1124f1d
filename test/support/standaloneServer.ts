/** `knot server` as a child process on loopback, started with a node's defaults in `dir`. */
import { type ChildProcess, spawn } from "node:child_process"

const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

export interface StandaloneServer {
  readonly process: ChildProcess
  /** Everything it printed so far, stdout and stderr. */
  readonly output: () => string
}

/** Resolves once it says it serves, or fails with what it printed. */
export const startStandaloneServer = async (
  dir: string,
  port: number,
  env: Record<string, string>
): Promise<StandaloneServer> => {
  const child = spawn(process.execPath, [knotBin, "server", "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk) => (output += chunk))
  child.stderr?.on("data", (chunk) => (output += chunk))
  const deadline = Date.now() + 30_000
  while (!output.includes("serving http://")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`knot server did not start:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { process: child, output: () => output }
}
