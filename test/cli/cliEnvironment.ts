/** Per-test surroundings of the CLI: an empty config dir, a closed port, template files. */
import { mkdtempSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { makeTestApi, TestApi } from "../http/apiHarness.ts"
import { ownerStandIn } from "./ownerStandIn.ts"

/** A node whose spaces progress as if a space actor ran them. */
export const cliTestNode = Layer.scopedDiscard(Effect.flatMap(TestApi, (api) => ownerStandIn(api.store))).pipe(
  Layer.provideMerge(makeTestApi)
)

export const scratchDirectory = () => mkdtempSync(join(tmpdir(), "knot-cli-"))

/** A path for the CLI config file that does not exist yet. */
export const freshConfigPath = () => join(scratchDirectory(), "knot", "cli.toml")

export const writeScratchFile = (name: string, content: string) => {
  const path = join(scratchDirectory(), name)
  writeFileSync(path, content)
  return path
}

/** A port on 127.0.0.1 nothing listens on: taken, then released. */
export const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})
