/** Users, tokens, sessions and SSH keys: your own, or everyone's for an admin. */
import { useCallback, useEffect, useState } from "preact/hooks"
import { api, messageOf } from "../api.ts"
import { Notice, StateBadge, when } from "../components.tsx"
import { isAdmin, useSession } from "../session.ts"
import type { SessionView, SshKeyView, TokenView, UserView } from "../types.ts"

/** A list read from the API, read again after each change this page makes. */
const useList = <A,>(path: string): [ReadonlyArray<A> | undefined, string | undefined, () => void] => {
  const [items, setItems] = useState<ReadonlyArray<A> | undefined>()
  const [error, setError] = useState<string | undefined>()
  const reload = useCallback(() => {
    api<ReadonlyArray<A>>("GET", path).then(setItems, (failure) => setError(messageOf(failure)))
  }, [path])
  useEffect(reload, [reload])
  return [items, error, reload]
}

const Users = () => {
  const [users, error, reload] = useList<UserView>("/api/users")
  const [name, setName] = useState("")
  const [role, setRole] = useState("user")
  const [password, setPassword] = useState("")
  const [problem, setProblem] = useState<string | undefined>()
  const act = (call: Promise<unknown>) => call.then(() => {
    setProblem(undefined)
    reload()
  }, (failure) => setProblem(messageOf(failure)))
  const create = (event: Event) => {
    event.preventDefault()
    act(api("POST", "/api/users", { name, role }).then(() =>
      password === "" ? undefined : api("PUT", `/api/users/${encodeURIComponent(name)}/password`, { password })
    ).then(() => {
      setName("")
      setPassword("")
    }))
  }
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form class="inline" onSubmit={create} aria-label="Create a user">
        <label for="new-user-name">Name</label>
        <input id="new-user-name" required value={name} onInput={(event) => setName(event.currentTarget.value)} />
        <label for="new-user-role">Role</label>
        <select id="new-user-role" value={role} onChange={(event) => setRole(event.currentTarget.value)}>
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
        <label for="new-user-password">Password</label>
        <input id="new-user-password" type="password" autoComplete="new-password" value={password}
          onInput={(event) => setPassword(event.currentTarget.value)} />
        <button type="submit">Create user</button>
      </form>
      {error ?? problem ? <Notice kind="error">{error ?? problem}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(users ?? []).map((user) => (
              <tr data-user={user.name}>
                <th scope="row">{user.name}</th>
                <td>{user.role}</td>
                <td><StateBadge state={user.disabled ? "revoked" : "joined"} label={user.disabled ? "disabled" : "enabled"} /></td>
                <td>
                  {user.disabled
                    ? <button type="button" onClick={() => act(api("POST", `/api/users/${user.name}/enable`))}>Enable</button>
                    : <button type="button" onClick={() => act(api("POST", `/api/users/${user.name}/disable`))}>Disable</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

const Tokens = ({ all }: { readonly all: boolean }) => {
  const [tokens, error, reload] = useList<TokenView>(all ? "/api/tokens?all=true" : "/api/tokens")
  const [label, setLabel] = useState("")
  const [secret, setSecret] = useState<string | undefined>()
  const [problem, setProblem] = useState<string | undefined>()
  const create = (event: Event) => {
    event.preventDefault()
    api<{ secret: string }>("POST", "/api/tokens", label === "" ? {} : { name: label }).then((issued) => {
      setSecret(issued.secret)
      setLabel("")
      reload()
    }, (failure) => setProblem(messageOf(failure)))
  }
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <form class="inline" onSubmit={create} aria-label="Create a token">
        <label for="new-token-name">Token name</label>
        <input id="new-token-name" value={label} placeholder="laptop" onInput={(event) => setLabel(event.currentTarget.value)} />
        <button type="submit">Create token</button>
      </form>
      {secret === undefined ? null : (
        <Notice kind="info">New token, shown this once: <code class="secret">{secret}</code></Notice>
      )}
      {error ?? problem ? <Notice kind="error">{error ?? problem}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Id</th><th scope="col">Name</th>{all ? <th scope="col">User</th> : null}<th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(tokens ?? []).map((token) => (
              <tr>
                <th scope="row"><code>{token.id}</code></th>
                <td>{token.name ?? ""}</td>
                {all ? <td>{token.user}</td> : null}
                <td>{when(token.createdAt)}</td>
                <td><button type="button" aria-label={`Revoke token ${token.id}`} onClick={() =>
                  api("DELETE", `/api/tokens/${token.id}`).then(reload, (failure) => setProblem(messageOf(failure)))}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

const Sessions = ({ all }: { readonly all: boolean }) => {
  const [sessions, error, reload] = useList<SessionView>(all ? "/api/sessions?all=true" : "/api/sessions")
  const [problem, setProblem] = useState<string | undefined>()
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Browser sessions</h2>
      {error ?? problem ? <Notice kind="error">{error ?? problem}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Browser</th>{all ? <th scope="col">User</th> : null}<th scope="col">Signed in</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(sessions ?? []).map((session) => (
              <tr data-session={session.id}>
                <th scope="row">{session.agent ?? "unknown browser"}{session.current ? " (this one)" : ""}</th>
                {all ? <td>{session.user}</td> : null}
                <td>{when(session.createdAt)}</td>
                <td>{when(session.expiresAt)}</td>
                <td><button type="button" aria-label={`Revoke session ${session.id}`} onClick={() =>
                  api("DELETE", `/api/sessions/${session.id}`).then(reload, (failure) => setProblem(messageOf(failure)))}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

const SshKeys = ({ all }: { readonly all: boolean }) => {
  const [keys, error, reload] = useList<SshKeyView>(all ? "/api/ssh-keys?all=true" : "/api/ssh-keys")
  const [publicKey, setPublicKey] = useState("")
  const [problem, setProblem] = useState<string | undefined>()
  const add = (event: Event) => {
    event.preventDefault()
    api("POST", "/api/ssh-keys", { publicKey: publicKey.trim() }).then(() => {
      setPublicKey("")
      setProblem(undefined)
      reload()
    }, (failure) => setProblem(messageOf(failure)))
  }
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">SSH keys</h2>
      <form class="inline" onSubmit={add} aria-label="Add an SSH key">
        <label for="new-key">Public key</label>
        <input id="new-key" required value={publicKey} placeholder="ssh-ed25519 AAAA… laptop"
          onInput={(event) => setPublicKey(event.currentTarget.value)} />
        <button type="submit">Add key</button>
      </form>
      {error ?? problem ? <Notice kind="error">{error ?? problem}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Name</th>{all ? <th scope="col">User</th> : null}<th scope="col">Fingerprint</th><th scope="col">Added</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(keys ?? []).map((key) => (
              <tr>
                <th scope="row">{key.name}</th>
                {all ? <td>{key.user}</td> : null}
                <td><code>{key.fingerprint}</code></td>
                <td>{when(key.addedAt)}</td>
                <td><button type="button" aria-label={`Remove key ${key.name}`} onClick={() =>
                  api("DELETE", `/api/ssh-keys/${key.id}`).then(reload, (failure) => setProblem(messageOf(failure)))}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

const Password = ({ user }: { readonly user: string }) => {
  const [current, setCurrent] = useState("")
  const [next, setNext] = useState("")
  const [result, setResult] = useState<{ kind: "error" | "info"; text: string } | undefined>()
  const change = (event: Event) => {
    event.preventDefault()
    api("PUT", `/api/users/${encodeURIComponent(user)}/password`, { password: next, ...(current === "" ? {} : { currentPassword: current }) })
      .then(() => {
        setCurrent("")
        setNext("")
        setResult({ kind: "info", text: "Password changed; your other browsers are signed out." })
      }, (failure) => setResult({ kind: "error", text: messageOf(failure) }))
  }
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form class="inline" onSubmit={change} aria-label="Change your password">
        <input type="text" name="username" autoComplete="username" value={user} hidden readOnly />
        <label for="password-current">Current password</label>
        <input id="password-current" type="password" autoComplete="current-password" value={current}
          onInput={(event) => setCurrent(event.currentTarget.value)} />
        <label for="password-new">New password</label>
        <input id="password-new" type="password" autoComplete="new-password" required minLength={8} value={next}
          onInput={(event) => setNext(event.currentTarget.value)} />
        <button type="submit">Change password</button>
      </form>
      {result === undefined ? null : <Notice kind={result.kind}>{result.text}</Notice>}
    </section>
  )
}

export const People = () => {
  const session = useSession()
  const admin = isAdmin(session)
  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">{admin ? "People" : "Account"}</h1>
      {admin ? <Users /> : null}
      <Password user={session.signedIn.user.name} />
      <Tokens all={admin} />
      <Sessions all={admin} />
      <SshKeys all={admin} />
    </section>
  )
}
