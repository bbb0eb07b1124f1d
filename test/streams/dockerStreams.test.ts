import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import Docker from "dockerode"
import { Chunk, Effect, Schedule, type Scope, Stream } from "effect"
import { ContainerStreams } from "../../effects/container/containerStreams.ts"
import { DockerStreams } from "../../effects/docker/dockerStreams.ts"
import type { SpaceStream } from "../../effects/streams/spaceStreams.ts"
import { engineAvailable, engineSocket, noEngineNotice, testImage } from "../support/dockerEngine.ts"

const available = await engineAvailable()
if (!available) console.log(noEngineNotice("engine stream tests"))

const runId = `knot-test-streams-${process.pid}`
const docker = new Docker({ socketPath: engineSocket })
let containerId = ""

const withStreams = <A, E>(effect: Effect.Effect<A, E, ContainerStreams | Scope.Scope>) =>
  Effect.scoped(Effect.provide(effect, DockerStreams.layer()))

const text = (chunks: Chunk.Chunk<{ readonly fd: 1 | 2; readonly bytes: Uint8Array }>, fd: 1 | 2 = 1) =>
  Chunk.toReadonlyArray(chunks).filter((chunk) => chunk.fd === fd).map((chunk) => Buffer.from(chunk.bytes).toString()).join("")

const exec = (command: ReadonlyArray<string>, tty = false) =>
  Effect.flatMap(ContainerStreams, (streams) =>
    streams.open(containerId, { _tag: "Exec", command: command as [string, ...Array<string>], tty }))

const collect = (stream: SpaceStream) => Stream.runCollect(stream.output)

