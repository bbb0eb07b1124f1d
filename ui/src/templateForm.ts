/**
 * A template as a form edits it (text fields) and back, checked by the API's own Schema
 * (TemplateRequest), so the page shows the very messages the node would answer with, by field.
 */
import { Either, ParseResult, Schema } from "effect"
import { TemplateRequest } from "../../effects/http/api.schemas.ts"
import type { TemplateView } from "./types.ts"

export interface TemplateFields {
  name: string
  image: string
  /** One argument per line; empty: the image's own command. */
  command: string
  /** KEY=VALUE per line. */
  env: string
  /** `NAME /mount/path [keep]` per line. */
  volumes: string
  /** `PORT [NAME] [http|tcp]` per line. */
  ports: string
  /** Comma-separated. */
  zones: string
  memoryMb: string
  cpus: string
  startOnConnect: boolean
}

export type FieldName = keyof TemplateFields

export const emptyFields: TemplateFields = {
  name: "",
  image: "",
  command: "",
  env: "",
  volumes: "",
  ports: "",
  zones: "",
  memoryMb: "",
  cpus: "",
  startOnConnect: false
}

const lines = (text: string) => text.split("\n").map((line) => line.trim()).filter((line) => line !== "")

export const fieldsOf = (template: TemplateView): TemplateFields => ({
  name: template.name,
  image: template.image,
  command: (template.command ?? []).join("\n"),
  env: Object.entries(template.env).map(([key, value]) => `${key}=${value}`).join("\n"),
  volumes: template.volumes.map((volume) => `${volume.name} ${volume.mountPath}${volume.keep ? " keep" : ""}`).join("\n"),
  ports: (template.ports ?? []).map((port) => [port.port, port.name, port.protocol].filter((part) => part !== undefined).join(" ")).join("\n"),
  zones: template.zones.join(", "),
  memoryMb: template.memoryMb === undefined ? "" : String(template.memoryMb),
  cpus: template.cpus === undefined ? "" : String(template.cpus),
  startOnConnect: template.startOnConnect === true
})

/** The request body the form stands for; numbers that do not read as numbers are left for the Schema to name. */
export const requestOf = (fields: TemplateFields): Record<string, unknown> => {
  const number = (text: string) => (text.trim() === "" ? undefined : Number(text.trim()))
  const command = lines(fields.command)
  const memoryMb = number(fields.memoryMb)
  const cpus = number(fields.cpus)
  return {
    name: fields.name.trim(),
    image: fields.image.trim(),
    ...(command.length === 0 ? {} : { command }),
    env: Object.fromEntries(lines(fields.env).map((line) => {
      const at = line.indexOf("=")
      return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1)]
    })),
    volumes: lines(fields.volumes).map((line) => {
      const [name = "", mountPath = "", keep] = line.split(/\s+/)
      return { name, mountPath, keep: keep === "keep" }
    }),
    ...(lines(fields.ports).length === 0 ? {} : {
      ports: lines(fields.ports).map((line) => {
        const parts = line.split(/\s+/)
        const protocol = parts.find((part) => part === "http" || part === "tcp")
        const name = parts.slice(1).find((part) => part !== protocol)
        return { port: Number(parts[0]), ...(name === undefined ? {} : { name }), ...(protocol === undefined ? {} : { protocol }) }
      })
    }),
    zones: fields.zones.split(",").map((zone) => zone.trim()).filter((zone) => zone !== ""),
    ...(memoryMb === undefined ? {} : { memoryMb }),
    ...(cpus === undefined ? {} : { cpus }),
    ...(fields.startOnConnect ? { startOnConnect: true } : {})
  }
}

const decode = Schema.decodeUnknownEither(TemplateRequest, { errors: "all", onExcessProperty: "error" })

/** Each field's message from the Schema, if any; empty when the node would accept it. */
export const problemsOf = (fields: TemplateFields): Partial<Record<FieldName, string>> => {
  const result = decode(requestOf(fields))
  if (Either.isRight(result)) return {}
  const problems: Partial<Record<FieldName, string>> = {}
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(result.left)) {
    const field = (String(issue.path[0] ?? "name")) as FieldName
    problems[field] = problems[field] === undefined ? issue.message : `${problems[field]}; ${issue.message}`
  }
  return problems
}
