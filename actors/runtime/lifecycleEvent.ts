import { Data } from "effect"

/** What the runtime publishes about its actors, for tests and the CLI to watch. */
export type LifecycleEvent = Data.TaggedEnum<{
  Spawned: { readonly path: string; readonly at: number }
  Restarted: { readonly path: string; readonly at: number; readonly attempt: number; readonly reason: string }
  Escalated: { readonly path: string; readonly at: number; readonly to: string; readonly reason: string }
  Stopped: { readonly path: string; readonly at: number }
}>

export const LifecycleEvent = Data.taggedEnum<LifecycleEvent>()
