import type Docker from "dockerode"
import type { ContainerInfo, ContainerSpec, ContainerState } from "../container/containerDriver.ts"
import { AGENT_DIR } from "./agentSockets.ts"

/**
 * The Docker Engine API body that creates the container a ContainerSpec describes. The
 * container runs under the engine's init process: a plain `sleep` as PID 1 ignores SIGTERM,
 * so without it every stop would wait out its timeout and end in SIGKILL. `agentDir`, a
 * directory of this host, is mounted read-only where the space finds its SSH agent sockets
 * (a socket on a read-only mount still takes connections; the space cannot plant files there).
 */
export const toCreateOptions = (spec: ContainerSpec, agentDir?: string): Docker.ContainerCreateOptions => ({
  name: spec.name,
  Image: spec.image,
  ...(spec.command === undefined ? {} : { Cmd: [...spec.command] }),
  Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
  Labels: { ...spec.labels },
  HostConfig: {
    Init: true,
    Mounts: [
      ...spec.volumes.map((volume): Docker.MountSettings => ({ Type: "volume", Source: volume.name, Target: volume.mountPath })),
      ...(agentDir === undefined ? [] : [{ Type: "bind" as const, Source: agentDir, Target: AGENT_DIR, ReadOnly: true }])
    ],
    ...(spec.memoryBytes === undefined ? {} : { Memory: spec.memoryBytes }),
    ...(spec.cpus === undefined ? {} : { NanoCpus: Math.round(spec.cpus * 1e9) })
  }
})

/** Docker and Podman name more states than knot needs; each maps to the one it behaves like. */
const stateOf = (status: string): ContainerState => {
  switch (status) {
    case "created":
    case "configured":
    case "initialized":
      return "created"
    case "running":
    case "paused":
    case "restarting":
      return "running"
    default:
      return "exited"
  }
}

export const toContainerInfo = (inspected: Docker.ContainerInspectInfo): ContainerInfo => {
  const state = stateOf(inspected.State.Status)
  return {
    id: inspected.Id,
    name: inspected.Name.replace(/^\//, ""),
    image: inspected.Config.Image,
    labels: { ...inspected.Config.Labels },
    state,
    ...(state === "exited" ? { exitCode: inspected.State.ExitCode } : {})
  }
}
