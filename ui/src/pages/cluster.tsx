/** The cluster as this node sees it, pushed by the node: members, leaves and their links, gossip traffic. */
import { useEffect, useState } from "preact/hooks"
import { api, signedOut } from "../api.ts"
import { ago, bytes, Notice, StateBadge } from "../components.tsx"
import type { ClusterSnapshot } from "../../../effects/http/ui/clusterFeedGroup.ts"
import type { LeafView } from "../types.ts"

const useClusterFeed = (): ClusterSnapshot | undefined => {
  const [snapshot, setSnapshot] = useState<ClusterSnapshot | undefined>()
  useEffect(() => {
    // EventSource reconnects by itself; every event is the whole view, so nothing needs resyncing.
    const events = new EventSource("/api/cluster/events")
    events.addEventListener("cluster", (event) => setSnapshot(JSON.parse((event as MessageEvent<string>).data)))
    events.addEventListener("session-ended", () => {
      events.close()
      signedOut()
    })
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) api("GET", "/api/sessions/current").catch(() => undefined)
    }
    return () => events.close()
  }, [])
  return snapshot
}

export const Cluster = () => {
  const snapshot = useClusterFeed()
  const [leaves, setLeaves] = useState<ReadonlyArray<LeafView> | undefined>()
  useEffect(() => {
    api<ReadonlyArray<LeafView>>("GET", "/api/leaves").then(setLeaves, () => setLeaves([]))
  }, [])
  if (snapshot === undefined) return <p>Loading the cluster…</p>
  const self = snapshot.members.find((member) => member.id === snapshot.self)
  const leafMembers = new Map(snapshot.members.filter((member) => member.mode === "leaf").map((member) => [member.id, member]))
  return (
    <section aria-labelledby="cluster-title">
      <h1 id="cluster-title">Cluster</h1>
      <p class="muted">As node {self?.name ?? snapshot.self} sees it ({self?.mode ?? "?"}, zone {self?.zone ?? "?"}).</p>
      {snapshot.origin === undefined ? null : (
        <Notice kind="info">
          Origin {snapshot.origin.node ?? snapshot.origin.origin.slice(0, 12)}: <StateBadge state={snapshot.origin.state} /> since{" "}
          {new Date(snapshot.origin.since).toLocaleString()}{snapshot.origin.refused === undefined ? "" : ` (${snapshot.origin.refused})`}
        </Notice>
      )}
      <h2>Members</h2>
      <div class="table-wrap">
        <table class="members" data-count={snapshot.members.length}>
          <thead>
            <tr>
              <th scope="col">Node</th><th scope="col">State</th><th scope="col">Zone</th><th scope="col">Mode</th>
              <th scope="col">Incarnation</th><th scope="col">Last contact</th><th scope="col">Spaces</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.members.map((member) => (
              <tr data-member={member.id} data-state={member.state}>
                <th scope="row">{member.name ?? member.id}{member.id === snapshot.self ? " (this node)" : ""}</th>
                <td><StateBadge state={member.state} /></td>
                <td>{member.zone}</td>
                <td>{member.mode}</td>
                <td>{member.incarnation}</td>
                <td>{member.id === snapshot.self ? "—" : ago(member.lastContact, snapshot.at)}</td>
                <td>{member.spaces}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Leaves</h2>
      {leaves === undefined ? <p>Loading…</p> : leaves.length === 0 ? <p class="muted">No leaves.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Leaf</th><th scope="col">Credential</th><th scope="col">Link</th><th scope="col">Zone</th><th scope="col">Users</th></tr></thead>
            <tbody>
              {leaves.map((leaf) => {
                const member = leaf.node === undefined ? undefined : leafMembers.get(leaf.node)
                return (
                  <tr>
                    <th scope="row">{leaf.name}</th>
                    <td><StateBadge state={leaf.state} /></td>
                    <td>{member === undefined ? "not linked" : <StateBadge state={member.state} />}</td>
                    <td>{leaf.zone ?? "—"}</td>
                    <td>{leaf.users.join(", ")}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>Gossip traffic</h2>
      {snapshot.traffic === undefined ? <p class="muted">A standalone node gossips with no one.</p> : (
        <dl class="facts">
          <dt>Frames sent</dt><dd>{bytes(snapshot.traffic.frameBytesSent)}</dd>
          <dt>Frames received</dt><dd>{bytes(snapshot.traffic.frameBytesReceived)}</dd>
          <dt>On the wire, sent</dt><dd>{bytes(snapshot.traffic.wireBytesSent)}</dd>
          <dt>On the wire, received</dt><dd>{bytes(snapshot.traffic.wireBytesReceived)}</dd>
        </dl>
      )}
    </section>
  )
}
