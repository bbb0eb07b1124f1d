/** Name and password for a session cookie; the node slows guessers down (429) and says for how long. */
import { useState } from "preact/hooks"
import { api, messageOf } from "../api.ts"
import { Notice } from "../components.tsx"
import type { Health, SignedInView } from "../types.ts"

export const SignIn = (
  { health, onSignedIn }: { readonly health: Health | undefined; readonly onSignedIn: (view: SignedInView) => void }
) => {
  const [name, setName] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    api<SignedInView>("POST", "/api/sessions", { name, password }).then(
      (view) => {
        setPassword("")
        onSignedIn(view)
      },
      (failure) => {
        setBusy(false)
        setError(messageOf(failure))
      }
    )
  }
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to knot</h1>
      {health === undefined ? null : <p class="muted">Node {health.node} · {health.mode} · zone {health.zone}</p>}
      <form onSubmit={submit}>
        <label for="sign-in-name">User name</label>
        <input id="sign-in-name" name="username" autoComplete="username" required value={name}
          onInput={(event) => setName(event.currentTarget.value)} />
        <label for="sign-in-password">Password</label>
        <input id="sign-in-password" name="password" type="password" autoComplete="current-password" required
          value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        {error === undefined ? null : <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
      <p class="muted">No password yet? An admin sets one with <code>knot user passwd NAME</code>.</p>
    </main>
  )
}
