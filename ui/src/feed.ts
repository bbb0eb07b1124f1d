/**
 * The node's change feed (GET /api/events) as a store the pages read: spaces and templates as
 * they are now, pushed by the node, never polled. A lost connection reconnects from the last
 * cursor (the node sends what was missed, or `reset` and the whole state); a `reset` builds the
 * state aside and shows it once `synced`, so a page never flashes empty. The node ends the feed
 * with `session-ended` when the session is revoked or expires: the page signs out at once.
 */
import { useEffect, useState } from "preact/hooks"
import { api, signedOut } from "./api.ts"
import type { SpaceView, TemplateView } from "./types.ts"

export interface LifecycleEvent {
  readonly at: number
  readonly observed: string
  readonly desired: string
  readonly reason?: string
}

export type Connection = "connecting" | "live" | "reconnecting"

export interface FeedState {
  readonly spaces: ReadonlyMap<string, SpaceView>
  readonly templates: ReadonlyMap<string, TemplateView>
  /** What this page saw each space go through since it opened, newest last. */
  readonly lifecycles: ReadonlyMap<string, ReadonlyArray<LifecycleEvent>>
  readonly connection: Connection
  /** The state is whole (the node said `synced` at least once). */
  readonly synced: boolean
}

const HISTORY = 20

let spaces = new Map<string, SpaceView>()
let templates = new Map<string, TemplateView>()
const lifecycles = new Map<string, Array<LifecycleEvent>>()
let staged: { spaces: Map<string, SpaceView>; templates: Map<string, TemplateView> } | undefined
let connection: Connection = "connecting"
let synced = false
let cursor: string | undefined
let source: EventSource | undefined
let retry: ReturnType<typeof setTimeout> | undefined
let state: FeedState = { spaces, templates, lifecycles, connection, synced }
const listeners = new Set<(state: FeedState) => void>()
let scheduled = false

/** Many events arrive together (a reset of 1 000 spaces): the pages render once per frame. */
const publish = () => {
  if (scheduled) return
  scheduled = true
  queueMicrotask(() => {
    scheduled = false
    state = { spaces: new Map(spaces), templates: new Map(templates), lifecycles: new Map(lifecycles), connection, synced }
    for (const listener of listeners) listener(state)
  })
}

const noteLifecycle = (space: SpaceView) => {
  const history = lifecycles.get(space.id) ?? []
  const last = history.at(-1)
  if (last !== undefined && last.observed === space.observed && last.desired === space.desired) return
  history.push({
    at: space.updatedAt,
    observed: space.observed,
    desired: space.desired,
    ...(space.reason === undefined ? {} : { reason: space.reason })
  })
  if (history.length > HISTORY) history.shift()
  lifecycles.set(space.id, history)
}

type Listener = (data: any) => void

const handlers: Record<string, Listener> = {
  space: (data) => {
    ;(staged?.spaces ?? spaces).set(data.space.id, data.space)
    noteLifecycle(data.space)
  },
  "space-removed": (data) => void (staged?.spaces ?? spaces).delete(data.id),
  template: (data) => void (staged?.templates ?? templates).set(data.template.name, data.template),
  "template-removed": (data) => void (staged?.templates ?? templates).delete(data.name),
  reset: () => {
    staged = { spaces: new Map(), templates: new Map() }
  },
  "session-ended": () => signedOut(),
  synced: () => {
    if (staged !== undefined) {
      spaces = staged.spaces
      templates = staged.templates
      staged = undefined
    }
    synced = true
  }
}

const open = () => {
  source?.close()
  const url = cursor === undefined ? "/api/events" : `/api/events?since=${encodeURIComponent(cursor)}`
  const events = new EventSource(url)
  source = events
  for (const [name, handle] of Object.entries(handlers)) {
    events.addEventListener(name, (event) => {
      const message = event as MessageEvent<string>
      if (message.lastEventId !== "") cursor = message.lastEventId
      handle(JSON.parse(message.data))
      publish()
    })
  }
  events.onopen = () => {
    connection = "live"
    publish()
  }
  events.onerror = () => {
    connection = "reconnecting"
    publish()
    if (events.readyState !== EventSource.CLOSED) return
    // Closed for good by an HTTP answer: find out whether the session ended (api() then signs out), else retry.
    events.close()
    const again = (delay: number) => () => {
      if (source === events) retry = setTimeout(open, delay)
    }
    api("GET", "/api/sessions/current").then(again(1000), again(3000))
  }
}

export const startFeed = () => {
  if (source === undefined) open()
}

export const stopFeed = () => {
  source?.close()
  source = undefined
  if (retry !== undefined) clearTimeout(retry)
  spaces = new Map()
  templates = new Map()
  lifecycles.clear()
  cursor = undefined
  synced = false
  connection = "connecting"
  publish()
}

export const useFeed = (): FeedState => {
  const [current, setCurrent] = useState(state)
  useEffect(() => {
    listeners.add(setCurrent)
    setCurrent(state)
    return () => void listeners.delete(setCurrent)
  }, [])
  return current
}
