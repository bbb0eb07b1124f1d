/** Templates: everyone reads them; admins edit them in a form checked by the API's own Schema. */
import { useMemo, useState } from "preact/hooks"
import { api, messageOf } from "../api.ts"
import { Notice } from "../components.tsx"
import { useFeed } from "../feed.ts"
import { isAdmin, useSession } from "../session.ts"
import { emptyFields, type FieldName, fieldsOf, problemsOf, requestOf, type TemplateFields } from "../templateForm.ts"
import type { TemplateView } from "../types.ts"

const labels: Record<FieldName, { label: string; hint?: string; lines?: boolean }> = {
  name: { label: "Name" },
  image: { label: "Image", hint: "any image the engine has; knot never pulls" },
  command: { label: "Command", hint: "one argument per line; empty: the image's own", lines: true },
  env: { label: "Environment", hint: "KEY=VALUE, one per line", lines: true },
  volumes: { label: "Volumes", hint: "NAME /mount/path [keep], one per line", lines: true },
  ports: { label: "Ports", hint: "PORT [NAME] [http|tcp], one per line", lines: true },
  zones: { label: "Zones", hint: "comma-separated; empty: every zone" },
  memoryMb: { label: "Memory (MB)" },
  cpus: { label: "CPUs" },
  startOnConnect: { label: "Start on SSH connect" }
}

const TemplateEditor = ({ initial, onDone }: { readonly initial: TemplateFields; readonly onDone: () => void }) => {
  const [fields, setFields] = useState(initial)
  const [problems, setProblems] = useState<Partial<Record<FieldName, string>>>({})
  const [error, setError] = useState<string | undefined>()
  const [saved, setSaved] = useState(false)
  const set = (field: FieldName, value: string | boolean) => {
    setFields({ ...fields, [field]: value })
    setSaved(false)
  }
  const save = (event: Event) => {
    event.preventDefault()
    const found = problemsOf(fields)
    setProblems(found)
    setError(undefined)
    if (Object.keys(found).length > 0) {
      const first = Object.keys(found)[0]
      document.getElementById(`template-${first}`)?.focus()
      return
    }
    api("POST", "/api/templates", requestOf(fields)).then(
      () => setSaved(true),
      (failure) => setError(messageOf(failure))
    )
  }
  const remove = () => {
    api("DELETE", `/api/templates/${encodeURIComponent(fields.name)}`).then(onDone, (failure) => setError(messageOf(failure)))
  }
  return (
    <form class="editor" onSubmit={save} noValidate aria-label={`Template ${fields.name || "(new)"}`}>
      {(Object.keys(labels) as Array<FieldName>).map((field) => {
        const { label, hint, lines } = labels[field]
        const id = `template-${field}`
        const problem = problems[field]
        const described = [hint === undefined ? undefined : `${id}-hint`, problem === undefined ? undefined : `${id}-error`]
          .filter((part) => part !== undefined).join(" ")
        if (field === "startOnConnect") {
          return (
            <div class="field check">
              <input id={id} type="checkbox" checked={fields.startOnConnect} onChange={(event) => set(field, event.currentTarget.checked)} />
              <label for={id}>{label}</label>
            </div>
          )
        }
        const common = {
          id,
          name: field,
          value: fields[field] as string,
          "aria-invalid": problem === undefined ? undefined : ("true" as const),
          "aria-describedby": described === "" ? undefined : described,
          onInput: (event: Event) => set(field, (event.currentTarget as HTMLInputElement).value)
        }
        return (
          <div class="field">
            <label for={id}>{label}</label>
            {lines ? <textarea rows={3} {...common} /> : <input {...common} readOnly={field === "name" && initial.name !== ""} />}
            {hint === undefined ? null : <small id={`${id}-hint`}>{hint}</small>}
            {problem === undefined ? null : <p class="field-error" id={`${id}-error`} data-field={field}>{problem}</p>}
          </div>
        )
      })}
      {error === undefined ? null : <Notice kind="error">{error}</Notice>}
      {saved ? <Notice kind="info">Saved.</Notice> : null}
      <div class="buttons">
        <button type="submit">Save template</button>
        <button type="button" onClick={onDone}>Close</button>
        {initial.name === "" ? null : <button type="button" class="danger" onClick={remove}>Delete template</button>}
      </div>
    </form>
  )
}

const describe = (template: TemplateView) =>
  [
    template.command === undefined ? undefined : `command: ${template.command.join(" ")}`,
    template.volumes.length === 0 ? undefined : `volumes: ${template.volumes.map((volume) => `${volume.name} at ${volume.mountPath}`).join(", ")}`,
    (template.ports ?? []).length === 0 ? undefined : `ports: ${(template.ports ?? []).map((port) => `${port.port}/${port.protocol ?? "tcp"}`).join(", ")}`,
    template.zones.length === 0 ? "any zone" : `zones: ${template.zones.join(", ")}`
  ].filter((part) => part !== undefined).join(" · ")

export const Templates = () => {
  const feed = useFeed()
  const session = useSession()
  const editable = isAdmin(session) && session.health?.mode !== "leaf"
  const [editing, setEditing] = useState<TemplateFields | undefined>()
  const templates = useMemo(() => [...feed.templates.values()].sort((a, b) => a.name.localeCompare(b.name)), [feed.templates])
  return (
    <section aria-labelledby="templates-title">
      <h1 id="templates-title">Templates</h1>
      {session.health?.mode === "leaf" ? <p class="muted">Templates are managed on the cluster; this leaf shows those allowed in its zone.</p> : null}
      {editable && editing === undefined
        ? <button type="button" onClick={() => setEditing(emptyFields)}>New template</button>
        : null}
      {editing === undefined ? null : <TemplateEditor key={editing.name} initial={editing} onDone={() => setEditing(undefined)} />}
      <ul class="cards">
        {templates.map((template) => (
          <li data-template={template.name}>
            <h2>{template.name}</h2>
            <p><code>{template.image}</code></p>
            <p class="muted">{describe(template)}</p>
            {editable ? <button type="button" aria-label={`Edit ${template.name}`} onClick={() => setEditing(fieldsOf(template))}>Edit</button> : null}
          </li>
        ))}
      </ul>
      {feed.synced && templates.length === 0 ? <p>No templates yet.</p> : null}
    </section>
  )
}
