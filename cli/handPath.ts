/**
 * The hand path of the command people run most, `knot space list` (with `--json`, `--server`,
 * `--token`): it loads neither Effect nor the command-line parser, which are most of what a
 * client command spends before its first request. It takes only the plain cases: a spaces list
 * it can read, a refusal the server explains, a node that does not answer in time. Any other
 * command line, a missing token, a settings file it cannot read, a node it cannot reach or an
 * answer it cannot read goes to the full command line, which asks again and says what is wrong
 * exactly as it always does.
 */
import { readFile } from "node:fs/promises"
import { request as httpRequest, type IncomingMessage } from "node:http"
import { request as httpsRequest } from "node:https"
import { cliConfigPathOf } from "./client/cliConfigPath.ts"
import { noAnswerMessage, refusalMessage, requestTimeoutSeconds } from "./client/refusal.ts"
import { defaultServer, serverUrlOf } from "./client/serverUrl.ts"
import { type ListedSpace, spacesTable } from "./client/spacesTable.ts"

interface HandLine {
  readonly json: boolean
  readonly server?: string
  readonly token?: string
}

/** `space list` with each of its options at most once, or undefined for any other command line. */
export const readHandLine = (argv: ReadonlyArray<string>): HandLine | undefined => {
  if (argv[0] !== "space" || argv[1] !== "list") return undefined
  let json = false
  const values: { server?: string; token?: string } = {}
  for (let at = 2; at < argv.length; at++) {
    const arg = argv[at]!
    if (arg === "--json" && !json) {
      json = true
      continue
    }
    const value = argv[at + 1]
    if ((arg !== "--server" && arg !== "--token") || value === undefined || value === "" || value.startsWith("-")) return undefined
    const key = arg === "--server" ? "server" : "token"
    if (values[key] !== undefined) return undefined
    values[key] = value
    at++
  }
  return { json, ...values }
}

type Settings = { readonly server?: string; readonly token?: string }

/** The CLI's settings file: empty when there is none, undefined when it cannot be read plainly. */
const readSettings = async (variable: (name: string) => string | undefined): Promise<Settings | undefined> => {
  let text: string
  try {
    text = await readFile(cliConfigPathOf(variable), "utf8")
  } catch (error) {
    return (error as { readonly code?: unknown }).code === "ENOENT" ? {} : undefined
  }
  try {
    const { parse } = await import("smol-toml")
    const table = parse(text) as { readonly server?: unknown; readonly token?: unknown }
    const { server, token } = table
    if ((server !== undefined && typeof server !== "string") || (token !== undefined && typeof token !== "string")) return undefined
    return { ...(server === undefined ? {} : { server }), ...(token === undefined ? {} : { token }) }
  } catch {
    return undefined
  }
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly requestId: string | undefined
}

/** One GET; "timeout" past the CLI's bound, undefined when no answer came (the full path says why). */
const get = (url: string, token: string): Promise<Answer | "timeout" | undefined> =>
  new Promise((resolve) => {
    try {
      const target = new URL(url)
      const send = target.protocol === "https:" ? httpsRequest : httpRequest
      const outgoing = send(target, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } }, (answer: IncomingMessage) => {
        const chunks: Array<Buffer> = []
        answer.on("data", (chunk: Buffer) => chunks.push(chunk))
        answer.on("error", () => resolve(undefined))
        answer.on("end", () => {
          const id = answer.headers["x-request-id"]
          resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), requestId: typeof id === "string" ? id : undefined })
        })
      })
      outgoing.setTimeout(requestTimeoutSeconds * 1000, () => {
        resolve("timeout")
        outgoing.destroy()
      })
      outgoing.on("error", () => resolve(undefined))
      outgoing.end()
    } catch {
      // A token that cannot be a header, say: the full path tells the person.
      resolve(undefined)
    }
  })

const textFields = ["name", "observed", "desired", "template", "owner", "node", "zone"] as const

const spacesIn = (body: string): ReadonlyArray<ListedSpace> | undefined => {
  try {
    const spaces: unknown = JSON.parse(body)
    const readable = Array.isArray(spaces) && spaces.every((space) =>
      typeof space === "object" && space !== null && textFields.every((field) => typeof (space as Record<string, unknown>)[field] === "string")
    )
    return readable ? (spaces as ReadonlyArray<ListedSpace>) : undefined
  } catch {
    return undefined
  }
}

export interface HandOutput {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

/**
 * Runs the command line if the hand path takes it: its exit code, or undefined when the full
 * command line must run it.
 */
export const runHandPath = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  output: HandOutput
): Promise<number | undefined> => {
  const line = readHandLine(argv)
  if (line === undefined) return undefined
  // The full path takes a variable that is set but empty as a mistake: it says so itself.
  if (["KNOT_SERVER", "KNOT_TOKEN", "KNOT_CONFIG", "XDG_CONFIG_HOME", "HOME"].some((name) => env[name] === "")) return undefined
  const variable = (name: string) => env[name]
  let settings: Settings | undefined = {}
  if (line.server === undefined && env.KNOT_SERVER === undefined || line.token === undefined && env.KNOT_TOKEN === undefined) {
    settings = await readSettings(variable)
    if (settings === undefined) return undefined
  }
  const server = serverUrlOf(line.server ?? env.KNOT_SERVER ?? settings.server ?? defaultServer)
  const token = line.token ?? env.KNOT_TOKEN ?? settings.token
  if (!("url" in server) || token === undefined) return undefined
  const answer = await get(`${server.url}/api/spaces`, token)
  if (answer === undefined) return undefined
  if (answer === "timeout") {
    output.err(`error: ${noAnswerMessage(server.url)}`)
    return 1
  }
  if (answer.status >= 400) {
    output.err(`error: ${refusalMessage(server.url, answer.status, answer.body, answer.requestId)}`)
    return 1
  }
  const spaces = answer.status === 200 ? spacesIn(answer.body) : undefined
  if (spaces === undefined) return undefined
  output.out(line.json ? JSON.stringify(spaces, null, 2) : spacesTable(spaces))
  return 0
}
