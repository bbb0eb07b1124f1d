#!/usr/bin/env node
// The published entry point: tsx's loader runs the TypeScript CLI in this same process,
// so signals reach the node directly and no build step is needed.
import { register } from "tsx/esm/api"

register()
await import("../cli/main.ts")
