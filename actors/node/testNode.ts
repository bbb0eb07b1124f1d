/**
 * One knot node held entirely in memory, for tests (yours and knot's): an actor system, a
 * MemoryStore, a MemoryDriver with its fault controls, a standalone cluster view, and the
 * Templates, Spaces and Volumes services. `startNode` then spawns the node actor on it; time is
 * Effect's Clock, so `TestClock` drives reconciles and retries.
 */
import { Context, Effect, Layer } from "effect"
import type { ContainerDriverShape } from "../../effects/container/containerDriver.ts"
import { ContainerDriver } from "../../effects/container/containerDriver.ts"
import { MemoryDriver, type MemoryEngine } from "../../effects/container/memoryDriver.ts"
import type { MemoryDisk } from "../../storage/memoryStore.ts"
import { MemoryStore } from "../../storage/memoryStore.ts"
import { NodeId } from "../../storage/record.ts"
import type { Store } from "../../storage/store.ts"
import type { StoreError } from "../../storage/store.errors.ts"
import type { ActorSystem } from "../runtime/actorSystem.ts"
import { ActorSystemLive } from "../runtime/actorSystem.ts"
import { SpacesLive } from "../space/spaces.live.ts"
import type { Spaces } from "../space/spaces.ts"
import { VolumesLive } from "../space/volumes.live.ts"
import type { Volumes } from "../space/volumes.ts"
import type { ClusterView } from "./clusterView.ts"
import { StandaloneClusterView } from "./clusterView.standalone.ts"
import { TemplatesLive } from "./templates.live.ts"
import type { Templates } from "./templates.ts"

export interface TestNodeOptions {
  /** Default "node-1". */
  readonly node?: string
  /** Default "local". */
  readonly zone?: string
  /** Reopen this disk (a node restarted after a crash); a fresh one when absent. */
  readonly disk?: MemoryDisk
  /** The images the engine holds; all when absent. */
  readonly images?: Iterable<string>
  /** Wraps the memory driver, e.g. to hold or break an operation. */
  readonly wrapDriver?: (driver: ContainerDriverShape) => ContainerDriverShape
  /** Replaces the standalone cluster view (several members, other zones). */
  readonly clusterView?: Layer.Layer<ClusterView, never, Store>
}

export type TestNodeServices = ActorSystem | Store | ContainerDriver | MemoryEngine | ClusterView | Templates | Spaces | Volumes

export const TestNode = {
  layer: (options: TestNodeOptions = {}): Layer.Layer<TestNodeServices, StoreError> => {
    const store = MemoryStore.layer({
      nodeId: NodeId.make(options.node ?? "node-1"),
      maxDriftMs: 60_000,
      ...(options.disk === undefined ? {} : { disk: options.disk })
    })
    const cluster = options.clusterView ?? StandaloneClusterView.layer({ zone: options.zone ?? "local" })
    const services = Layer.merge(SpacesLive, VolumesLive).pipe(
      Layer.provideMerge(TemplatesLive.layer()),
      Layer.provideMerge(cluster)
    )
    const memory = MemoryDriver.layer(options.images === undefined ? {} : { images: options.images })
    const wrap = options.wrapDriver
    const driver = wrap === undefined
      ? memory
      : Layer.effectContext(
        Effect.map(
          Effect.context<ContainerDriver | MemoryEngine>(),
          (context) => Context.add(context, ContainerDriver, wrap(Context.get(context, ContainerDriver)))
        )
      ).pipe(Layer.provide(memory))
    // The actor system on top: built last, shut down first, while the store is still open.
    return ActorSystemLive.pipe(
      Layer.provideMerge(driver),
      Layer.provideMerge(services.pipe(Layer.provideMerge(store)))
    )
  }
}
