/** The node a client command talks to, as a URL: plain code, for the hand path too. */

export const defaultServer = "http://127.0.0.1:3000"

/** `host:port` alone means http; a trailing slash is dropped. A string that is no http(s) URL gets what is wrong with it. */
export const serverUrlOf = (server: string): { readonly url: string } | { readonly problem: string } => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`
  if (!URL.canParse(withScheme)) return { problem: `${server} is not a URL; write it as http://HOST:PORT` }
  const { protocol } = new URL(withScheme)
  if (protocol !== "http:" && protocol !== "https:") return { problem: `${server} is not an http(s) URL` }
  return { url: withScheme.replace(/\/+$/, "") }
}
