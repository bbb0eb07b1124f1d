/** Small pieces every page uses. */
import type { ComponentChildren } from "preact"

const stateClass: Record<string, string> = {
  running: "ok",
  stopped: "idle",
  failed: "bad",
  deleted: "idle",
  alive: "ok",
  suspect: "warn",
  dead: "bad",
  left: "idle",
  connected: "ok",
  unreachable: "bad",
  joined: "ok",
  waiting: "warn",
  revoked: "idle"
}

export const StateBadge = ({ state, label }: { readonly state: string; readonly label?: string }) => (
  <span class={`badge ${stateClass[state] ?? "busy"}`} data-state={state}>{label ?? state}</span>
)

export const Notice = ({ kind, children }: { readonly kind: "error" | "info"; readonly children: ComponentChildren }) => (
  <p class={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>{children}</p>
)

export const when = (millis: number | undefined): string =>
  millis === undefined ? "never" : new Date(millis).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" })

export const ago = (millis: number | undefined, now: number): string => {
  if (millis === undefined) return "never"
  const seconds = Math.max(0, Math.round((now - millis) / 1000))
  return seconds < 60 ? `${seconds} s ago` : seconds < 3600 ? `${Math.round(seconds / 60)} min ago` : when(millis)
}

export const bytes = (count: number | undefined): string => {
  if (count === undefined) return "–"
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let value = count
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}
