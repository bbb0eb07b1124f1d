/** Node ids by name and zone, for the pages that show where spaces run; refreshed when an unknown id shows up. */
import { useEffect, useState } from "preact/hooks"
import { api } from "./api.ts"
import type { ClusterStatus } from "./types.ts"

type Member = ClusterStatus["members"][number]

let known: ReadonlyMap<string, Member> = new Map()
let loading: Promise<void> | undefined
const listeners = new Set<(members: ReadonlyMap<string, Member>) => void>()

const load = () => {
  loading ??= api<ClusterStatus>("GET", "/api/nodes").then(
    (status) => {
      known = new Map(status.members.map((member) => [member.id, member]))
      for (const listener of listeners) listener(known)
    },
    () => undefined
  ).finally(() => (loading = undefined))
  return loading
}

/** The members this node knows; asks again when `wanted` names a node it has not heard of. */
export const useNodes = (wanted: ReadonlyArray<string> = []): ReadonlyMap<string, Member> => {
  const [members, setMembers] = useState(known)
  useEffect(() => {
    listeners.add(setMembers)
    if (known.size === 0) void load()
    return () => void listeners.delete(setMembers)
  }, [])
  const missing = wanted.some((id) => !members.has(id))
  useEffect(() => {
    if (missing) void load()
  }, [missing])
  return members
}

export const nodeName = (members: ReadonlyMap<string, Member>, id: string) => members.get(id)?.name ?? id
