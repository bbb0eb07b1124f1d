// Starts a fuzz worker thread: plain JavaScript, so that Node can load it before tsx is
// registered; tsx then loads the TypeScript worker (fuzz.worker.ts).
import { workerData } from "node:worker_threads"
import { register } from "tsx/esm/api"

register()
await import(workerData.module)
