/**
 * The SSH gateway's side of the protocol, with the OpenSSH client: sign-in by the keys on
 * profiles, the user name picking the space, sessions, forwarding and sftp. The spaces here are
 * local processes (localSpaceStreams.ts); sshNodes.test.ts runs the same through real nodes.
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { connect } from "node:net"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { defaultSignInPolicy } from "../../effects/http/auth/signInLimiter.ts"
import { tmuxArgs } from "../streams/streamsSupport.ts"
import { clientOptions, makeGatewayWorld, runProcess, sshArgs } from "./gatewayHarness.ts"

/** Polls `check` until it holds (or the test's own timeout ends the test). */
const until = <A>(check: () => A | undefined) =>
  Effect.suspend(() => {
    const value = check()
    return value === undefined ? Effect.fail("not yet" as const) : Effect.succeed(value)
  }).pipe(Effect.retry(Schedule.spaced("50 millis")), Effect.orDie)

/** An ssh-agent of the test's own, for as long as the scope lasts; answers its socket. */
const startAgent = (dir: string) =>
  Effect.gen(function*() {
    const socket = join(dir, "agent.sock")
    yield* Effect.acquireRelease(
      Effect.sync(() => spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" })),
      (agent) => Effect.sync(() => void agent.kill())
    )
    yield* until(() => (existsSync(socket) ? true : undefined))
    return socket
  })

describe("the SSH gateway", { timeout: 30_000 }, () => {
  it.scopedLive("runs `ssh dev echo hi` in the caller's own space and prints hi", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["echo", "hi"] })
      expect(run).toMatchObject({ code: 0, stdout: "hi\n" })
      expect(world.recorded.requests[0]).toMatchObject({ caller: "ann", space: "ann/dev", request: { _tag: "Exec", tty: false } })
    }))

  it.scopedLive("gives the command's exit status as the session's", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      expect((yield* world.ssh({ key: "ann", user: "dev", command: ["exit 7"] })).code).toBe(7)
    }))

  it.scopedLive("tells a session it ends because the node is stopping, rather than dropping it without a word", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const session = yield* Effect.fork(world.ssh({ key: "ann", user: "dev", command: ["sleep 20"] }))
      yield* until(() => world.recorded.requests[0])
      yield* world.stopGateway
      const run = yield* Fiber.join(session)
      expect(run).toEqual({ code: 255, stdout: "", stderr: "knot: this knot node is stopping, which ends the session\n" })
    }))

  it.scopedLive("passes the client's stdin to the command, to its end, and its stderr back as stderr", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["wc -c; echo oops >&2"], input: "abcde" })
      expect(run.stdout.trim()).toBe("5")
      expect(run.stderr).toBe("oops\n")
    }))

  it.scopedLive("takes LANG and LC_* from the client and nothing else", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({
        key: "ann",
        user: "dev",
        command: ['echo "$LANG|$LC_TIME|$SECRET"'],
        options: ["-o", "SendEnv=LANG LC_TIME SECRET"],
        env: { LANG: "C.UTF-8", LC_TIME: "C", SECRET: "x" }
      })
      expect(run.stdout).toBe("C.UTF-8|C|\n")
    }))

  it.scopedLive("asks for a terminal of the client's type when the client asks for a pty", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      yield* world.ssh({ key: "ann", user: "dev", command: ["true"], options: ["-tt"], env: { TERM: "vt220" } })
      expect(world.recorded.requests[0]?.request).toMatchObject({ _tag: "Exec", tty: true, env: { TERM: "vt220" }, cols: 80, rows: 24 })
    }))

  it.scopedLive("follows the client's window: a tmux resize becomes a resize of the stream", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const session = `knot-ssh-${process.pid}-${Date.now()}`
      const command = ["ssh", ...sshArgs(world.port, world.keyOf("ann")), "dev@127.0.0.1"].join(" ")
      yield* Effect.acquireRelease(
        Effect.sync(() => execFileSync("tmux", tmuxArgs(session, ["new-session", "-d", "-s", session, "-x", "100", "-y", "30", command]))),
        () => Effect.ignore(runProcess("tmux", tmuxArgs(session, ["kill-server"])))
      )
      const opened = yield* until(() => world.recorded.requests[0])
      expect(opened.request).toMatchObject({ tty: true, cols: 100, rows: 30 })
      execFileSync("tmux", tmuxArgs(session, ["resize-window", "-t", session, "-x", "120", "-y", "40"]))
      expect(yield* until(() => world.recorded.resizes.at(-1)?.cols === 120 ? world.recorded.resizes.at(-1) : undefined)).toEqual({
        cols: 120,
        rows: 40
      })
    }))

  it.scopedLive("offers public-key sign-in only: a password is never asked for", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({
        key: "ann",
        user: "dev",
        command: ["true"],
        options: ["-o", "PreferredAuthentications=password,keyboard-interactive"]
      })
      expect(run.code).toBe(255)
      expect(run.stderr).toContain("Permission denied (publickey)")
    }))

  it.scopedLive("refuses a key on nobody's profile with Permission denied (publickey), and logs it", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "stranger", user: "dev", command: ["true"] })
      expect(run.code).toBe(255)
      expect(run.stderr).toContain("Permission denied (publickey)")
      expect(world.logs.some((line) => /refused key SHA256:\S+ from 127\.0\.0\.1 for dev: no user holds it/.test(line))).toBe(true)
      expect(world.recorded.requests).toEqual([])
    }))

  it.scopedLive("refuses another user's key on a space that is not theirs", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "bob", user: "ann.dev", command: ["true"] })
      expect(run.stderr).toContain("Permission denied (publickey)")
      expect(world.logs.some((line) => line.includes("bob may not reach ann's spaces"))).toBe(true)
    }))

  it.scopedLive("takes each user to their own space of the name they log in as", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      yield* world.ssh({ key: "bob", user: "dev", command: ["true"] })
      expect(world.recorded.requests[0]).toMatchObject({ caller: "bob", space: "bob/dev" })
    }))

  it.scopedLive("lets an admin into another user's space as OWNER.NAME", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "root", user: "ann.dev", command: ["echo", "in"] })
      expect(run.stdout).toBe("in\n")
      expect(world.recorded.requests[0]).toMatchObject({ caller: "root", space: "ann/dev" })
    }))

  it.scopedLive("says in one banner line that a space does not exist", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const run = yield* world.ssh({ key: "ann", user: "nosuch", command: ["true"], options: ["-o", "LogLevel=INFO"] })
      expect(run.code).toBe(255)
      expect(run.stderr).toMatch(/^knot: you have no space nosuch; `knot space list` shows yours\r?$/m)
      expect(run.stderr).toContain("Permission denied (publickey)")
    }))

  it.scopedLive("locks a source address out after repeated failed sign-ins, even for a good key", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld({ signIn: { ...defaultSignInPolicy, freeFailures: 2, firstLockoutMs: 60_000 } })
      for (let i = 0; i < 3; i++) yield* world.ssh({ key: "stranger", user: "dev", command: ["true"] })
      yield* until(() => world.logs.find((line) => line.includes("3 failed sign-ins from 127.0.0.1 in a row; locked out")))
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["true"] })
      expect(run.stderr).toContain("Permission denied (publickey)")
      expect(world.logs.some((line) => line.includes("127.0.0.1 is locked out"))).toBe(true)
    }))

  it.scopedLive("counts a client that tries several keys before the right one as no failure", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld({ signIn: { ...defaultSignInPolicy, freeFailures: 1, firstLockoutMs: 60_000 } })
      for (let i = 0; i < 3; i++) {
        // The key of -i in `options` comes first: the stranger's, refused, then ann's.
        const run = yield* world.ssh({ key: "ann", user: "dev", command: ["echo", "in"], options: ["-i", world.keyOf("stranger")] })
        expect(run.stdout).toBe("in\n")
      }
      expect(world.logs.filter((line) => line.includes("no user holds it"))).toHaveLength(3)
    }))

  it.scopedLive("refuses the keys of a disabled user", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      yield* Effect.orDie(world.users.update("ann", { disabled: true }))
      expect((yield* world.ssh({ key: "ann", user: "dev", command: ["true"] })).stderr).toContain("Permission denied (publickey)")
      expect(world.logs.some((line) => line.includes("its holder ann is disabled"))).toBe(true)
    }))

  it.scopedLive("closes a connection that does not sign in within the grace", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld({ loginGrace: "300 millis" })
      // Reads (and drops) the server's greeting, as a client would, so that its close is seen.
      const socket = connect(world.port, "127.0.0.1").resume()
      yield* Effect.async<void>((resume) => void socket.once("close", () => resume(Effect.void)))
      expect(socket.destroyed).toBe(true)
    }))

  it.scopedLive("forwards `ssh -L` to a port of the space", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const server = yield* Effect.acquireRelease(
        Effect.sync(() => createServer((_request, response) => response.end("the space's page"))),
        (server) => Effect.sync(() => void server.close())
      )
      const page = yield* Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as { readonly port: number }).port)))
      })
      const local = 20_000 + Math.floor(Math.random() * 20_000)
      yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn("ssh", ["-N", "-L", `${local}:localhost:${page}`, ...sshArgs(world.port, world.keyOf("ann"), ["-o", "ExitOnForwardFailure=yes"]), "dev@127.0.0.1"])
        ),
        (child) => Effect.sync(() => void child.kill())
      )
      const body = yield* Effect.tryPromise(() => fetch(`http://127.0.0.1:${local}/`).then((response) => response.text())).pipe(
        Effect.retry(Schedule.spaced("100 millis"))
      )
      expect(body).toBe("the space's page")
      expect(world.recorded.requests.at(-1)?.request).toEqual({ _tag: "Tcp", port: page })
    }))

  it.scopedLive("copies files in and out with scp through the sftp subsystem", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const source = join(world.dir, "source.bin")
      const back = join(world.dir, "back.bin")
      writeFileSync(source, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256)))
      const scp = (from: string, to: string) =>
        runProcess("scp", [...clientOptions(world.keyOf("ann")), "-P", String(world.port), from, to])
      expect((yield* scp(source, `dev@127.0.0.1:${join(world.dir, "in-space.bin")}`)).code).toBe(0)
      expect((yield* scp(`dev@127.0.0.1:${join(world.dir, "in-space.bin")}`, back)).code).toBe(0)
      expect(readFileSync(back).equals(readFileSync(source))).toBe(true)
    }))

  it.scopedLive("says in one line that a stopped space is stopped, and leaves it stopped", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const dev = yield* Effect.orDie(world.spaces.find("ann", "dev"))
      yield* Effect.orDie(world.spaces.stop(dev.id))
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["true"] })
      expect(run.code).toBe(255)
      expect(run.stderr).toMatch(/^knot: space ann\/dev is \w+, not running; start it with `knot space start ann\/dev`\n$/)
      expect((yield* Effect.orDie(world.spaces.get(dev.id))).desired).toBe("stopped")
    }))

  it.scopedLive("starts a stopped space whose template says startOnConnect, then runs the session", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      yield* Effect.orDie(world.templates.put({ name: "shell", image: "local", env: {}, volumes: [], zones: [], startOnConnect: true }))
      const dev = yield* Effect.orDie(world.spaces.find("ann", "dev"))
      yield* Effect.orDie(world.spaces.stop(dev.id))
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["echo", "up"] })
      expect(run.stdout).toBe("up\n")
      expect((yield* Effect.orDie(world.spaces.get(dev.id))).desired).toBe("running")
    }))

  it.scopedLive("forwards the client's agent with ssh -A: ssh-add in the session lists the key the client's agent holds", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const agent = yield* startAgent(world.dir)
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "in-the-agent@test", "-f", join(world.dir, "agent-key")])
      execFileSync("ssh-add", ["-q", join(world.dir, "agent-key")], { env: { ...process.env, SSH_AUTH_SOCK: agent } })
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ["ssh-add", "-l"], options: ["-A"], env: { SSH_AUTH_SOCK: agent } })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("in-the-agent@test")
      expect(world.recorded.requests.map((recorded) => recorded.request._tag)).toEqual(["AgentListen", "Exec", "AgentConnection"])
    }))

  it.scopedLive("gives a session without -A no agent socket", () =>
    Effect.gen(function*() {
      const world = yield* makeGatewayWorld()
      const agent = yield* startAgent(world.dir)
      const run = yield* world.ssh({ key: "ann", user: "dev", command: ['echo "[$SSH_AUTH_SOCK]"'], env: { SSH_AUTH_SOCK: agent } })
      expect(run.stdout).toBe("[]\n")
      expect(world.recorded.requests.map((recorded) => recorded.request._tag)).toEqual(["Exec"])
    }))
})
