import { chmod, mkdir, rm } from "node:fs/promises"
import { join } from "node:path"
import Docker from "dockerode"
import { Duration, Effect, Layer } from "effect"
import type { ContainerDriverShape, ContainerInfo, ContainerSpec, VolumeMount } from "../container/containerDriver.ts"
import { dockerEvents } from "./dockerEvents.ts"
import { ContainerDriver } from "../container/containerDriver.ts"
import { ContainerNotFound, ContainerOperationFailed, ImageNotFound } from "../container/containerDriver.errors.ts"
import { toContainerInfo, toCreateOptions } from "./dockerContainerSpec.ts"
import type { EngineRefusal } from "./dockerRequest.ts"
import { engineRequest } from "./dockerRequest.ts"

export const defaultSocketPath = "/var/run/docker.sock"

export interface DockerDriverOptions {
  /** The engine's API socket; a Podman socket (`podman system service`) works the same. */
  readonly socketPath?: string
  /** How long one call may wait for an answer before the engine counts as unreachable. */
  readonly requestTimeout?: Duration.DurationInput
  /**
   * A directory of this host under which each container gets one of its own, mounted where it
   * finds its SSH agent sockets (`ssh -A`); the engine must run on this host. Unset: no agent forwarding.
   */
  readonly agentSocketsDir?: string
}

/** Containers inspected at once when listing, so a long list does not flood the engine. */
const inspectConcurrency = 4

const labelFilter = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([key, value]) => `${key}=${value}`)

