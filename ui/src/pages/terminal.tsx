/**
 * A shell in the space: xterm over the exec WebSocket, sized to its box and following it.
 * Copy is the browser's own (select, then Ctrl+Shift+C or the menu); paste goes in as input.
 * When the shell exits or the space stops, the terminal says so and closes the stream.
 */
import { FitAddon } from "@xterm/addon-fit"
import { Terminal as XTerm } from "@xterm/xterm"
import { useEffect, useRef, useState } from "preact/hooks"
import { messageOf } from "../api.ts"
import { Notice } from "../components.tsx"
import { useFeed } from "../feed.ts"
import { hrefOf } from "../router.ts"
import { type OpenStream, openStream, spaceStreamPath } from "../stream.ts"

export const Terminal = ({ owner, name }: { readonly owner: string; readonly name: string }) => {
  const box = useRef<HTMLDivElement>(null)
  const feed = useFeed()
  const space = [...feed.spaces.values()].find((entry) => entry.owner === owner && entry.name === name)
  const running = space?.observed === "running"
  const [status, setStatus] = useState<{ kind: "info" | "error"; text: string } | undefined>()
  const [session, setSession] = useState(0)

  useEffect(() => {
    if (!running || box.current === null) return
    const terminal = new XTerm({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000 })
    const fit = new FitAddon()
    terminal.loadAddon(fit)
    terminal.open(box.current)
    fit.fit()
    terminal.focus()
    let stream: OpenStream | undefined
    let ended = false
    const end = (text: string, kind: "info" | "error") => {
      if (ended) return
      ended = true
      setStatus({ kind, text })
      terminal.options.disableStdin = true
    }
    const query = `?cmd=sh&cmd=-l&tty=1&cols=${terminal.cols}&rows=${terminal.rows}&term=xterm-256color`
    openStream(spaceStreamPath(owner, name, "exec") + query, {
      onData: (_fd, bytes) => terminal.write(bytes),
      onExit: (code) => end(`The shell exited (code ${code}).`, "info"),
      onError: (message) => end(message, "error"),
      onClose: () => end("The stream closed.", "info")
    }).then((opened) => {
      stream = opened
      setStatus(undefined)
    }, (failure) => end(messageOf(failure), "error"))
    const input = terminal.onData((data) => stream?.send(data))
    const resized = terminal.onResize(({ cols, rows }) => stream?.resize(cols, rows))
    const observer = new ResizeObserver(() => fit.fit())
    observer.observe(box.current)
    return () => {
      observer.disconnect()
      input.dispose()
      resized.dispose()
      stream?.close()
      terminal.dispose()
    }
  }, [owner, name, running, session])

  return (
    <section aria-labelledby="terminal-title" class="terminal-page">
      <h1 id="terminal-title">
        Terminal · <a href={hrefOf({ page: "space", owner, name })}>{owner}/{name}</a>
      </h1>
      {space !== undefined && !running ? <Notice kind="info">The space is {space.observed}: the terminal opens while it runs.</Notice> : null}
      {status === undefined ? null : (
        <Notice kind={status.kind}>
          {status.text} {running ? <button type="button" onClick={() => {
            setStatus(undefined)
            setSession(session + 1)
          }}>Open a new shell</button> : null}
        </Notice>
      )}
      <div class="terminal" ref={box} aria-label={`Shell in ${owner}/${name}`} />
    </section>
  )
}
