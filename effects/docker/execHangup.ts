/**
 * Hanging up an exec whose client went away. The engine has no call to signal an exec, and
 * closing its connection leaves the command running: a shell, an editor's
 * server or a build started from a laptop that then lost its network would run on in the
 * space, unseen. So every exec knot starts carries a mark in its environment, which whatever
 * it starts inherits, and when its stream closes while it still runs, a second exec sends
 * SIGHUP, then SIGCONT for a stopped job, to every process of the container with that mark:
 * what a terminal's hangup does. As after a real hangup, a process that ignores SIGHUP
 * (`nohup`) lives on.
 */
import { randomBytes } from "node:crypto"
import type Docker from "dockerode"
import { Duration, Effect } from "effect"
import { ContainerStreamFailed } from "../container/containerStreams.ts"

/** One call to the engine, as the streams make them (dockerStreams.ts): bounded, with a reason on failure. */
export type EngineCall = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) => Effect.Effect<A, ContainerStreamFailed>

/** A fresh mark, as `NAME=VALUE` for the exec's `Env`. */
export const newExecMark = (): string => `KNOT_EXEC=${randomBytes(16).toString("hex")}`

/**
 * Runs as root, so that it can read and signal the processes of any user of the container; it
 * needs `sh` and `grep` in the image (busybox has both). `$1` is the mark; its own environment
 * and grep's lack it.
 */
const hangUpScript = [
  "for dir in /proc/[0-9]*; do",
  "  pid=${dir#/proc/}",
  "  if grep -q \"$1\" \"$dir/environ\" 2>/dev/null; then kill -HUP \"$pid\" 2>/dev/null; kill -CONT \"$pid\" 2>/dev/null; fi",
  "done",
  "exit 0"
].join("\n")

/** Longest a hangup may hold up the close of its stream: the engine may be slow or gone. */
const HANGUP_WITHIN = Duration.seconds(5)

/** Waits for an attached exec's output to end, which it does as the exec does. */
const drained = (output: NodeJS.ReadableStream) =>
  new Promise<void>((resolve, reject) => {
    output.on("end", () => resolve())
    output.on("close", () => resolve())
    output.on("error", reject)
    output.resume()
  })

/** Hangs up the processes of `mark` in the container, if the exec they belong to still runs. */
export const hangUpIfRunning = (
  call: EngineCall,
  container: Docker.Container,
  exec: Docker.Exec,
  mark: string
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const info = yield* call("exec inspect", () => exec.inspect())
    if (!info.Running) return
    const hangUp = yield* call("hangup exec", () =>
      container.exec({ Cmd: ["sh", "-c", hangUpScript, "knot-hangup", mark], User: "0", AttachStdout: true, AttachStderr: true })
    )
    const output = yield* call("hangup start", () => hangUp.start({}) as Promise<NodeJS.ReadableStream>)
    yield* call("hangup", () => drained(output))
    const ended = yield* call("hangup inspect", () => hangUp.inspect())
    if (ended.ExitCode !== null && ended.ExitCode !== 0) {
      yield* Effect.logInfo(
        `a command left running in container ${container.id.slice(0, 12)} by a client that went away was not hung up: ` +
          `the hangup exited with ${ended.ExitCode} (the image needs sh and grep)`
      )
    }
  }).pipe(
    Effect.timeoutFail({
      duration: HANGUP_WITHIN,
      onTimeout: () => new ContainerStreamFailed({ reason: `no answer within ${Duration.format(HANGUP_WITHIN)}` })
    }),
    Effect.catchAll((error) =>
      Effect.logInfo(`could not hang up a command left running in container ${container.id.slice(0, 12)}: ${error.reason}`)
    )
  )
