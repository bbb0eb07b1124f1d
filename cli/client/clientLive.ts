import { FetchHttpClient } from "@effect/platform"
import { Layer } from "effect"
import { Progress } from "./progress.ts"

/** What the client commands need besides the platform (FileSystem): HTTP and progress on stderr. */
export const ClientLive = Layer.mergeAll(FetchHttpClient.layer, Progress.live)
