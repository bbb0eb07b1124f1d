/** A template written in a file, TOML (`.toml`) or JSON (anything else), checked before it is sent. */
import { extname } from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, ParseResult, Schema } from "effect"
import { parse } from "smol-toml"
import type { TemplateRequest as TemplateRequestType } from "../../effects/http/api.schemas.ts"
import { TemplateRequest } from "../../effects/http/api.schemas.ts"
import { CliFailure } from "./cliFailure.ts"

const decodeTemplate = Schema.decodeUnknown(TemplateRequest, { errors: "all", onExcessProperty: "error" })

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""

export const readTemplateFile = (
  path: string
): Effect.Effect<TemplateRequestType, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.mapError(
      fs.readFileString(path),
      (error) => new CliFailure({ message: `cannot read ${path}: ${error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message}` })
    )
    const toml = extname(path).toLowerCase() === ".toml"
    const parsed = yield* Effect.try({
      try: (): unknown => (toml ? parse(text) : JSON.parse(text)),
      catch: (error) => new CliFailure({ message: `${path} is not valid ${toml ? "TOML" : "JSON"}: ${firstLine(error)}` })
    })
    return yield* decodeTemplate(parsed).pipe(
      Effect.mapError((error) => {
        const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
          const at = issue.path.map(String).join(".")
          return issue._tag === "Missing" ? `${at} is missing` : at === "" ? issue.message : `${at}: ${issue.message}`
        })
        return new CliFailure({ message: `${path} is not a valid template: ${issues.join("; ")}` })
      })
    )
  })
