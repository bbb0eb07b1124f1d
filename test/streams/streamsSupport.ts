/** What the stream tests share: the CLI as a child process, a space template that serves and talks, tmux. */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
import { testImage } from "../support/dockerEngine.ts"
import { sleep } from "../support/eventually.ts"

const run = promisify(execFile)
export const knotBin = new URL("../../bin/knot.js", import.meta.url).pathname

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const cli = async (
  server: string,
  token: string,
  args: ReadonlyArray<string>,
  options: { readonly input?: Buffer | string; readonly cwd?: string } = {}
): Promise<CliRun> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [knotBin, ...args], {
      env: { ...process.env, KNOT_SERVER: server, KNOT_TOKEN: token, NO_COLOR: "1" },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: ["pipe", "pipe", "pipe"]
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.stdin.end(options.input ?? "")
    child.on("close", (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString("latin1"), stderr: Buffer.concat(stderr).toString() }))
  })

/** A long-running CLI command (logs --follow, forward, shell) whose output is read as it comes. */
export const cliProcess = (server: string, token: string, args: ReadonlyArray<string>) => {
  const child: ChildProcess = spawn(process.execPath, [knotBin, ...args], {
    env: { ...process.env, KNOT_SERVER: server, KNOT_TOKEN: token, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk) => (output += chunk))
  child.stderr?.on("data", (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/**
 * A space that serves a page on 127.0.0.1:8080 inside its container (busybox httpd) and writes
 * to its log whatever lands in /tmp/say, so a test can make it say something after it started.
 */
export const talkingTemplate = (name: string, zones: ReadonlyArray<string> = []) =>
  [
    `name = "${name}"`,
    `image = "${testImage}"`,
    `command = ["sh", "-c", "mkdir -p /www && echo knot-forward-page > /www/index.html && httpd -p 127.0.0.1:8080 -h /www && echo booted && while true; do if [ -f /tmp/say ]; then cat /tmp/say; rm /tmp/say; fi; sleep 0.2; done"]`,
    `zones = [${zones.map((zone) => `"${zone}"`).join(", ")}]`,
    "[[ports]]",
    "port = 8080",
    `name = "web"`,
    `protocol = "http"`
  ].join("\n") + "\n"

export const waitForOutput = async (output: () => string, wanted: string | RegExp, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  const found = () => (typeof wanted === "string" ? output().includes(wanted) : wanted.test(output()))
  while (!found()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(wanted)} in:\n${output()}`)
    await sleep(100)
  }
}

/**
 * tmux with a server of the session's own (`-L`): test files run at once, and the default
 * server is shared, so one file ending its last session would take another's server (and its
 * session) down with it, or make its next session fail to start.
 */
export const tmuxArgs = (session: string, args: ReadonlyArray<string>) => ["-L", session, ...args]

/** tmux, as a person at a terminal: a session running `command`, keys sent, the screen read. */
export const tmux = {
  /** Runs `args` of knot in the session; when it ends, the session shows `EXITED <code>`. */
  start: (session: string, server: string, token: string, args: ReadonlyArray<string>) =>
    run("tmux", tmuxArgs(session, [
      "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
      `env KNOT_SERVER=${server} KNOT_TOKEN=${token} ${process.execPath} ${knotBin} ${args.join(" ")}; echo EXITED $?; sleep 600`
    ])).then(() => undefined),
  keys: (session: string, text: string) => run("tmux", tmuxArgs(session, ["send-keys", "-t", session, text, "Enter"])).then(() => undefined),
  screen: (session: string) => run("tmux", tmuxArgs(session, ["capture-pane", "-p", "-t", session])).then(({ stdout }) => stdout),
  /** The screen once it matches `wanted`; fails showing the screen after `timeoutMs`. */
  waitFor: async (session: string, wanted: RegExp, timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const { stdout } = await run("tmux", tmuxArgs(session, ["capture-pane", "-p", "-t", session]))
      if (wanted.test(stdout)) return stdout
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(wanted)} on the screen:\n${stdout}`)
      await sleep(100)
    }
  },
  resize: (session: string, cols: number, rows: number) =>
    run("tmux", tmuxArgs(session, ["resize-window", "-t", session, "-x", String(cols), "-y", String(rows)])).then(() => undefined),
  kill: (session: string) => run("tmux", tmuxArgs(session, ["kill-server"])).then(() => undefined, () => undefined)
}
