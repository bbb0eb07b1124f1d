/** Who is signed in, for the pages: the user and whether they are an admin. */
import { createContext } from "preact"
import { useContext } from "preact/hooks"
import type { Health, SignedInView } from "./types.ts"

export interface SessionContext {
  readonly signedIn: SignedInView
  readonly health: Health | undefined
}

export const Session = createContext<SessionContext | undefined>(undefined)

export const useSession = (): SessionContext => {
  const session = useContext(Session)
  if (session === undefined) throw new Error("useSession outside a signed-in page")
  return session
}

export const isAdmin = (session: SessionContext) => session.signedIn.user.role === "admin"
