/** Every space the user may see, live from the change feed; create, start, stop, delete, open a terminal. */
import { useMemo, useState } from "preact/hooks"
import { api, messageOf } from "../api.ts"
import { Notice, StateBadge } from "../components.tsx"
import { useFeed } from "../feed.ts"
import { nodeName, useNodes } from "../nodes.ts"
import { hrefOf } from "../router.ts"
import { isAdmin, useSession } from "../session.ts"
import type { SpaceView, TemplateView } from "../types.ts"

const spacePath = (space: SpaceView) => `/api/spaces/${encodeURIComponent(space.owner)}/${encodeURIComponent(space.name)}`

/** A template's HTTP ports, browsed through the node behind the same sign-in. */
export const HttpPorts = ({ space, template }: { readonly space: SpaceView; readonly template: TemplateView | undefined }) => {
  const ports = (template?.ports ?? []).filter((port) => port.protocol === "http")
  if (ports.length === 0) return null
  return (
    <span class="ports">
      {ports.map((port) => (
        <a href={`/spaces/${encodeURIComponent(space.owner)}/${encodeURIComponent(space.name)}/ports/${port.port}/`}
          target="_blank" rel="noopener">
          {port.name ?? port.port}
        </a>
      ))}
    </span>
  )
}

export const SpaceActions = ({ space, onError }: { readonly space: SpaceView; readonly onError: (message: string) => void }) => {
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const act = (method: string, path: string) => {
    setBusy(true)
    api(method, path).then(
      () => setBusy(false),
      (error) => {
        setBusy(false)
        onError(`${space.owner}/${space.name}: ${messageOf(error)}`)
      }
    )
  }
  if (confirming) {
    return (
      <span class="actions" role="group" aria-label={`Delete ${space.name}?`}>
        <span>Delete {space.name}?</span>
        <button type="button" class="danger" onClick={() => {
          setConfirming(false)
          act("DELETE", spacePath(space))
        }}>Yes, delete</button>
        <button type="button" onClick={() => setConfirming(false)}>Keep it</button>
      </span>
    )
  }
  const label = (verb: string) => `${verb} ${space.owner}/${space.name}`
  return (
    <span class="actions">
      {space.desired === "running"
        ? <button type="button" disabled={busy} aria-label={label("Stop")} onClick={() => act("POST", `${spacePath(space)}/stop`)}>Stop</button>
        : <button type="button" disabled={busy || space.desired === "deleted"} aria-label={label("Start")} onClick={() => act("POST", `${spacePath(space)}/start`)}>Start</button>}
      <a class={`button${space.observed === "running" ? "" : " disabled"}`} aria-label={label("Terminal of")}
        aria-disabled={space.observed !== "running"}
        href={space.observed === "running" ? hrefOf({ page: "terminal", owner: space.owner, name: space.name }) : undefined}>
        Terminal
      </a>
      <button type="button" class="danger" disabled={busy || space.desired === "deleted"} aria-label={label("Delete")}
        onClick={() => setConfirming(true)}>Delete</button>
    </span>
  )
}

const CreateSpace = ({ templates, onError }: { readonly templates: ReadonlyArray<TemplateView>; readonly onError: (message: string | undefined) => void }) => {
  const [name, setName] = useState("")
  const [template, setTemplate] = useState("")
  const [busy, setBusy] = useState(false)
  const chosen = template === "" ? templates[0]?.name ?? "" : template
  const submit = (event: Event) => {
    event.preventDefault()
    setBusy(true)
    onError(undefined)
    api("POST", "/api/spaces", { name, template: chosen }).then(
      () => {
        setBusy(false)
        setName("")
      },
      (error) => {
        setBusy(false)
        onError(messageOf(error))
      }
    )
  }
  return (
    <form class="inline" onSubmit={submit} aria-label="Create a space">
      <label for="new-space-name">Name</label>
      <input id="new-space-name" required value={name} pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?" placeholder="dev"
        onInput={(event) => setName(event.currentTarget.value)} />
      <label for="new-space-template">Template</label>
      <select id="new-space-template" value={chosen} onChange={(event) => setTemplate(event.currentTarget.value)}>
        {templates.map((entry) => <option value={entry.name}>{entry.name}</option>)}
      </select>
      <button type="submit" disabled={busy || chosen === ""}>{busy ? "Creating…" : "Create space"}</button>
    </form>
  )
}

const stateLabel = (space: SpaceView) =>
  space.observed === "failed" && space.reason !== undefined ? `failed: ${space.reason}` : space.observed

export const Spaces = () => {
  const feed = useFeed()
  const session = useSession()
  const admin = isAdmin(session)
  const [error, setError] = useState<string | undefined>()
  const list = useMemo(
    () => [...feed.spaces.values()].sort((a, b) => a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name)),
    [feed.spaces]
  )
  const templates = useMemo(() => [...feed.templates.values()].sort((a, b) => a.name.localeCompare(b.name)), [feed.templates])
  const nodes = useNodes(useMemo(() => [...new Set(list.map((space) => space.node))], [list]))
  return (
    <section aria-labelledby="spaces-title">
      <h1 id="spaces-title">Spaces</h1>
      <CreateSpace templates={templates} onError={setError} />
      {error === undefined ? null : <Notice kind="error">{error}</Notice>}
      {!feed.synced ? <p>Loading spaces…</p> : list.length === 0 ? <p>No spaces yet: create one from a template above.</p> : (
        <div class="table-wrap">
          <table class="spaces" data-count={list.length}>
            <caption class="visually-hidden">{list.length} spaces</caption>
            <thead>
              <tr>
                <th scope="col">Space</th>
                {admin ? <th scope="col">Owner</th> : null}
                <th scope="col">State</th>
                <th scope="col">Template</th>
                <th scope="col">Node</th>
                <th scope="col">Zone</th>
                <th scope="col">Ports</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((space) => (
                <tr key={space.id} data-space={`${space.owner}/${space.name}`}>
                  <th scope="row"><a href={hrefOf({ page: "space", owner: space.owner, name: space.name })}>{space.name}</a></th>
                  {admin ? <td>{space.owner}</td> : null}
                  <td><StateBadge state={space.observed} label={stateLabel(space)} /></td>
                  <td>{space.template}</td>
                  <td>{nodeName(nodes, space.node)}</td>
                  <td>{space.zone}</td>
                  <td><HttpPorts space={space} template={feed.templates.get(space.template)} /></td>
                  <td><SpaceActions space={space} onError={setError} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