const make = (options: DockerDriverOptions): ContainerDriverShape => {
  const socket = options.socketPath ?? defaultSocketPath
  const timeout = Duration.decode(options.requestTimeout ?? "30 seconds")
  const docker = new Docker({ socketPath: socket })

  const request = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>, extraTime = Duration.zero) =>
    engineRequest(socket, operation, Duration.sum(timeout, extraTime), run)

  const failed = (operation: string, id: string, refusal: EngineRefusal) =>
    new ContainerOperationFailed({ operation, id, reason: refusal.reason })

  const ensureVolume = (volume: VolumeMount, labels: Readonly<Record<string, string>>) =>
    request("create volume", (signal) =>
      docker.createVolume({ Name: volume.name, Labels: { ...labels, ...volume.labels }, abortSignal: signal })).pipe(
        Effect.asVoid,
        // Docker answers an existing name with that volume; Podman may answer 409 instead.
        Effect.catchTag("EngineRefusal", (refusal) =>
          refusal.status === 409 ? Effect.void : Effect.fail(failed("create volume", volume.name, refusal)))
      )

  const agentDirOf = (name: string) => options.agentSocketsDir === undefined ? undefined : join(options.agentSocketsDir, name)

  const create = (spec: ContainerSpec) =>
    Effect.gen(function*() {
      yield* Effect.forEach(spec.volumes, (volume) => ensureVolume(volume, spec.labels), {
        concurrency: "unbounded",
        discard: true
      })
      const agentDir = agentDirOf(spec.name)
      if (agentDir !== undefined) {
        yield* Effect.tryPromise({
          // Whatever the node's umask, a process of any user in the space must reach its sockets.
          try: () => mkdir(agentDir, { recursive: true }).then(() => chmod(agentDir, 0o755)),
          catch: (error) => new ContainerOperationFailed({ operation: "create", id: spec.name, reason: `cannot make ${agentDir}: ${String(error)}` })
        })
      }
      const container = yield* request("create", (signal) =>
        docker.createContainer({ ...toCreateOptions(spec, agentDir), abortSignal: signal })).pipe(
          Effect.catchTag("EngineRefusal", (refusal) =>
            Effect.fail(
              refusal.status === 404 ? new ImageNotFound({ image: spec.image }) : failed("create", spec.name, refusal)
            ))
        )
      const info: ContainerInfo = {
        id: container.id,
        name: spec.name,
        image: spec.image,
        labels: { ...spec.labels },
        state: "created"
      }
      return info
    })

  const start = (id: string) =>
    request("start", (signal) => docker.getContainer(id).start({ abortSignal: signal })).pipe(
      Effect.asVoid,
      Effect.catchTag("EngineRefusal", (refusal) => {
        if (refusal.status === 304) return Effect.void
        return Effect.fail(refusal.status === 404 ? new ContainerNotFound({ id }) : failed("start", id, refusal))
      })
    )

  const stop = (id: string, timeoutSeconds: number) =>
    request(
      "stop",
      (signal) => docker.getContainer(id).stop({ t: timeoutSeconds, abortSignal: signal }),
      // The engine answers only once the container is down, which may take the whole grace period.
      Duration.seconds(timeoutSeconds)
    ).pipe(
      Effect.asVoid,
      Effect.catchTag("EngineRefusal", (refusal) =>
        refusal.status === 304 || refusal.status === 404 ? Effect.void : Effect.fail(failed("stop", id, refusal)))
    )

  const removeVolume = (name: string) =>
    request("remove volume", (signal) => docker.getVolume(name).remove({ abortSignal: signal })).pipe(
      Effect.asVoid,
      Effect.catchTag("EngineRefusal", (refusal) =>
        refusal.status === 404 ? Effect.void : Effect.fail(failed("remove volume", name, refusal)))
    )

  /** The container's agent directory goes with it; the name that finds it is known only before. */
  const agentDirOfContainer = (id: string) =>
    options.agentSocketsDir === undefined
      ? Effect.succeed(undefined)
      : Effect.map(Effect.orElseSucceed(inspect(id), () => undefined), (info) => info && agentDirOf(info.name))

  const remove: ContainerDriverShape["remove"] = (id, removeOptions) =>
    Effect.flatMap(agentDirOfContainer(id), (agentDir) =>
      request("remove", (signal) => docker.getContainer(id).remove({ force: true, v: true, abortSignal: signal })).pipe(
        Effect.asVoid,
        Effect.catchTag("EngineRefusal", (refusal) =>
          refusal.status === 404 ? Effect.void : Effect.fail(failed("remove", id, refusal))),
        Effect.zipRight(
          Effect.forEach(removeOptions.volumes, removeVolume, { concurrency: "unbounded", discard: true })
        ),
        Effect.zipRight(agentDir === undefined ? Effect.void : Effect.promise(() => rm(agentDir, { recursive: true, force: true })))
      ))

  const inspect = (id: string) =>
    request("inspect", (signal) => docker.getContainer(id).inspect({ abortSignal: signal })).pipe(
      Effect.map((inspected): ContainerInfo | undefined => toContainerInfo(inspected)),
      Effect.catchTag("EngineRefusal", (refusal) =>
        refusal.status === 404 ? Effect.succeed(undefined) : Effect.fail(failed("inspect", id, refusal)))
    )

  const listByLabels = (labels: Readonly<Record<string, string>>) =>
    request("list", (signal) =>
      docker.listContainers({
        all: true,
        filters: { label: labelFilter(labels) },
        abortSignal: signal
      })).pipe(
        Effect.catchTag("EngineRefusal", (refusal) =>
          Effect.fail(failed("list", labelFilter(labels).join(","), refusal))),
        // The list gives no exit code and may show an image id for the name: inspect each.
        Effect.flatMap((summaries) =>
          Effect.forEach(summaries, (summary) => inspect(summary.Id), { concurrency: inspectConcurrency })
        ),
        Effect.map((infos) => infos.filter((info) => info !== undefined))
      )

  const ping = request("ping", () => docker.ping()).pipe(
    Effect.asVoid,
    Effect.catchTag("EngineRefusal", (refusal) => Effect.fail(failed("ping", socket, refusal)))
  )

  const events = (labels: Readonly<Record<string, string>>) =>
    dockerEvents(docker, socket, { type: ["container"], label: labelFilter(labels) })

  return { create, start, stop, remove, removeVolume, inspect, listByLabels, ping, events }
}

/** The ContainerDriver on a Docker Engine API socket (Docker or Podman), through dockerode. */
export const DockerDriver = {
  layer: (options: DockerDriverOptions = {}): Layer.Layer<ContainerDriver> =>
    Layer.sync(ContainerDriver, () => make(options))
}
