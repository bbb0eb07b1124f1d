/**
 * What to say of an answer of 400 and above, before anything tries to decode it: a 4xx is the
 * person's to act on, and the server's message says how; a 5xx is the server's message too (an
 * engine or store that does not answer), or its status, with its request id when it sends one,
 * which finds it in the node's log. Nothing is guessed about versions: an answer without a
 * message names its status and the body's first words. Plain code, for the hand path too.
 */

/** The `message` of an API error body, or undefined when the body is not one. */
const messageOfBody = (body: string): string | undefined => {
  try {
    const message = (JSON.parse(body) as { readonly message?: unknown }).message
    return typeof message === "string" && message !== "" ? message : undefined
  } catch {
    return undefined
  }
}

export const refusalMessage = (server: string, status: number, body: string, requestId: string | undefined): string => {
  const message = messageOfBody(body)
  if (status < 500) {
    if (message !== undefined) return message
    const excerpt = body.trim().slice(0, 120)
    return `the knot server at ${server} refused the request (${status})${excerpt === "" ? "" : `: ${excerpt}`}`
  }
  return withRequestId(message ?? `the knot server at ${server} failed (${status})`, status, requestId)
}

/** A 5xx's line ends with the request id the server sent, which finds it in the node's log. */
export const withRequestId = (line: string, status: number, requestId: string | undefined): string =>
  status < 500 || requestId === undefined ? line : `${line}; request id ${requestId}`

/** A node answers every request in milliseconds; this long means it is stuck or unreachable. */
export const requestTimeoutSeconds = 30

export const noAnswerMessage = (server: string): string =>
  `the knot server at ${server} did not answer within ${requestTimeoutSeconds}s`
