/** One space: its state, what this page saw it go through, its volumes, and the tail of its log. */
import { useEffect, useState } from "preact/hooks"
import { messageOf } from "../api.ts"
import { Notice, StateBadge, when } from "../components.tsx"
import { useFeed } from "../feed.ts"
import { nodeName, useNodes } from "../nodes.ts"
import { hrefOf } from "../router.ts"
import { openStream, spaceStreamPath } from "../stream.ts"
import { HttpPorts, SpaceActions } from "./spaces.tsx"

const LOG_LINES = 200

const LogTail = ({ owner, name, running }: { readonly owner: string; readonly name: string; readonly running: boolean }) => {
  const [text, setText] = useState("")
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    if (!running) return
    const decoder = new TextDecoder()
    let closed = false
    let stream: { close: () => void } | undefined
    setText("")
    setError(undefined)
    openStream(`${spaceStreamPath(owner, name, "logs")}?follow=1&tail=100`, {
      onData: (_fd, bytes) => setText((before) => (before + decoder.decode(bytes, { stream: true })).split("\n").slice(-LOG_LINES).join("\n")),
      onExit: () => undefined,
      onError: (message) => setError(message),
      onClose: () => undefined
    }).then(
      (opened) => (closed ? opened.close() : (stream = opened)),
      (failure) => setError(messageOf(failure))
    )
    return () => {
      closed = true
      stream?.close()
    }
  }, [owner, name, running])
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Log</h2>
      {!running ? <p class="muted">The log follows while the space runs.</p> : null}
      {error === undefined ? null : <Notice kind="error">{error}</Notice>}
      <pre class="log" tabIndex={0} aria-label="The container's output">{text}</pre>
    </section>
  )
}

export const SpacePage = ({ owner, name }: { readonly owner: string; readonly name: string }) => {
  const feed = useFeed()
  const space = [...feed.spaces.values()].find((entry) => entry.owner === owner && entry.name === name)
  const nodes = useNodes(space === undefined ? [] : [space.node])
  const [error, setError] = useState<string | undefined>()
  if (space === undefined) {
    return feed.synced
      ? <section><h1>{owner}/{name}</h1><p>No such space (deleted, or not yours). <a href={hrefOf({ page: "spaces" })}>All spaces</a></p></section>
      : <p>Loading…</p>
  }
  const template = feed.templates.get(space.template)
  const history = feed.lifecycles.get(space.id) ?? []
  return (
    <section aria-labelledby="space-title">
      <h1 id="space-title">{space.owner}/{space.name}</h1>
      <dl class="facts">
        <dt>State</dt>
        <dd><StateBadge state={space.observed} />{space.reason === undefined ? null : <span class="reason"> {space.reason}</span>}</dd>
        <dt>Asked to be</dt><dd>{space.desired}</dd>
        <dt>Template</dt><dd>{space.template}</dd>
        <dt>Node</dt><dd>{nodeName(nodes, space.node)}</dd>
        <dt>Zone</dt><dd>{space.zone}</dd>
        <dt>Created</dt><dd>{when(space.createdAt)}</dd>
        <dt>Ports</dt><dd><HttpPorts space={space} template={template} /></dd>
      </dl>
      {space.notice === undefined ? null : <Notice kind="info">{space.notice}</Notice>}
      <SpaceActions space={space} onError={setError} />
      {error === undefined ? null : <Notice kind="error">{error}</Notice>}
      <section aria-labelledby="events-title">
        <h2 id="events-title">Recent lifecycle events</h2>
        <ol class="events">
          {history.map((event) => (
            <li><time>{when(event.at)}</time> <StateBadge state={event.observed} /> asked {event.desired}{event.reason === undefined ? "" : `: ${event.reason}`}</li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="volumes-title">
        <h2 id="volumes-title">Volumes</h2>
        {(template?.volumes ?? []).length === 0 ? <p class="muted">None.</p> : (
          <table>
            <thead><tr><th scope="col">Volume</th><th scope="col">Mounted at</th><th scope="col">On delete</th><th scope="col">From</th></tr></thead>
            <tbody>
              {template!.volumes.map((volume) => (
                <tr>
                  <th scope="row">{volume.name}</th>
                  <td><code>{volume.mountPath}</code></td>
                  <td>{volume.keep ? "kept" : "removed"}</td>
                  <td>{space.reusedVolumes?.[volume.name] ?? "new"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <LogTail owner={space.owner} name={space.name} running={space.observed === "running"} />
    </section>
  )
}