describe.runIf(available)("DockerStreams on a real engine", () => {
  beforeAll(async () => {
    const container = await docker.createContainer({
      name: runId,
      Image: testImage,
      Cmd: ["sh", "-c", "mkdir -p /www && echo page-of-httpd > /www/index.html && httpd -p 127.0.0.1:8080 -h /www && echo started && while true; do sleep 1; done"],
      Labels: { "knot.test.run": runId },
      HostConfig: { NetworkMode: "none", Init: true }
    })
    await container.start()
    containerId = container.id
  })
  afterAll(async () => {
    if (containerId !== "") await docker.getContainer(containerId).remove({ force: true })
  })

  it.live("an exec's stdout arrives on fd 1 and its exit code after", () =>
    withStreams(Effect.gen(function*() {
      const stream = yield* exec(["echo", "hi"])
      expect(text(yield* collect(stream))).toBe("hi\n")
      expect(yield* stream.exit).toBe(0)
    })))

  it.live("stderr arrives on fd 2 and a failing command's code is its exit", () =>
    withStreams(Effect.gen(function*() {
      const stream = yield* exec(["sh", "-c", "echo oops >&2; exit 3"])
      const output = yield* collect(stream)
      expect(text(output, 2)).toBe("oops\n")
      expect(yield* stream.exit).toBe(3)
    })))

  it.live("1 MiB written to cat comes back byte for byte", () =>
    withStreams(Effect.gen(function*() {
      const stream = yield* exec(["cat"])
      const payload = Buffer.alloc(1024 * 1024)
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251
      const writing = Effect.gen(function*() {
        for (let at = 0; at < payload.length; at += 32 * 1024) yield* stream.write(payload.subarray(at, at + 32 * 1024))
        yield* stream.endInput
      })
      const [, output] = yield* Effect.all([writing, collect(stream)], { concurrency: 2 })
      const received = Buffer.concat(Chunk.toReadonlyArray(output).map((chunk) => chunk.bytes))
      expect(createHash("sha256").update(received).digest("hex")).toBe(createHash("sha256").update(payload).digest("hex"))
      expect(yield* stream.exit).toBe(0)
    })))

  it.live("a TTY exec starts at the size asked for and follows a resize", () =>
    withStreams(Effect.gen(function*() {
      const streams = yield* ContainerStreams
      // Each `read` waits for a line written after the size is set, so no timing is involved.
      const stream = yield* streams.open(containerId, {
        _tag: "Exec",
        command: ["sh", "-c", "read a; stty size; read b; stty size"],
        tty: true,
        cols: 91,
        rows: 37
      })
      let seen = ""
      const reading = yield* Effect.fork(
        Stream.runForEach(stream.output, (chunk) => Effect.sync(() => (seen += Buffer.from(chunk.bytes).toString())))
      )
      const untilSeen = (wanted: string) =>
        Effect.sync(() => seen.includes(wanted)).pipe(Effect.repeat({ until: (found) => found, schedule: Schedule.spaced("10 millis") }))
      yield* stream.write(Buffer.from("\n"))
      yield* untilSeen("37 91")
      yield* stream.resize(120, 40)
      yield* stream.write(Buffer.from("\n"))
      yield* reading.await
      const lines = seen.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
      expect(lines).toEqual(["37 91", "40 120"])
    })))

  it.live("a command the image lacks fails with the engine's reason", () =>
    withStreams(Effect.gen(function*() {
      const stream = yield* exec(["no-such-command"])
      const output = yield* collect(stream)
      expect(text(output) + text(output, 2)).toContain("no-such-command")
      expect(yield* stream.exit).toBe(126)
    })))

  it.live("logs with tail give the container's last lines", () =>
    withStreams(Effect.gen(function*() {
      const streams = yield* ContainerStreams
      const stream = yield* streams.open(containerId, { _tag: "Logs", follow: false, tail: 10 })
      expect(text(yield* collect(stream))).toContain("started")
    })))

  it.live("a TCP stream reaches a port that listens only on the container's loopback", () =>
    withStreams(Effect.gen(function*() {
      const streams = yield* ContainerStreams
      const stream = yield* streams.open(containerId, { _tag: "Tcp", port: 8080 })
      yield* stream.write(Buffer.from("GET / HTTP/1.0\r\n\r\n"))
      const response = text(yield* collect(stream))
      expect(response).toContain("200 OK")
      expect(response).toContain("page-of-httpd")
    })))

  it.live("a TCP stream to a port nobody listens on fails saying so", () =>
    withStreams(Effect.gen(function*() {
      const streams = yield* ContainerStreams
      const stream = yield* streams.open(containerId, { _tag: "Tcp", port: 9 })
      const error = yield* Effect.flip(collect(stream))
      expect(error.reason).toMatch(/^port 9: .*refused/i)
    })))

  /** The processes of the test container whose command line starts with `marker`, by `ps` in a fresh exec. */
  const processesWith = (marker: string) =>
    withStreams(Effect.gen(function*() {
      const listing = yield* exec(["ps", "-o", "pid,args"])
      return text(yield* collect(listing)).split("\n").filter((line) => line.replace(/^\s*\d+\s+/, "").startsWith(marker))
    }))

  /**
   * Polls `processesWith(marker)` until `count` of them run, for up to 5 s; what runs then. A
   * process shows under its command once it has exec'd, a moment after its parent forked it.
   */
  const runningWithin = (marker: string, count: number) =>
    Effect.gen(function*() {
      const deadline = Date.now() + 5_000
      for (;;) {
        const found = yield* processesWith(marker)
        if (found.length === count || Date.now() >= deadline) return found
        yield* Effect.sleep("100 millis")
      }
    })

  for (const tty of [true, false]) {
    it.live(`a command still running when its ${tty ? "terminal" : "stream"} closes is hung up, with what it started`, () =>
      Effect.gen(function*() {
        const seconds = tty ? "313" : "317"
        yield* withStreams(Effect.gen(function*() {
          const stream = yield* exec(["sh", "-c", `sleep ${seconds}1 & sleep ${seconds}2; echo never`], tty)
          expect(yield* runningWithin(`sleep ${seconds}`, 2)).toHaveLength(2)
          return stream
        }))
        expect(yield* runningWithin(`sleep ${seconds}`, 0)).toEqual([])
      }), 20_000)
  }

  it.live("a process that ignores hangups (as under nohup) lives on after its stream closes, as after a terminal's", () =>
    Effect.gen(function*() {
      yield* withStreams(Effect.gen(function*() {
        yield* exec(["sh", "-c", "(trap '' HUP; exec sleep 3191) & sleep 3192"])
        expect(yield* runningWithin("sleep 3191", 1)).toHaveLength(1)
        expect(yield* runningWithin("sleep 3192", 1)).toHaveLength(1)
      }))
      expect(yield* runningWithin("sleep 3192", 0)).toEqual([])
      expect(yield* processesWith("sleep 3191")).toHaveLength(1)
    }), 20_000)

  it.live("what a command that has finished left running in the background is left alone", () =>
    Effect.gen(function*() {
      yield* withStreams(Effect.gen(function*() {
        const stream = yield* exec(["sh", "-c", "sleep 3193 >/dev/null 2>&1 &"])
        yield* collect(stream)
        expect(yield* stream.exit).toBe(0)
      }))
      expect(yield* runningWithin("sleep 3193", 1)).toHaveLength(1)
    }), 20_000)

  it.live("a stream to a container that does not exist is refused at open", () =>
    withStreams(Effect.gen(function*() {
      const streams = yield* ContainerStreams
      const error = yield* Effect.flip(streams.open("no-such-container", { _tag: "Exec", command: ["true"], tty: false }))
      expect(error.reason).toMatch(/no such container/i)
    })))
})
