import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { closedPort, freshConfigPath } from "./cliEnvironment.ts"

const entry = fileURLToPath(new URL("./knotClientEntry.ts", import.meta.url))

/** `knot ...args` as a child process: its exit code and what it printed. */
const knotProcess = (args: ReadonlyArray<string>, environment: Record<string, string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    execFile(
      process.execPath,
      ["--import", "tsx", entry, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...environment } },
      (error, stdout, stderr) => resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), stdout, stderr }))
    )
  })

describe("knot as a process", () => {
  it.live("an unreachable server exits 1 with one line on stderr and no stack trace", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const run = yield* knotProcess(["space", "list", "--token", "t"], {
        KNOT_SERVER: `127.0.0.1:${port}`,
        KNOT_CONFIG: freshConfigPath()
      })
      expect(run).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: cannot reach knot server at http://127.0.0.1:${port} (connection refused); is \`knot server\` running?\n`
      })
    }), 30_000)
})
