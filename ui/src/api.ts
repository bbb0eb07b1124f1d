/**
 * Calls to the node's API from the page: the session cookie goes by itself (same origin), and
 * every write carries the session's CSRF proof, held in memory only (never in storage, never
 * in a URL). A 401 anywhere means the session ended: the page signs out.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

let csrf: string | undefined
const signedOutListeners = new Set<() => void>()

export const setCsrf = (proof: string | undefined) => {
  csrf = proof
}

export const onSignedOut = (listener: () => void) => {
  signedOutListeners.add(listener)
  return () => signedOutListeners.delete(listener)
}

export const signedOut = () => {
  csrf = undefined
  for (const listener of signedOutListeners) listener()
}

export const api = async <A>(method: string, path: string, body?: unknown): Promise<A> => {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers["content-type"] = "application/json"
  if (method !== "GET" && csrf !== undefined) headers["x-knot-csrf"] = csrf
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  const parsed = text === "" ? undefined : JSON.parse(text)
  if (!response.ok) {
    // The sign-in form's own 401 is a wrong password, not an ended session.
    if (response.status === 401 && path !== "/api/sessions") signedOut()
    throw new ApiError(response.status, parsed?.code ?? "error", parsed?.message ?? `${response.status} ${response.statusText}`)
  }
  return parsed as A
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
