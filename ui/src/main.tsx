/** The web UI's entry: signs in, then shows the page the URL's fragment names. */
import "./style.css"
import { render } from "preact"
import { lazy, Suspense } from "preact/compat"
import { useEffect, useState } from "preact/hooks"
import { api, onSignedOut, setCsrf, signedOut } from "./api.ts"
import { startFeed, stopFeed, useFeed } from "./feed.ts"
import { Cluster } from "./pages/cluster.tsx"
import { People } from "./pages/people.tsx"
import { SignIn } from "./pages/signIn.tsx"
import { SpacePage } from "./pages/space.tsx"
import { Spaces } from "./pages/spaces.tsx"
import { Templates } from "./pages/templates.tsx"
import { hrefOf, type Route, useRoute } from "./router.ts"
import { isAdmin, Session, type SessionContext } from "./session.ts"
import type { Health, SignedInView } from "./types.ts"

// xterm is most of the UI's weight and only the terminal needs it.
const Terminal = lazy(() => import("./pages/terminal.tsx").then((module) => ({ default: module.Terminal })))

const Page = ({ route, session }: { readonly route: Route; readonly session: SessionContext }) => {
  switch (route.page) {
    case "spaces":
      return <Spaces />
    case "space":
      return <SpacePage owner={route.owner} name={route.name} />
    case "terminal":
      return (
        <Suspense fallback={<p>Loading the terminal…</p>}>
          <Terminal owner={route.owner} name={route.name} />
        </Suspense>
      )
    case "templates":
      return <Templates />
    case "people":
      return <People />
    case "cluster":
      return isAdmin(session) ? <Cluster /> : <p role="alert">The cluster page is for admins.</p>
  }
}

const titles: Record<Route["page"], string> = {
  spaces: "Spaces",
  space: "Space",
  terminal: "Terminal",
  templates: "Templates",
  people: "People",
  cluster: "Cluster"
}

const Shell = ({ session }: { readonly session: SessionContext }) => {
  const route = useRoute()
  const feed = useFeed()
  const admin = isAdmin(session)
  useEffect(() => {
    document.title = `${titles[route.page]} · knot`
  }, [route.page])
  const links: ReadonlyArray<[Route, string]> = [
    [{ page: "spaces" }, "Spaces"],
    [{ page: "templates" }, "Templates"],
    [{ page: "people" }, admin ? "People" : "Account"],
    ...(admin ? [[{ page: "cluster" }, "Cluster"] as [Route, string]] : [])
  ]
  const current = route.page === "space" || route.page === "terminal" ? "spaces" : route.page
  const signOut = () => {
    api("DELETE", "/api/sessions/current").finally(signedOut)
  }
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <strong class="brand">knot</strong>
        <nav aria-label="Main">
          {links.map(([target, label]) => (
            <a href={hrefOf(target)} aria-current={target.page === current ? "page" : undefined}>{label}</a>
          ))}
        </nav>
        <span class={`connection ${feed.connection}`} role="status" aria-live="polite">
          {feed.connection === "live" ? "live" : feed.connection === "connecting" ? "connecting…" : "reconnecting…"}
        </span>
        <span class="who">
          {session.signedIn.user.name} ({session.signedIn.user.role})
          <button type="button" onClick={signOut}>Sign out</button>
        </span>
      </header>
      {session.health?.mode === "leaf" ? <LeafBanner /> : null}
      <main id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </>
  )
}

const LeafBanner = () => {
  const [origin, setOrigin] = useState<{ origin: string; state: string; since: number; refused?: string } | undefined>()
  useEffect(() => {
    api<{ origin?: { origin: string; state: string; since: number; refused?: string } }>("GET", "/api/nodes").then(
      (status) => setOrigin(status.origin),
      () => undefined
    )
  }, [])
  return (
    <p class="leaf" role="note">
      This node is a leaf: templates are managed on the cluster.{" "}
      {origin === undefined ? null : (
        <span data-origin-state={origin.state}>
          Origin {origin.origin.slice(0, 12)}… {origin.state} since {new Date(origin.since).toLocaleString()}
          {origin.refused === undefined ? null : `: ${origin.refused}`}
        </span>
      )}
    </p>
  )
}

const App = () => {
  const [signedIn, setSignedIn] = useState<SignedInView | null | undefined>(undefined)
  const [health, setHealth] = useState<Health | undefined>(undefined)
  useEffect(() => {
    api<Health>("GET", "/health").then(setHealth, () => undefined)
    api<SignedInView>("GET", "/api/sessions/current").then(
      (view) => {
        setCsrf(view.csrf)
        setSignedIn(view)
      },
      () => setSignedIn(null)
    )
    return onSignedOut(() => {
      stopFeed()
      setSignedIn(null)
    })
  }, [])
  useEffect(() => {
    if (signedIn) startFeed()
  }, [signedIn])
  if (signedIn === undefined) return <p class="loading">Loading…</p>
  if (signedIn === null) {
    return (
      <SignIn
        health={health}
        onSignedIn={(view) => {
          setCsrf(view.csrf)
          setSignedIn(view)
        }}
      />
    )
  }
  return (
    <Session.Provider value={{ signedIn, health }}>
      <Shell session={{ signedIn, health }} />
    </Session.Provider>
  )
}

render(<App />, document.getElementById("app")!)
